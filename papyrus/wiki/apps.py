from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "papyrus.wiki"
    label = "wiki"
    verbose_name = "Wiki"

    def ready(self):
        from . import cache  # noqa: F401 - connects response-cache invalidation to page writes
        from . import realtime  # noqa: F401  connects the page_changed → WebSocket broadcaster
        from . import receivers  # noqa: F401 - a restore (backups_app) invalidates the response cache
        from papyrus.accounts import principal

        from .permissions import principal_teams, teams_by_id  # also connects membership → principal
        principal.register_part("team_roles", compute=principal_teams, convert=teams_by_id)

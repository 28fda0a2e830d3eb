from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "papyrus.wiki"
    label = "wiki"
    verbose_name = "Wiki"

    def ready(self):
        from papyrus.accounts import principal

        from . import receivers
        from .permissions import principal_teams, teams_by_id

        receivers.connect()
        principal.register_part("team_roles", compute=principal_teams, convert=teams_by_id)

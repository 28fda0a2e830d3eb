from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "papyrus.wiki"
    label = "wiki"
    verbose_name = "Wiki"

    def ready(self):
        # These import models: only once the app registry is ready (Django's ready() convention).
        from papyrus.accounts import principal  # noqa: PLC0415

        from . import receivers  # noqa: PLC0415
        from .permissions import principal_teams, teams_by_id  # noqa: PLC0415

        receivers.connect()
        principal.register_part("team_roles", compute=principal_teams, convert=teams_by_id)

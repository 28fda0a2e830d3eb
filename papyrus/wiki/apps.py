from django.apps import AppConfig


class WikiConfig(AppConfig):
    name = "papyrus.wiki"
    label = "wiki"
    verbose_name = "Wiki"

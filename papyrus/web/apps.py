from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "papyrus.web"
    label = "web"
    verbose_name = "Wiki in the browser"

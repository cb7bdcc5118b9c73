from django.apps import AppConfig


class HandbookConfig(AppConfig):
    name = "handbook"

    def ready(self):
        # The desk's panels and the navigation's counts (network.desk).
        from handbook import desk

        desk.register()

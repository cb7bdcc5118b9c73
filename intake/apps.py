from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"

    def ready(self):
        # Offers, engagements and bid seats reach the matching engine through its providers.
        from intake import desk, matching_providers

        matching_providers.register()
        # The desk's panels and the navigation's counts (network.desk).
        desk.register()

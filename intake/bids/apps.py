from django.apps import AppConfig


class BidsConfig(AppConfig):
    """Team bids: an app of its own inside intake, labelled ``bids``.

    Intake never imports it; ``ready`` plugs the bid's side into the request workflow's hooks.
    """

    name = "intake.bids"
    label = "bids"
    verbose_name = "Team bids"

    def ready(self):
        from intake.bids import desk, matching_providers, receivers, request_moves

        request_moves.connect()
        receivers.connect()
        matching_providers.register()
        desk.register()

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


def _ensure_reference_data(sender, **kwargs):
    from network.services import languages_ensure, roles_ensure

    roles_ensure()
    languages_ensure()


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "Alliance network"

    def ready(self):
        from network import allocator

        allocator.keep_freed_memory(settings.ALLOCATOR_KEEP_MB)
        # Roles need the permissions that post_migrate creates, so they are ensured after it
        # rather than in a data migration; the function is idempotent.
        post_migrate.connect(_ensure_reference_data, sender=self)
        # Models are loaded only now; the module imports the token model.
        from network import authentication

        authentication.connect_signals()
        # The out-of-hours rota's desk panels.
        from network import rota_desk

        rota_desk.register()

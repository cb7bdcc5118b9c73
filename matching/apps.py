"""The matching app: a pure engine plus the signals that tell it when the network changed.

The receivers live here, not in the adapter, so starting a process does not import the engine
(numpy, scikit-learn) until something is ranked.
"""

from django.apps import AppConfig
from django.db.models import F, signals

VERSION_KEY = "directory"


def index_version_bump() -> None:
    """Mark every built index stale: the next ranking in any process rebuilds.

    An ``UPDATE … SET value = value + 1`` so two edits at once both count. It runs inside the
    edit's transaction, so the bump commits or rolls back with the edit it describes. The row is
    created by the migration, and again here if a test flushed the table.
    """
    from network.models import MatchingIndexVersion

    bumped = MatchingIndexVersion.objects.filter(key=VERSION_KEY).update(value=F("value") + 1)
    if not bumped:
        MatchingIndexVersion.objects.get_or_create(key=VERSION_KEY, defaults={"value": 1})


def _edited(sender, instance, raw=False, **kwargs):
    # Fixture loading (raw saves) bumps nothing: a restore brings back the counter's own row,
    # and its value must come back exactly. The deserializer then sets the row's many-to-many
    # fields on this same instance; the mark tells the m2m receiver to stay quiet too.
    if raw:
        instance._matching_loaded_raw = True
        return
    index_version_bump()


def _membership_changed(sender, instance, action, **kwargs):
    if getattr(instance, "_matching_loaded_raw", False):
        return
    if action in ("post_add", "post_remove", "post_clear"):
        index_version_bump()


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        from network.models import (
            Consultant,
            ConsultantGroup,
            ConsultantSkill,
            ExternalProfessional,
            Skill,
            SkillAlias,
            TimeAway,
        )

        # Every model whose rows the index reads (matching.adapter.consultant_profiles and
        # external_profiles). Offers and engagements are not here: new ones move the stamp's
        # maximum keys, and their effect on rotation and capacity may lag by at most a day.
        for model in (
            Consultant,
            ConsultantSkill,
            Skill,
            SkillAlias,
            TimeAway,
            ExternalProfessional,
            ConsultantGroup,
        ):
            uid = f"matching-index-{model._meta.label_lower}"
            signals.post_save.connect(_edited, sender=model, dispatch_uid=f"{uid}-save")
            signals.post_delete.connect(_edited, sender=model, dispatch_uid=f"{uid}-delete")
        for through in (
            Consultant.languages.through,
            ConsultantGroup.members.through,
            ExternalProfessional.skills.through,
        ):
            signals.m2m_changed.connect(
                _membership_changed,
                sender=through,
                dispatch_uid=f"matching-index-{through._meta.label_lower}",
            )

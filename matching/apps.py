"""The matching app: a pure engine plus the signals that tell it when the network changed.

The receivers live in ``matching.stamp``, not in the adapter, so starting a process does not
import the engine (numpy, scikit-learn) until something is ranked.
"""

from django.apps import AppConfig
from django.db.models import signals


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        # Models and what reads them can only be imported once the app registry is ready.
        from matching.stamp import edited, membership_changed
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
        # external_profiles). Activity other apps record (matching.providers) is not here: new
        # rows move the stamp's maximum keys, and their effect on rotation and capacity may lag
        # by at most a day.
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
            signals.post_save.connect(edited, sender=model, dispatch_uid=f"{uid}-save")
            signals.post_delete.connect(edited, sender=model, dispatch_uid=f"{uid}-delete")
        for through in (
            Consultant.languages.through,
            ConsultantGroup.members.through,
            ExternalProfessional.skills.through,
        ):
            signals.m2m_changed.connect(
                membership_changed,
                sender=through,
                dispatch_uid=f"matching-index-{through._meta.label_lower}",
            )

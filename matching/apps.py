"""The matching app: a pure engine plus the signals that tell it when the network changed.

At start-up it also hands the engine Django's translation functions (``matching.messages``), so
the explanations the engine writes follow the reader's language.

The receivers live in ``matching.stamp``, not in the adapter, so starting a process does not
import the engine (numpy, scikit-learn) until something is ranked.
"""

from decimal import Decimal

from django.apps import AppConfig
from django.db.models import signals
from django.utils.formats import number_format


def localized_number(value: float, decimals: int | None = None, grouping: bool = False) -> str:
    """A number as the active language writes it ("12,500.00", "12 500,00"); in English exactly
    as ``matching.messages.english_number``. Rounded as Python formats it, then localised."""
    exact = format(value, "g") if decimals is None else format(value, f".{decimals}f")
    if "e" in exact or "n" in exact:  # an exponent, inf or nan: written as English writes it
        return exact
    return number_format(Decimal(exact), decimals, use_l10n=True, force_grouping=grouping)


class MatchingConfig(AppConfig):
    name = "matching"

    def ready(self):
        # The engine writes its explanations through matching.messages (it imports no Django);
        # Django's functions make them come out in the language active when they are written.
        from django.utils.translation import gettext, ngettext, pgettext

        from matching import messages

        messages.install(gettext, ngettext, pgettext, localized_number)

        # Models and what reads them can only be imported once the app registry is ready.
        from matching.stamp import edited, membership_changed
        from network.models import (
            Consultant,
            ConsultantGroup,
            ConsultantSkill,
            ExternalProfessional,
            FreeServicePledge,
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
            FreeServicePledge,
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

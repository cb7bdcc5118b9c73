"""A request's lists of skills as the workflow takes them: names as written, or the taxonomy's
canonical names. Used by triage and by ``request_skills_edit`` (``intake.workflow``)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from network.models import Skill
from network.text import fold

SKILL_MAX_LENGTH = 120  # as Skill.name
MAX_SKILLS = 50  # in each list of a request, and in each list of one edit


def skill_list(values, field_name: str) -> list[str]:
    """A list of non-empty strings of at most SKILL_MAX_LENGTH characters, stripped, without
    repeats (case and spacing ignored); anything else is a field error."""
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field_name: _("A list of skill names.")})
    if len(values) > MAX_SKILLS:
        raise ValidationError(
            {field_name: _("At most %(count)s skills at once.") % {"count": MAX_SKILLS}}
        )
    cleaned: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            raise ValidationError({field_name: _("A skill name cannot be empty.")})
        if len(value) > SKILL_MAX_LENGTH:
            raise ValidationError(
                {
                    field_name: _("A skill name may have at most %(count)s characters.")
                    % {"count": SKILL_MAX_LENGTH}
                }
            )
        key = fold(value) or value.casefold()
        if key not in seen:
            seen.add(key)
            cleaned.append(value)
    return cleaned


def canonical_skills(values, field_name: str) -> list[str]:
    """The taxonomy's canonical names for ``values`` (any spelling of a skill's own name, in
    order); a name the taxonomy does not know is a field error naming it."""
    names = skill_list(values, field_name)
    if not names:
        return []
    keys = [fold(name) for name in names]
    known = dict(
        Skill.objects.filter(folded_name__in=[key for key in keys if key]).values_list(
            "folded_name", "name"
        )
    )
    unknown = [name for name, key in zip(names, keys, strict=True) if key not in known]
    if unknown:
        raise ValidationError(
            {
                field_name: _("Not in the skills list: %(skills)s. Name it instead.")
                % {"skills": ", ".join(unknown)}
            }
        )
    canonical: list[str] = []
    for key in keys:
        if known[key] not in canonical:
            canonical.append(known[key])
    return canonical

"""Import members from a CSV file: parse and validate every row, then apply all rows or none.

The import is idempotent on email (matched regardless of case, like the ``User`` constraint):
an existing member is updated, anyone else is created. It only ever adds: an empty cell keeps
the member's current value, and a language, skill or group the file does not list is kept, so
re-importing an old spreadsheet cannot wipe what members have since written in their profiles.
Members, their status and skills are written through ``network.services``, so status changes
land in the status history; group membership, which has no service, is added directly. The
file's columns and how a cell is read are in ``network.csv_format``.
"""

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from network import services
from network.csv_format import (
    COLUMNS,
    PROFILE_COLUMNS,
    ConsultantImportError,
    ConsultantRowForm,
    check_header,
    decode,
    read_records,
    split_list,
    whole_number,
)
from network.models import (
    DISPLAY_NAME_TAKEN,
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    Language,
    Skill,
    SkillAlias,
    User,
    validate_timezone,
)
from network.text import fold, name_key

DEFAULT_STATUS = Consultant.Status.ACTIVE
IMPORT_REASON = "CSV import"

# SQLite caps the parameters of one statement (999 on older builds), so look-ups by a list of
# keys go in batches of this size.
_BATCH = 500
# How far an import has got: called with a stage's name, the rows done and the rows in all.
ProgressCallback = Callable[[str, int, int], None]
CHECKING = "Checking rows"
IMPORTING = "Importing consultants"


@dataclass(frozen=True)
class SkillClaim:
    skill: Skill
    level: int
    years: int | None
    note: str = ""


@dataclass
class RowPlan:
    """What importing one row does: create a member, change some things, or nothing."""

    line: int
    email: str
    display_name: str
    consultant: Consultant | None  # the existing member, None when the row creates one
    status: str | None = None  # the status to create with or move to; None keeps it
    profile: dict = field(default_factory=dict)  # fields to set (create) or that change (update)
    languages: list[str] = field(default_factory=list)  # codes the member ends up with
    languages_changed: bool = False
    skills: list[SkillClaim] = field(default_factory=list)  # entries to add or change
    groups: list[ConsultantGroup] = field(default_factory=list)  # groups to join

    @property
    def action(self) -> str:
        if self.consultant is None:
            return "created"
        changed = self.profile or self.status or self.languages_changed
        return "updated" if changed or self.skills or self.groups else "unchanged"


@dataclass
class ImportSummary:
    plans: list[RowPlan]
    dry_run: bool

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


# --- Reference data, loaded once per import ---------------------------------------------------


def _batches(values: Iterable, size: int = _BATCH) -> Iterator[list]:
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Reference:
    """Skills, languages, groups and the existing members a file names, each read in one go,
    so checking thousands of rows costs a handful of queries rather than several per cell."""

    def __init__(self):
        skills = list(Skill.objects.all())
        self.skill_by_slug = {skill.slug.lower(): skill for skill in skills}
        self.skill_by_name = {skill.folded_name: skill for skill in skills}
        by_id = {skill.pk: skill for skill in skills}
        self.skill_by_alias = {
            folded: by_id[skill_id]
            for folded, skill_id in SkillAlias.objects.values_list("folded", "skill_id")
        }
        self.language_codes = set(Language.objects.values_list("code", flat=True))
        self.group_by_slug = {group.slug.lower(): group for group in ConsultantGroup.objects.all()}
        self.users_by_email: dict[str, User] = {}
        self.language_codes_of: dict[int, set[str]] = {}
        self.skills_of: dict[int, dict[int, ConsultantSkill]] = {}
        self.group_ids_of: dict[int, set[int]] = {}
        self.members_named: dict[str, set[int]] = {}
        self.lines_named: dict[str, int] = {}
        self._timezone_errors: dict[str, list[str]] = {}

    def load_names(self, names: Iterable[str]) -> None:
        """The members who already go by the file's names (compared as names are)."""
        for batch in _batches(sorted({name_key(name) for name in names if name})):
            for key, consultant_id in Consultant.objects.filter(
                display_name_key__in=batch
            ).values_list("display_name_key", "pk"):
                self.members_named.setdefault(key, set()).add(consultant_id)

    def load_members(self, emails: Iterable[str]) -> None:
        for batch in _batches(sorted(set(emails))):
            users = (
                User.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=batch)
                .select_related("consultant")
            )
            for user in users:
                self.users_by_email[user.email_lower] = user
        consultant_ids = [
            user.consultant.pk
            for user in self.users_by_email.values()
            if hasattr(user, "consultant")
        ]
        languages = Consultant.languages.through.objects
        memberships = ConsultantGroup.members.through.objects
        for batch in _batches(consultant_ids):
            for consultant_id, code in languages.filter(consultant_id__in=batch).values_list(
                "consultant_id", "language_id"
            ):
                self.language_codes_of.setdefault(consultant_id, set()).add(code)
            for entry in ConsultantSkill.objects.filter(consultant_id__in=batch):
                self.skills_of.setdefault(entry.consultant_id, {})[entry.skill_id] = entry
            for consultant_id, group_id in memberships.filter(consultant_id__in=batch).values_list(
                "consultant_id", "consultantgroup_id"
            ):
                self.group_ids_of.setdefault(consultant_id, set()).add(group_id)

    def resolve_skill(self, term: str) -> Skill | None:
        return (
            self.skill_by_slug.get(term.lower())
            or self.skill_by_name.get(fold(term))
            or self.skill_by_alias.get(fold(term))
        )

    def timezone_errors(self, value: str) -> list[str]:
        # The model's validator lists every zone on disk (~10 ms a call); a file has only a few
        # distinct zones, so each is checked once.
        if value not in self._timezone_errors:
            try:
                validate_timezone(value)
                self._timezone_errors[value] = []
            except ValidationError as error:
                self._timezone_errors[value] = error.messages
        return self._timezone_errors[value]


# --- Checking rows ----------------------------------------------------------------------------


class _RowErrors:
    """Errors of one row, reported in column order as ``line N: field: reason``."""

    def __init__(self, line: int):
        self.line = line
        self.by_field: dict[str, list[str]] = {}

    def add(self, field_name: str, message: str) -> None:
        self.by_field.setdefault(field_name, []).append(message)

    def add_validation_error(self, error: ValidationError) -> None:
        for field_name, messages in error.message_dict.items():
            for message in messages:
                self.add("row" if field_name == NON_FIELD_ERRORS else field_name, message)

    def __bool__(self):
        return bool(self.by_field)

    def lines(self) -> list[str]:
        order = {name: position for position, name in enumerate(("row", *COLUMNS))}
        fields = sorted(self.by_field, key=lambda name: order.get(name, len(order)))
        return [
            _("line %(line)s: %(field)s: %(message)s")
            % {"line": self.line, "field": name, "message": message}
            for name in fields
            for message in self.by_field[name]
        ]


def _check_profile(form, provided: list[str], existing, errors, reference) -> dict:
    """Run the model's validation on the member as the row would leave it; return the values
    of the provided profile fields, normalised by the model (the currency upper-cased)."""
    cleaned = form.cleaned_data
    if existing is None:
        candidate = Consultant(status=cleaned.get("status") or DEFAULT_STATUS)
    else:
        candidate = copy.copy(existing)
    for name in provided:
        setattr(candidate, name, cleaned[name])
    if "timezone" in provided:
        for message in reference.timezone_errors(cleaned["timezone"]):
            errors.add("timezone", message)
    try:
        # Uniqueness and check constraints cost a query each; the services check them again
        # when the row is written, and the only unique key here (email) is checked above.
        # Cells the form refused are reported once, by the form, not again as blank here.
        candidate.full_clean(
            exclude=["user", "timezone", *form.errors],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.add_validation_error(error)
    return {name: getattr(candidate, name) for name in provided}


def _parse_skills(cell: str, errors: _RowErrors, reference: _Reference) -> list[SkillClaim]:
    claims: dict[int, SkillClaim] = {}
    years_field = ConsultantSkill._meta.get_field("years")
    for item in split_list(cell):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) not in (2, 3) or not parts[0]:
            errors.add(
                "skills", _("%(item)r: write skill:level or skill:level:years") % {"item": item}
            )
            continue
        problems = []
        skill = reference.resolve_skill(parts[0])
        if skill is None:
            problems.append(
                _("%(skill)r is not a known skill, slug or alias") % {"skill": parts[0]}
            )
        level = whole_number(parts[1])
        if level not in ConsultantSkill.Level.values:
            problems.append(
                _("%(item)r: the level must be a whole number from 1 to 5") % {"item": item}
            )
        years = None
        if len(parts) == 3:
            years = whole_number(parts[2])
            try:
                if years is None:
                    raise ValidationError(_("Enter a whole number."))
                years_field.run_validators(years)
            except ValidationError as error:
                problems.extend(
                    _("%(item)r: years: %(message)s") % {"item": item, "message": message}
                    for message in error.messages
                )
        if skill is not None and skill.pk in claims:
            problems.append(_("%(skill)s is listed more than once") % {"skill": skill.name})
        for problem in problems:
            errors.add("skills", problem)
        if not problems:
            claims[skill.pk] = SkillClaim(skill=skill, level=level, years=years)
    return list(claims.values())


def _check_name(line: int, name: str, existing, errors: _RowErrors, reference) -> None:
    """No member may take another's name: not one already in the directory, nor one given to
    another row of the file."""
    key = name_key(name)
    others = reference.members_named.get(key, set()) - {existing.pk if existing else None}
    if others and (existing is None or existing.display_name_key != key):
        errors.add("display_name", DISPLAY_NAME_TAKEN)
    if key in reference.lines_named:
        errors.add(
            "display_name",
            _("the same name is on line %(line)s") % {"line": reference.lines_named[key]},
        )
    else:
        reference.lines_named[key] = line


def _plan_row(line: int, record: dict[str, str], reference: _Reference, seen: dict):
    """Check one row; return its plan (None when the row has errors) and its errors."""
    errors = _RowErrors(line)
    form = ConsultantRowForm(data=record)
    form.is_valid()
    for name, messages in form.errors.items():
        for message in messages:
            errors.add(name, message)
    cleaned = form.cleaned_data

    existing = None
    email = cleaned.get("email")
    if email:
        key = email.lower()
        if key in seen:
            errors.add(
                "email",
                _("%(email)s is already on line %(line)s") % {"email": email, "line": seen[key]},
            )
        else:
            seen[key] = line
        user = reference.users_by_email.get(key)
        if user is not None and not hasattr(user, "consultant"):
            errors.add(
                "email",
                _("%(email)s belongs to an account without a member profile") % {"email": email},
            )
        elif user is not None:
            existing = user.consultant

    provided = [name for name in PROFILE_COLUMNS if record.get(name) and name not in form.errors]
    profile = _check_profile(form, provided, existing, errors, reference)
    if "display_name" in profile:
        _check_name(line, profile["display_name"], existing, errors, reference)

    codes = [code.lower() for code in split_list(record.get("languages", ""))]
    unknown = [code for code in codes if code not in reference.language_codes]
    if unknown:
        errors.add(
            "languages",
            _("unknown language code(s) %(codes)s (known: %(known)s)")
            % {"codes": ", ".join(unknown), "known": ", ".join(sorted(reference.language_codes))},
        )
    slugs = [slug.lower() for slug in split_list(record.get("groups", ""))]
    for slug in slugs:
        if slug not in reference.group_by_slug:
            errors.add("groups", _("no consultant group has the slug %(slug)r") % {"slug": slug})
    claims = _parse_skills(record.get("skills", ""), errors, reference)

    if errors:
        return None, errors
    plan = RowPlan(line=line, email=email, display_name=cleaned["display_name"], consultant=None)
    groups = list({slug: reference.group_by_slug[slug] for slug in slugs}.values())
    if existing is None:
        plan.status = cleaned["status"] or DEFAULT_STATUS
        plan.profile = {name: value for name, value in profile.items() if name != "display_name"}
        plan.languages = list(dict.fromkeys(codes))
        plan.skills, plan.groups = claims, groups
        return plan, errors

    plan.consultant = existing
    plan.profile = {
        name: value for name, value in profile.items() if getattr(existing, name) != value
    }
    if cleaned["status"] and cleaned["status"] != existing.status:
        plan.status = cleaned["status"]
    current_codes = reference.language_codes_of.get(existing.pk, set())
    plan.languages = sorted(current_codes | set(codes))
    plan.languages_changed = not set(codes) <= current_codes
    current_skills = reference.skills_of.get(existing.pk, {})
    for claim in claims:
        entry = current_skills.get(claim.skill.pk)
        if entry is None:
            plan.skills.append(claim)
        elif entry.level != claim.level or claim.years not in (None, entry.years):
            # A row without years keeps the years on file; the member's note is always kept.
            years = entry.years if claim.years is None else claim.years
            plan.skills.append(SkillClaim(claim.skill, claim.level, years, entry.note))
    joined = reference.group_ids_of.get(existing.pk, set())
    plan.groups = [group for group in groups if group.pk not in joined]
    return plan, errors


def consultants_import_plan(
    content: bytes, progress: ProgressCallback | None = None
) -> list[RowPlan]:
    """Check the whole file against the database; raise ``ConsultantImportError`` listing every
    problem, or return one plan per row. Writes nothing."""
    records = read_records(decode(content))
    first = next(records, None)
    if first is None:
        raise ConsultantImportError([_("line 1: file: the file is empty")])
    header_line, header = first
    header_errors = check_header(header_line, header)
    if header_errors:
        # Without a sound header no cell can be read reliably, so rows are not checked.
        raise ConsultantImportError(header_errors)
    names = [cell.strip().lower() for cell in header]

    rows, errors = [], []
    for line, cells in records:
        if len(cells) != len(names):
            errors.append(
                _("line %(line)s: row: has %(cells)s cells but the header has %(columns)s")
                % {"line": line, "cells": len(cells), "columns": len(names)}
            )
            continue
        rows.append((line, dict(zip(names, (cell.strip() for cell in cells), strict=True))))

    reference = _Reference()
    reference.load_members(record["email"].lower() for _line, record in rows if record["email"])
    reference.load_names(record.get("display_name", "") for _line, record in rows)
    plans, seen = [], {}
    for done, (line, record) in enumerate(rows, start=1):
        plan, row_errors = _plan_row(line, record, reference, seen)
        if plan is not None:
            plans.append(plan)
        errors.extend(row_errors.lines())
        if progress is not None:
            progress(CHECKING, done, len(rows))
    if errors:
        errors.sort(key=lambda message: int(message.split(":", 1)[0].removeprefix("line ")))
        raise ConsultantImportError(errors)
    return plans


# --- Applying ---------------------------------------------------------------------------------


def _status_dates(status: str) -> dict:
    """The dates ``consultant_set_status`` fills when a member moves to ``status`` today, so a
    member imported as active or on probation looks like one moved there through the app."""
    today = timezone.localdate()
    if status == Consultant.Status.ACTIVE:
        return {"joined_on": today}
    if status == Consultant.Status.PROBATION:
        return {"probation_ends": services.add_months(today, settings.PROBATION_MONTHS)}
    return {}


def _apply_row(plan: RowPlan, actor) -> Consultant:
    if plan.consultant is None:
        consultant = services.consultant_create(
            email=plan.email,
            display_name=plan.display_name,
            status=plan.status,
            actor=actor,
            reason=IMPORT_REASON,
            languages=plan.languages,
            **plan.profile,
            **_status_dates(plan.status),
        )
    else:
        consultant = plan.consultant
        if plan.profile or plan.languages_changed:
            services.consultant_update(
                consultant=consultant,
                languages=plan.languages if plan.languages_changed else None,
                **plan.profile,
            )
        if plan.status:
            services.consultant_set_status(
                consultant=consultant, status=plan.status, actor=actor, reason=IMPORT_REASON
            )
    for claim in plan.skills:
        services.consultant_skill_set(
            consultant=consultant,
            skill=claim.skill,
            level=claim.level,
            years=claim.years,
            note=claim.note,
        )
    return consultant


def consultants_import(
    *,
    content: bytes,
    dry_run: bool = False,
    actor=None,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import members from CSV ``content`` (UTF-8, with or without a byte-order mark).

    Every row is checked before anything is written; if any row is bad, nothing is written and
    ``ConsultantImportError`` lists every problem. Otherwise all rows are applied in one
    transaction. With ``dry_run`` the plan is returned and nothing is written. ``progress``, if
    given, hears of every row checked (``CHECKING``) and applied (``IMPORTING``).
    """
    if dry_run:
        return ImportSummary(plans=consultants_import_plan(content, progress), dry_run=True)
    # The check runs inside the transaction too, so the plan is made from the rows it writes.
    with transaction.atomic():
        plans = consultants_import_plan(content, progress)
        joining: dict[int, tuple[ConsultantGroup, list[Consultant]]] = {}
        for done, plan in enumerate(plans, start=1):
            try:
                consultant = _apply_row(plan, actor)
            except ValidationError as error:
                # Only a change made since the check (an account created meanwhile) gets here;
                # raising rolls the whole import back.
                row_errors = _RowErrors(plan.line)
                row_errors.add_validation_error(error)
                raise ConsultantImportError(row_errors.lines()) from error
            for group in plan.groups:
                joining.setdefault(group.pk, (group, []))[1].append(consultant)
            if progress is not None:
                progress(IMPORTING, done, len(plans))
        # One insert per group rather than one per member; there is no service for membership.
        for group, members in joining.values():
            group.members.add(*members)
    return ImportSummary(plans=plans, dry_run=False)

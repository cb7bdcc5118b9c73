"""Filters for the member directory, shared by the API and the directory page."""

import django_filters
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from network.db import FixedQuery
from network.models import (
    Consultant,
    ConsultantGroup,
    ConsultantSkill,
    Language,
    Skill,
    SkillAlias,
    TimeAway,
)
from network.text import fold


class StaticFormFilterSet(django_filters.FilterSet):
    """A filter set whose form class is made once per filter set class, not on every call.

    django-filter builds a new form class from the filters' fields for each filter set it
    makes, which costs a list call about as much as one of its queries. That is only right
    for a filter set whose fields depend on the request (a choice list read per user); these
    do not. Each form still copies the class's fields, as every Django form does, so nothing
    one request does to its form reaches another's.
    """

    def get_form_class(self):
        form_class = type(self).__dict__.get("_static_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._static_form_class = form_class
        return form_class


# The directory's skill filter resolves the skill first, by slug, name or alias: compiled once
# (FixedQuery). Three look-ups of a unique key, one each, joined by UNION: an OR across the
# alias join made the database read every skill and alias on each call.
_SKILLS_NAMED = FixedQuery(
    lambda slug, folded: (
        Skill.objects.filter(slug=slug)
        .order_by()
        .values_list("pk")
        .union(
            Skill.objects.filter(folded_name=folded).order_by().values_list("pk"),
            SkillAlias.objects.filter(folded=folded).order_by().values_list("skill_id"),
        )
    ),
    "(slug)",
    "(folded)",
)


class ConsultantFilter(StaticFormFilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Search"), help_text="Words in the name, location or bio."
    )
    skill = django_filters.CharFilter(
        method="filter_skill",
        label=_("Skill"),
        help_text="A skill's slug, name or alias, e.g. wordpress or Postgres.",
    )
    min_level = django_filters.NumberFilter(
        method="filter_noop",
        label=_("Minimum level"),
        min_value=1,
        max_value=5,
        help_text="With skill: only members at this level (1–5) or above.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Consultant.Status.choices,
        label=_("Status"),
        distinct=False,  # the consultant's own column: no row can repeat
    )
    group = django_filters.ModelChoiceFilter(
        field_name="consultant_groups",
        queryset=ConsultantGroup.objects.all(),
        to_field_name="slug",
        help_text="A consultant group's slug.",
    )
    language = django_filters.ModelChoiceFilter(
        field_name="languages",
        queryset=Language.objects.all(),
        help_text="An ISO 639-1 language code, e.g. es.",
    )
    available_on = django_filters.DateFilter(
        method="filter_available_on",
        label=_("Available on"),
        help_text="Members who can take work on this date (active or on probation, not away).",
    )
    remote_ok = django_filters.BooleanFilter(label=_("Works remotely"))

    class Meta:
        model = Consultant
        fields = ["search", "skill", "min_level", "status", "group", "language", "remote_ok"]

    def filter_noop(self, queryset, name, value):
        # min_level only narrows the skill filter; it is read there.
        return queryset

    def filter_search(self, queryset, name, value):
        # Each word in the name, location or bio, in any letter case: the stored upper-cased
        # text (Consultant.search_text) holds it, upper-cased by the database as the text was.
        for word in value.split()[:8]:
            queryset = queryset.filter(search_text__contains=Upper(Value(word)))
        return queryset

    def filter_skill(self, queryset, name, value):
        folded = fold(value)
        # Resolve the skill first (one small query) so the member lookup is a plain
        # (skill, level) index range rather than a join through names and aliases per member.
        skill_ids = [pk for (pk,) in _SKILLS_NAMED.rows(value.strip().lower(), folded)]
        entries = ConsultantSkill.objects.filter(skill_id__in=skill_ids)
        min_level = self.form.cleaned_data.get("min_level")
        if min_level:
            entries = entries.filter(level__gte=min_level)
        return queryset.filter(pk__in=entries.values("consultant_id"))

    def filter_available_on(self, queryset, name, value):
        away = TimeAway.objects.filter(consultant=OuterRef("pk"), start__lte=value, end__gte=value)
        # status_rank 0 is exactly the working statuses (Consultant.status_rank): a range of the
        # directory's own order index rather than a filter on every row it walks.
        return queryset.filter(status_rank=0).exclude(Exists(away))

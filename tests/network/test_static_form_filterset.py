"""``network.filters.StaticFormFilterSet``: the form class is made once per filter set class,
and each filter set still gets a form of its own."""

import pytest
from django.http import QueryDict

from intake.api import RequestFilter
from intake.models import Request
from network.filters import ConsultantFilter
from network.models import Consultant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("filter_set", "model"), [(ConsultantFilter, Consultant), (RequestFilter, Request)]
)
def test_the_form_class_is_made_once_per_filter_set_class(filter_set, model):
    first = filter_set(QueryDict(""), queryset=model.objects.all())
    second = filter_set(QueryDict(""), queryset=model.objects.all())

    assert first.get_form_class() is second.get_form_class()
    assert ConsultantFilter(queryset=Consultant.objects.all()).get_form_class() is not (
        RequestFilter(queryset=Request.objects.all()).get_form_class()
    )


def test_what_one_request_does_to_its_form_does_not_reach_the_next():
    first = ConsultantFilter(QueryDict("skill=wordpress"), queryset=Consultant.objects.all())
    first.form.fields["skill"].help_text = "changed for one page"
    assert first.is_valid()

    second = ConsultantFilter(QueryDict("skill=!!"), queryset=Consultant.objects.all())

    assert second.form.fields["skill"].help_text != "changed for one page"
    assert second.is_valid() and second.form.cleaned_data["skill"] == "!!"
    assert first.form.cleaned_data["skill"] == "wordpress"


def test_a_bad_value_is_still_refused_with_the_field_message():
    refused = RequestFilter(QueryDict("status=nonsense"), queryset=Request.objects.all())

    assert not refused.is_valid()
    assert "status" in refused.errors

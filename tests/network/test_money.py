"""The money filter: one way to write an amount on pages and in emails."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from network.templatetags.money import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("12000"), "USD", "USD\u00a012,000.00"),
        (Decimal("1234567.891"), "eur", "EUR\u00a01,234,567.89"),
        (Decimal("0.005"), "USD", "USD\u00a00.01"),
        (Decimal("-1234.5"), "USD", "USD\u00a0\u22121,234.50"),
        (Decimal("999.99"), "", "999.99"),
        ("250", "USD", "USD\u00a0250.00"),
        (0, "USD", "USD\u00a00.00"),
        (None, "USD", ""),
        ("", "USD", ""),
        ("not a number", "USD", ""),
    ],
)
def test_format_money(amount, currency, expected):
    assert format_money(amount, currency) == expected


def test_the_filter_in_a_template():
    rendered = Template("{% load money %}{{ price|money:currency }}").render(
        Context({"price": Decimal("12000.00"), "currency": "USD"})
    )
    assert rendered == "USD\u00a012,000.00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "USD\u00a0\u22121,234,567.50"),
        ("es", "USD\u00a0\u22121\u00a0234\u00a0567,50"),
        ("fr", "USD\u00a0\u22121\u00a0234\u00a0567,50"),
    ],
)
def test_the_separators_follow_the_active_language(language, expected):
    with translation.override(language):
        assert format_money(Decimal("-1234567.5"), "usd") == expected


def test_a_template_in_spanish_writes_the_decimal_comma():
    with translation.override("es"):
        rendered = Template("{% load money %}{{ amount|money:'USD' }}").render(
            Context({"amount": Decimal("12000")})
        )

    assert rendered == "USD\u00a012\u00a0000,00"

"""One way to write an amount of money, on every page and in every email.

``{{ amount|money:currency }}`` gives ``USD 12,000.00``: the ISO 4217 code, a no-break space,
thousands separators and two decimals, the separators those of the active language
(``USD 12.000,00`` in Spanish). CSV exports and the API keep plain numbers; only what a
person reads goes through here. Amounts in tables sit in cells of class ``num`` (right-aligned,
tabular figures).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

NO_BREAK_SPACE = "\u00a0"
MINUS = "\u2212"
CENT = Decimal("0.01")


def format_money(amount, currency: str = "") -> str:
    """``format_money(Decimal("-1234.5"), "usd")`` is ``"USD −1,234.50"`` in English; ``None``
    or a value that is not a number gives an empty string, so a missing amount shows as nothing."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    sign = MINUS if value < 0 else ""
    # The active language's separators: 12,000.00 in English, 12.000,00 in Spanish, 12 000,00
    # in French.
    number = sign + number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    code = (currency or "").strip().upper()
    return f"{code}{NO_BREAK_SPACE}{number}" if code else number


@register.filter(name="money")
def money(amount, currency=""):
    return format_money(amount, currency)

"""``{{ value|grouped }}``: a whole number with the active language's thousands separator
(1,000 in English, 1.000 in Spanish), whether or not USE_THOUSAND_SEPARATOR is on."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(value):
    return number_format(value, decimal_pos=0, force_grouping=True)

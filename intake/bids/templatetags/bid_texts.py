"""``{{ seat.role|bid_role }}`` and ``{{ version.reason|agreement_reason }}``: texts the bid
services stored in English, said in the reader's language (``intake.bids.texts``)."""

from django import template

from intake.bids import texts

register = template.Library()


@register.filter
def bid_role(role):
    return texts.role_text(role or "")


@register.filter
def agreement_reason(reason):
    return texts.reason_text(reason or "")

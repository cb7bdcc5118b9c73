"""The documents of a team bid, as the pages and the API hand them out: the agreement's text and
versions, the team's hours, and the statement with its totals and as a CSV file.

Reads and rendering only; what a viewer may see of them is decided by the callers
(``bid_access.sees_bid_money``).
"""

import csv
import io
from decimal import Decimal

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation

from intake.bids import money, rules
from intake.bids.models import AgreementSignature, Bid, Settlement, StatementApproval

# --- The agreement ---------------------------------------------------------------------------


def agreement_text(bid: Bid, terms: dict, number: int) -> str:
    """The text members sign: version ``number`` of the agreement with its figures ``terms``."""
    # One text for the whole team, whatever language the member who changed it reads.
    with translation.override("en"):
        return render_to_string(
            "bids/agreement_document.txt", {"terms": terms, "number": number, "bid": bid}
        )


def agreement_versions(bid: Bid) -> dict:
    """The current version of the agreement (None before any) and every version, newest first,
    with their signatures in the order they were signed."""
    versions = list(
        bid.agreement_versions.order_by("-number").prefetch_related(
            Prefetch(
                "signatures",
                queryset=AgreementSignature.objects.select_related("consultant").order_by(
                    "signed_at", "pk"
                ),
            )
        )
    )
    current = next((version for version in versions if version.voided_at is None), None)
    return {"current": current, "history": versions}


# --- The hours -------------------------------------------------------------------------------


def hours_summary(bid: Bid) -> dict:
    """Every hours entry of the bid by date, each member's total (the team first, then anyone
    else who logged hours) and the total."""
    entries = list(bid.hours.select_related("consultant").order_by("date", "pk"))
    totals: dict[int, dict] = {}
    for seat in rules.team_members(bid):
        totals[seat.consultant_id] = {
            "consultant": seat.consultant_id,
            "name": seat.consultant.display_name,
            "hours": Decimal("0"),
        }
    for entry in entries:
        total = totals.setdefault(
            entry.consultant_id,
            {"consultant": entry.consultant_id, "name": entry.consultant.display_name,
             "hours": Decimal("0")},
        )  # fmt: skip
        total["hours"] += entry.hours
    return {
        "entries": entries,
        "totals": list(totals.values()),
        "total_hours": sum((entry.hours for entry in entries), Decimal("0")),
    }


# --- The statement ---------------------------------------------------------------------------


def _statements():
    return Settlement.objects.select_related("bid", "agreement").prefetch_related(
        Prefetch(
            "approvals",
            queryset=StatementApproval.objects.select_related(
                "consultant", "recorded_by__consultant"
            ),
        )
    )


def statement_of(bid_id: int) -> Settlement | None:
    """The bid's statement out for approval, or its final one, with its approvals."""
    return (
        _statements()
        .filter(bid_id=bid_id)
        .exclude(state=Settlement.State.DISPUTED)
        .order_by("-pk")
        .first()
    )


def statement_row(settlement_id: int) -> Settlement:
    """One statement, whatever its state, with its approvals."""
    return _statements().get(pk=settlement_id)


def statement_totals(settlement: Settlement) -> dict:
    """The statement's totals: planned and actual hours, planned payout, payout (the pool) and
    the team's effective rate (None with no hours)."""

    def total(key: str) -> Decimal:
        return sum((Decimal(line[key]) for line in settlement.lines), Decimal("0.00"))

    actual = total("actual_hours")
    payout = total("payout")
    return {
        "planned_hours": total("planned_hours"),
        "actual_hours": actual,
        "planned_payout": total("planned_payout"),
        "payout": payout,
        "effective_rate": money.effective_rate(payout, actual) if actual > 0 else None,
    }


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a
# member's name or role is text, so it is written with a leading apostrophe instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def statement_csv(settlement: Settlement) -> str:
    """The statement as CSV: members, a total row whose payout is the pool, transfers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Member",
            "Role",
            "Standard rate",
            "Planned hours",
            "Actual hours",
            "Difference (hours)",
            "Planned payout",
            "Payout",
            "Effective rate",
        ]
    )
    for line in settlement.lines:
        writer.writerow(
            [
                _text_cell(line["name"]),
                _text_cell(line["role"]),
                line["standard_rate"],
                line["planned_hours"],
                line["actual_hours"],
                line["hours_difference"],
                line["planned_payout"],
                line["payout"],
                line["effective_rate"] or "",
            ]
        )
    totals = statement_totals(settlement)
    effective = totals["effective_rate"]
    writer.writerow(
        [
            "Total",
            "",
            "",
            f"{totals['planned_hours']:.2f}",
            f"{totals['actual_hours']:.2f}",
            f"{totals['actual_hours'] - totals['planned_hours']:.2f}",
            f"{totals['planned_payout']:.2f}",
            f"{totals['payout']:.2f}",
            f"{effective:.2f}" if effective is not None else "",
        ]
    )
    writer.writerow([])
    writer.writerow(["From", "To", "Amount"])
    for transfer in settlement.transfers:
        writer.writerow(
            [
                _text_cell(transfer["from_name"]),
                _text_cell(transfer["to_name"]),
                transfer["amount"],
            ]
        )
    return out.getvalue()

"""The money of shared-risk rate agreements: pure functions on ``Decimal`` values, no database.

docs/architecture.md ("Shared-risk rate agreements"): a team bid has a fixed price ``P`` and an
alliance share ``s``; the pool ``P·(1 − s)`` is split by actual hours when the work ends, either so
that every member earns the same effective rate (``equal_rate``) or so that every member's standard
rate scales by the same factor (``rate_weighted``). Payouts are rounded to cents by largest
remainder so they add up to the pool exactly: a settlement statement that is a cent off is one that
the members cannot approve and that the lead cannot pay out.

Arithmetic inside is exact (``fractions.Fraction``): a third of a pool has no exact ``Decimal``, and
the largest-remainder rule compares remainders, so an approximation could hand the last cent to
the wrong member. Rounding happens only in ``to_cent`` (one amount, half up) and
``to_cents_largest_remainder`` (a split that must hit a total): docs/architecture.md, house rule
7. Floats are refused everywhere, never converted: ``0.1 + 0.2 != 0.3`` is not a property money may
have.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

EQUAL_RATE = "equal_rate"
RATE_WEIGHTED = "rate_weighted"
SPLIT_MODES = (EQUAL_RATE, RATE_WEIGHTED)

# The alliance never takes more than half of a bid's price.
MAX_ALLIANCE_SHARE_PERCENT = 50

CENTS_PER_UNIT = 100


# --- rounding: the only two places where money is rounded ---------------------------------------


def to_cent(amount: Decimal | Fraction | int) -> Decimal:
    """``amount`` rounded to the cent, halves away from zero (0.845 → 0.85).

    Half up rather than Python's default half-even because the agreement document is read by
    people who learnt rounding at school; a planned rate that rounds 0.845 to 0.84 invites a
    question nobody needs. Used for single derived figures (pool, blended and effective rates);
    a split that must add up uses ``to_cents_largest_remainder`` instead.
    """
    cents_exact = Fraction(amount) * CENTS_PER_UNIT
    cents = math.floor(abs(cents_exact) + Fraction(1, 2))
    return _from_cents(-cents if cents_exact < 0 else cents)


def to_cents_largest_remainder(
    amounts: Sequence[Decimal | Fraction | int], total_cents: int
) -> list[Decimal]:
    """Split ``total_cents`` in proportion to ``amounts``, in cents that add up to it exactly.

    ``amounts`` are the exact shares (or any non-negative numbers proportional to them: hours,
    or hours × rate). Each share is first rounded down to the cent; the cents left over go one
    each to the shares with the largest remainders (Hamilton's method), so every result is within
    one cent of its exact share and the results always add up to the total. Rounding each share
    on its own would not: 100.00 over three is 33.33 × 3 = 99.99.

    Ties between equal remainders go to the larger exact share, then to the earlier position, so
    the same inputs always give the same cents and a statement can be recomputed and checked.
    """
    if isinstance(total_cents, bool) or not isinstance(total_cents, int) or total_cents < 0:
        raise ValueError(f"total_cents must be a whole number of cents ≥ 0, got {total_cents!r}")
    if not amounts:
        raise ValueError("there is nothing to split the total among: amounts is empty")
    weights = [
        _exact(amount, f"amounts[{index}]", allow_fraction=True)
        for index, amount in enumerate(amounts)
    ]
    for index, weight in enumerate(weights):
        if weight < 0:
            raise ValueError(f"amounts[{index}] must not be negative, got {amounts[index]}")
    weight_total = sum(weights, Fraction(0))
    if weight_total == 0:
        if total_cents == 0:
            return [_from_cents(0) for _ in weights]
        raise ValueError(
            f"cannot split {total_cents} cents in proportion to amounts that are all 0"
        )

    exact_cents = [total_cents * weight / weight_total for weight in weights]
    cents = [math.floor(share) for share in exact_cents]
    # The fractional parts add up to a whole number below len(amounts): the cents still to give.
    cents_left = total_cents - sum(cents)
    by_claim = sorted(
        range(len(weights)),
        key=lambda index: (-(exact_cents[index] - cents[index]), -exact_cents[index], index),
    )
    for index in by_claim[:cents_left]:
        cents[index] += 1
    return [_from_cents(amount) for amount in cents]


# --- the agreement's figures ------------------------------------------------------------------


def split_pool(
    pool: Decimal | int, shares: Sequence[tuple[Decimal | int, Decimal | int]], mode: str
) -> list[Decimal]:
    """Each member's payout from the pool, in the order of ``shares``; they add up to ``pool``.

    ``shares`` are ``(actual hours, standard rate)`` pairs. ``equal_rate`` pays in proportion to
    hours, so everyone earns ``pool / Σh`` an hour; ``rate_weighted`` pays in proportion to
    hours × standard rate, so everyone earns their own rate times ``pool / Σ(h·r)``. Either way
    an overrun or an early finish moves every member's effective rate by the same factor: that is
    the shared risk the members sign up for.

    Raises ``ValueError`` for an unknown mode, a pool that is negative or has fractions of a cent
    (refused rather than rounded: the pool comes from ``pool_after_share`` already in cents, and
    quietly dropping a fraction would make the payouts add up to something other than what was
    agreed), no members, hours ≤ 0 (a member who worked no hours has nothing to settle and would
    otherwise divide by zero in their effective rate), a negative rate, ``rate_weighted`` with
    every rate 0 (nothing to weigh by), and floats anywhere. ``int`` is accepted as exact.
    """
    _check_mode(mode)
    return _split(_pool_cents(pool), _member_terms(shares), mode)


def worked_example(
    pool: Decimal | int,
    shares: Sequence[tuple[Decimal | int, Decimal | int]],
    mode: str,
    factor: Decimal | int,
) -> list[Decimal]:
    """The payouts if every member's hours came out ``factor`` times the estimate.

    The agreement document shows a 20 % overrun (``Decimal("1.2")``) and a 20 % early finish
    (``Decimal("0.8")``) before anyone signs, computed by the same split that will settle the
    bid, not by a formula typed into a template. Because the price is fixed and both modes split
    in proportion to hours, a uniform change leaves every payout as it was and moves every
    effective rate by ``1 / factor``: the document should show both columns so members see what
    they are agreeing to.
    """
    _check_mode(mode)
    scale = _exact(factor, "factor")
    if scale <= 0:
        raise ValueError(f"factor must be above 0, got {factor}")
    members = [(hours * scale, rate) for hours, rate in _member_terms(shares)]
    return _split(_pool_cents(pool), members, mode)


def pool_after_share(price: Decimal | int, share_percent: Decimal | int) -> Decimal:
    """The pool the team splits: ``price · (1 − share_percent / 100)``, half up to the cent.

    ``share_percent`` is the alliance's share in percent (``Decimal("10")`` is 10 %), from 0 to
    ``MAX_ALLIANCE_SHARE_PERCENT``; the price must be above 0 because a bid for nothing has no
    agreement to sign.
    """
    price_exact = _exact(price, "price")
    if price_exact <= 0:
        raise ValueError(f"price must be above 0, got {price}")
    share = _exact(share_percent, "share_percent")
    if not 0 <= share <= MAX_ALLIANCE_SHARE_PERCENT:
        raise ValueError(
            f"share_percent must be between 0 and {MAX_ALLIANCE_SHARE_PERCENT}, got {share_percent}"
        )
    return to_cent(price_exact * (1 - share / 100))


def planned_blended_rate(pool: Decimal | int, estimated_hours_total: Decimal | int) -> Decimal:
    """What the team earns an hour if the estimate holds: ``pool / Σ estimated hours``, to the cent.

    Shown on the agreement before anyone signs, so members compare it with their own
    standard rate. Under ``equal_rate`` it is every member's planned effective rate.
    """
    pool_exact = _exact(pool, "pool")
    if pool_exact < 0:
        raise ValueError(f"pool must not be negative, got {pool}")
    hours = _exact(estimated_hours_total, "estimated_hours_total")
    if hours <= 0:
        raise ValueError(f"estimated_hours_total must be above 0, got {estimated_hours_total}")
    return to_cent(pool_exact / hours)


def effective_rate(payout: Decimal | int, hours: Decimal | int) -> Decimal:
    """What a member earned an hour, ``payout / hours`` to the cent, for the statement."""
    payout_exact = _exact(payout, "payout")
    if payout_exact < 0:
        raise ValueError(f"payout must not be negative, got {payout}")
    hours_exact = _exact(hours, "hours")
    if hours_exact <= 0:
        raise ValueError(f"hours must be above 0, got {hours}")
    return to_cent(payout_exact / hours_exact)


def settle(
    pool: Decimal | int, members: Sequence[tuple[Decimal | int, Decimal | int]], mode: str
) -> list[tuple[Decimal, Decimal | None]]:
    """Each member's ``(payout, effective rate)`` when the work closes, in the order given.

    ``members`` are ``(actual hours, standard rate)`` pairs as for ``split_pool``, except that a
    member may have logged no hours at all: they are paid nothing and have no effective rate
    (``None``), and the pool is split among the others. Raises ``ValueError`` when nobody logged
    any hours (there is nothing to split by) and for everything ``split_pool`` refuses.
    """
    _check_mode(mode)
    # Every member is checked, the idle ones too: a negative or float figure is a mistake to
    # report, not a reason to pay someone nothing.
    for index, member in enumerate(members):
        try:
            hours, rate = member
        except (TypeError, ValueError):
            raise ValueError(
                f"members[{index}] must be an (hours, standard_rate) pair, got {member!r}"
            ) from None
        if _exact(hours, f"members[{index}] hours") < 0:
            raise ValueError(f"members[{index}] hours must not be negative, got {hours}")
        if _exact(rate, f"members[{index}] standard_rate") < 0:
            raise ValueError(f"members[{index}] standard_rate must not be negative, got {rate}")
    worked = [index for index, (hours, _rate) in enumerate(members) if _exact(hours, "hours") > 0]
    if not worked:
        raise ValueError("no hours logged: log the team's hours before settling")
    payouts = split_pool(pool, [members[index] for index in worked], mode)
    results: list[tuple[Decimal, Decimal | None]] = [(_from_cents(0), None)] * len(members)
    for index, payout in zip(worked, payouts, strict=True):
        results[index] = (payout, effective_rate(payout, members[index][0]))
    return results


def transfers_owed(
    collector: int | None, payouts: Sequence[Decimal], alliance_amount: Decimal
) -> list[tuple[int | None, Decimal]]:
    """Who the member at index ``collector`` owes once they collected the whole price.

    One ``(member index, amount)`` per other member with a payout above 0, then
    ``(None, alliance_amount)`` for the alliance's share when it is above 0. Nobody collected
    (``None``): no transfers, the client paid each member or the alliance paid out.
    """
    if collector is None:
        return []
    if isinstance(collector, bool) or not isinstance(collector, int):
        raise ValueError(f"collector must be a member's index, got {collector!r}")
    if not 0 <= collector < len(payouts):
        raise ValueError(f"collector {collector} is not one of the {len(payouts)} members")
    owed: list[tuple[int | None, Decimal]] = [
        (index, payout) for index, payout in enumerate(payouts) if index != collector and payout > 0
    ]
    if alliance_amount > 0:
        owed.append((None, alliance_amount))
    return owed


@dataclass(frozen=True)
class BelowCost:
    """A pool that pays the team less than their standard rates for the estimated hours."""

    pool: Decimal  # what the team splits
    cost: Decimal  # Σ estimated hours × standard rate, to the cent
    # pool ÷ cost in whole percent, rounded down so it never overstates what the team is paid:
    # 0 to 99 (0 when the pool is under 1 % of the cost).
    percent: int


def below_cost(
    pool: Decimal | int, shares: Sequence[tuple[Decimal | int, Decimal | int]]
) -> BelowCost | None:
    """How far the pool falls short of the team's cost at standard rates, or None when it does not.

    ``shares`` are ``(estimated hours, standard rate)`` pairs as for ``split_pool``. The cost is
    rounded to the cent first (``to_cent``) and the pool compared with that, so the warning never
    says "USD 100.00 of USD 100.00"; a team that charges nothing (every rate 0) has no cost to
    fall short of. The percentage is rounded down to a whole percent: 75.9 % shows as 75 %, and a
    pool a cent short of the cost as 99 %, never 100 %.
    """
    pool_exact = _exact(pool, "pool")
    if pool_exact < 0:
        raise ValueError(f"pool must not be negative, got {pool}")
    cost = to_cent(sum((hours * rate for hours, rate in _member_terms(shares)), Fraction(0)))
    if cost == 0 or pool_exact >= Fraction(cost):
        return None
    percent = math.floor(pool_exact * 100 / Fraction(cost))
    return BelowCost(pool=to_cent(pool_exact), cost=cost, percent=percent)


def below_cost_of_terms(terms: dict) -> BelowCost | None:
    """``below_cost`` for an agreement version's figures (``AgreementVersion.terms``, written by
    ``intake.bids.terms.agreement_terms``: the pool and each member's estimated hours and
    standard rate, as strings of two decimals)."""
    members = terms.get("members") or []
    if not members:
        return None
    return below_cost(
        Decimal(terms["pool"]),
        [
            (Decimal(member["estimated_hours"]), Decimal(member["standard_rate"]))
            for member in members
        ],
    )


# --- inside ----------------------------------------------------------------------------------


def _split(pool_cents: int, members: list[tuple[Fraction, Fraction]], mode: str) -> list[Decimal]:
    if mode == EQUAL_RATE:
        weights = [hours for hours, _rate in members]
    else:
        weights = [hours * rate for hours, rate in members]
        if sum(weights) == 0:
            raise ValueError(
                "rate_weighted needs at least one member with a standard rate above 0: "
                "with every rate 0 there is nothing to weigh the pool by"
            )
    return to_cents_largest_remainder(weights, pool_cents)


def _check_mode(mode: str) -> None:
    if mode not in SPLIT_MODES:
        raise ValueError(f"unknown split mode {mode!r}; expected one of {', '.join(SPLIT_MODES)}")


def _pool_cents(pool: Decimal | int) -> int:
    """The pool as a whole number of cents; refused if negative or finer than a cent."""
    cents = _exact(pool, "pool") * CENTS_PER_UNIT
    if cents < 0:
        raise ValueError(f"pool must not be negative, got {pool}")
    if cents.denominator != 1:
        raise ValueError(f"pool must be a whole number of cents, got {pool}")
    return int(cents)


def _member_terms(
    shares: Sequence[tuple[Decimal | int, Decimal | int]],
) -> list[tuple[Fraction, Fraction]]:
    """``shares`` checked and made exact: hours above 0, rates not negative."""
    if not shares:
        raise ValueError("no members: an agreement needs at least one member to pay")
    members = []
    for index, share in enumerate(shares):
        try:
            hours, rate = share
        except (TypeError, ValueError):
            raise ValueError(
                f"shares[{index}] must be an (hours, standard_rate) pair, got {share!r}"
            ) from None
        hours_exact = _exact(hours, f"shares[{index}] hours")
        if hours_exact <= 0:
            raise ValueError(f"shares[{index}] hours must be above 0, got {hours}")
        rate_exact = _exact(rate, f"shares[{index}] standard_rate")
        if rate_exact < 0:
            raise ValueError(f"shares[{index}] standard_rate must not be negative, got {rate}")
        members.append((hours_exact, rate_exact))
    return members


def _exact(value: object, name: str, *, allow_fraction: bool = False) -> Fraction:
    """``value`` as an exact fraction; floats (and bools, and NaN or infinite Decimals) refused."""
    allowed = (Decimal, int, Fraction) if allow_fraction else (Decimal, int)
    if isinstance(value, bool) or not isinstance(value, allowed):
        raise ValueError(
            f"{name} must be a Decimal or an int, not {type(value).__name__} {value!r}: "
            "floats are never money"
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value}")
    return Fraction(value)


def _from_cents(cents: int) -> Decimal:
    """A whole number of cents as a ``Decimal`` with exactly two places (``1234`` → ``12.34``)."""
    return Decimal(cents).scaleb(-2)

"""The money of shared-risk rate agreements (``intake/agreements.py``): worked examples, every
refusal, and the properties of docs/architecture.md checked by hypothesis.

The properties compare rounded payouts with the exact split in ``Fraction``s, so the tolerances
below are proofs, not fudge factors: largest-remainder rounding puts every payout strictly within
one cent of its exact share, and each tolerance is what that one cent becomes after dividing by
hours (an effective rate) or multiplying by a rate (a ratio of rates).
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake.bids.money import (
    EQUAL_RATE,
    RATE_WEIGHTED,
    effective_rate,
    planned_blended_rate,
    pool_after_share,
    settle,
    split_pool,
    to_cent,
    to_cents_largest_remainder,
    transfers_owed,
    worked_example,
)

D = Decimal
ONE_CENT = Fraction(1, 100)

# --- worked examples -----------------------------------------------------------------------


def test_equal_rate_pays_in_proportion_to_hours_whatever_the_rates():
    payouts = split_pool(D("1000.00"), [(D("10"), D("50.00")), (D("30"), D("120.00"))], EQUAL_RATE)

    assert payouts == [D("250.00"), D("750.00")]


def test_equal_rate_with_equal_hours_pays_everyone_the_same():
    shares = [(D("12.5"), D("80.00")), (D("12.5"), D("95.00")), (D("12.5"), D("60.00"))]

    assert split_pool(D("3000.00"), shares, EQUAL_RATE) == [D("1000.00")] * 3


def test_rate_weighted_split_worked_by_hand():
    """Σ h·r = 40·100 + 20·150 + 10·80 = 7800; the scale factor is 9000/7800 = 1.1538…

    Exact shares 4615.3846…, 3461.5384…, 923.0769… round down to 4615.38 + 3461.53 + 923.07 =
    8999.98; the two cents left go to the largest remainders (.84 and .69 of a cent, not .46).
    """
    shares = [(D("40"), D("100.00")), (D("20"), D("150.00")), (D("10"), D("80.00"))]

    payouts = split_pool(D("9000.00"), shares, RATE_WEIGHTED)

    assert payouts == [D("4615.38"), D("3461.54"), D("923.08")]
    # Every standard rate scaled by the same 1.1538…
    assert [effective_rate(p, h) for p, (h, _r) in zip(payouts, shares, strict=True)] == [
        D("115.38"),
        D("173.08"),
        D("92.31"),
    ]


def test_remainder_cent_goes_to_the_earlier_member_when_shares_are_equal():
    shares = [(D("1"), D("0"))] * 3

    assert split_pool(D("100.00"), shares, EQUAL_RATE) == [D("33.34"), D("33.33"), D("33.33")]


def test_equal_remainders_go_first_to_the_larger_exact_share():
    """Two cents over 1 and 3 hours: exact 0.5 and 1.5 cents, both remainders a half."""
    shares = [(D("1"), D("0")), (D("3"), D("0"))]

    assert split_pool(D("0.02"), shares, EQUAL_RATE) == [D("0.00"), D("0.02")]


def test_payouts_always_carry_two_decimal_places():
    payouts = split_pool(D("100"), [(D("1"), D("0")), (D("3"), D("0"))], EQUAL_RATE)

    assert [str(p) for p in payouts] == ["25.00", "75.00"]


def test_an_empty_pool_pays_zero_to_everyone():
    shares = [(D("3"), D("90.00")), (D("5"), D("70.00"))]

    assert split_pool(D("0.00"), shares, RATE_WEIGHTED) == [D("0.00"), D("0.00")]


def test_rate_weighted_pays_nothing_to_a_member_whose_standard_rate_is_zero():
    """A member who volunteered pro bono inside a paid team keeps to that under rate_weighted."""
    shares = [(D("10"), D("0")), (D("10"), D("100.00"))]

    assert split_pool(D("1500.00"), shares, RATE_WEIGHTED) == [D("0.00"), D("1500.00")]


def test_ints_are_exact_and_accepted():
    assert split_pool(100, [(1, 0), (1, 0)], EQUAL_RATE) == [D("50.00"), D("50.00")]


def test_a_pool_written_with_more_places_is_accepted_when_it_is_whole_cents():
    assert split_pool(D("10.000"), [(D("1"), D("1"))], EQUAL_RATE) == [D("10.00")]


def test_a_uniform_overrun_keeps_payouts_and_lowers_effective_rates_by_the_factor():
    shares = [(D("40"), D("100.00")), (D("20"), D("150.00")), (D("10"), D("80.00"))]
    planned = split_pool(D("9000.00"), shares, RATE_WEIGHTED)

    overrun = worked_example(D("9000.00"), shares, RATE_WEIGHTED, D("1.2"))
    early = worked_example(D("9000.00"), shares, RATE_WEIGHTED, D("0.8"))

    # The price is fixed, so the pool and each member's part of it stay; the hours change.
    assert overrun == planned
    assert early == planned
    assert effective_rate(overrun[0], D("48")) == D("96.15")  # 115.38 / 1.2
    assert effective_rate(early[0], D("32")) == D("144.23")  # 115.38 / 0.8


def test_pool_after_share_takes_the_alliance_share_off_the_price():
    assert pool_after_share(D("10000.00"), D("10")) == D("9000.00")
    assert pool_after_share(D("10000.00"), D("0")) == D("10000.00")
    assert pool_after_share(D("10000.00"), 50) == D("5000.00")
    assert pool_after_share(D("999.99"), D("12.5")) == D("874.99")  # 874.99125


def test_pool_after_share_rounds_halves_up():
    assert pool_after_share(D("1.30"), D("35")) == D("0.85")  # 0.845; half-even would say 0.84


def test_planned_blended_rate_is_pool_over_estimated_hours():
    assert planned_blended_rate(D("9000.00"), D("70")) == D("128.57")
    assert planned_blended_rate(D("100.00"), D("8")) == D("12.50")
    assert planned_blended_rate(D("0.01"), D("2")) == D("0.01")  # 0.005 rounds up


def test_to_cent_rounds_halves_away_from_zero():
    assert to_cent(Fraction(1, 200)) == D("0.01")
    assert to_cent(Fraction(-1, 200)) == D("-0.01")
    assert to_cent(D("2.344999")) == D("2.34")


def test_largest_remainder_accepts_amounts_that_already_add_up():
    amounts = [D("33.333"), D("33.333"), D("33.334")]

    assert to_cents_largest_remainder(amounts, 10000) == [D("33.33"), D("33.33"), D("33.34")]


# --- refusals ------------------------------------------------------------------------------

GOOD_SHARES = [(D("10"), D("100.00")), (D("5"), D("80.00"))]


@pytest.mark.parametrize(
    ("pool", "shares", "mode", "message"),
    [
        (D("-0.01"), GOOD_SHARES, EQUAL_RATE, "pool must not be negative"),
        (D("100.005"), GOOD_SHARES, EQUAL_RATE, "whole number of cents"),
        (100.0, GOOD_SHARES, EQUAL_RATE, "floats are never money"),
        (D("NaN"), GOOD_SHARES, EQUAL_RATE, "finite"),
        (D("Infinity"), GOOD_SHARES, EQUAL_RATE, "finite"),
        (True, GOOD_SHARES, EQUAL_RATE, "Decimal or an int"),
        ("100.00", GOOD_SHARES, EQUAL_RATE, "Decimal or an int"),
        (D("100.00"), [], EQUAL_RATE, "no members"),
        (D("100.00"), [(D("0"), D("100"))], EQUAL_RATE, r"shares\[0\] hours must be above 0"),
        (D("100.00"), [*GOOD_SHARES, (D("-1"), D("1"))], RATE_WEIGHTED, r"shares\[2\] hours"),
        (D("100.00"), [(D("1"), D("-0.01"))], EQUAL_RATE, "must not be negative"),
        (D("100.00"), [(1.5, D("100"))], EQUAL_RATE, "floats are never money"),
        (D("100.00"), [(D("1"), 99.5)], RATE_WEIGHTED, "floats are never money"),
        (D("100.00"), [(D("1"), D("0")), (D("2"), D("0"))], RATE_WEIGHTED, "nothing to weigh"),
        (D("100.00"), [(D("1"),)], EQUAL_RATE, "pair"),
        (D("100.00"), [D("1")], EQUAL_RATE, "pair"),
        (D("100.00"), GOOD_SHARES, "by_seniority", "unknown split mode"),
    ],
)
def test_split_pool_refuses_bad_input(pool, shares, mode, message):
    with pytest.raises(ValueError, match=message):
        split_pool(pool, shares, mode)


@pytest.mark.parametrize(
    ("factor", "message"),
    [(D("0"), "above 0"), (D("-1.2"), "above 0"), (1.2, "floats are never money")],
)
def test_worked_example_refuses_a_factor_that_is_not_above_zero_or_is_a_float(factor, message):
    with pytest.raises(ValueError, match=message):
        worked_example(D("100.00"), GOOD_SHARES, EQUAL_RATE, factor)


def test_worked_example_checks_its_terms_like_split_pool():
    with pytest.raises(ValueError, match="unknown split mode"):
        worked_example(D("100.00"), GOOD_SHARES, "equal", D("1.2"))
    with pytest.raises(ValueError, match="hours must be above 0"):
        worked_example(D("100.00"), [(D("0"), D("1"))], EQUAL_RATE, D("1.2"))


@pytest.mark.parametrize(
    ("price", "share_percent", "message"),
    [
        (D("0"), D("10"), "price must be above 0"),
        (D("-100.00"), D("10"), "price must be above 0"),
        (D("100.00"), D("-0.01"), "between 0 and 50"),
        (D("100.00"), D("50.01"), "between 0 and 50"),
        (100.0, D("10"), "floats are never money"),
        (D("100.00"), 10.0, "floats are never money"),
    ],
)
def test_pool_after_share_refuses_bad_input(price, share_percent, message):
    with pytest.raises(ValueError, match=message):
        pool_after_share(price, share_percent)


@pytest.mark.parametrize(
    ("pool", "hours", "message"),
    [
        (D("-1.00"), D("10"), "pool must not be negative"),
        (D("100.00"), D("0"), "above 0"),
        (D("100.00"), 7.5, "floats are never money"),
    ],
)
def test_planned_blended_rate_refuses_bad_input(pool, hours, message):
    with pytest.raises(ValueError, match=message):
        planned_blended_rate(pool, hours)


@pytest.mark.parametrize(
    ("payout", "hours", "message"),
    [(D("-1.00"), D("1"), "must not be negative"), (D("1.00"), D("0"), "above 0")],
)
def test_effective_rate_refuses_bad_input(payout, hours, message):
    with pytest.raises(ValueError, match=message):
        effective_rate(payout, hours)


@pytest.mark.parametrize(
    ("amounts", "total_cents", "message"),
    [
        ([D("1")], -1, "total_cents"),
        ([D("1")], D("1"), "total_cents"),
        ([], 100, "empty"),
        ([D("1"), D("-1")], 100, "must not be negative"),
        ([D("0"), D("0")], 100, "all 0"),
        ([0.5, 0.5], 100, "floats are never money"),
    ],
)
def test_largest_remainder_refuses_bad_input(amounts, total_cents, message):
    with pytest.raises(ValueError, match=message):
        to_cents_largest_remainder(amounts, total_cents)


def test_largest_remainder_gives_zeros_when_there_is_nothing_to_split():
    assert to_cents_largest_remainder([D("0"), D("0")], 0) == [D("0.00"), D("0.00")]


# --- properties ----------------------------------------------------------------------------

# 200 examples a property keeps the file to a few seconds; no deadline, so a slow CI machine
# does not turn into a flaky failure.
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

# Money is built from whole cents and hours from quarter hours, so every input is exact; the pool
# runs from 0.00 to 1,000,000.00, rates from 1.00 to 500.00, hours from 0.25 to 300.
# Pools of a few cents are drawn often: there every cent is a large part of a payout, which is
# where a wrong rounding rule shows.
pools = st.one_of(
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100_000_000),
).map(lambda cents: D(cents) / 100)
hours = st.integers(min_value=1, max_value=4 * 300).map(lambda quarters: D(quarters) / 4)
rates = st.integers(min_value=100, max_value=50_000).map(lambda cents: D(cents) / 100)
member_shares = st.lists(st.tuples(hours, rates), min_size=1, max_size=8)
modes = st.sampled_from([EQUAL_RATE, RATE_WEIGHTED])


def effective_rates(payouts, shares):
    """Exact payout per hour, so a tolerance is never eaten by rounding in the check itself."""
    return [Fraction(p) / Fraction(h) for p, (h, _r) in zip(payouts, shares, strict=True)]


@PROPERTY_SETTINGS
@given(pool=pools, shares=member_shares, mode=modes)
def test_payouts_add_up_to_the_pool_exactly(pool, shares, mode):
    assert sum(split_pool(pool, shares, mode)) == pool


@PROPERTY_SETTINGS
@given(pool=pools, shares=member_shares, mode=modes)
def test_payouts_are_never_negative_and_whole_cents(pool, shares, mode):
    for payout in split_pool(pool, shares, mode):
        assert payout >= 0
        assert (Fraction(payout) * 100).denominator == 1
        assert payout.as_tuple().exponent == -2


@PROPERTY_SETTINGS
@given(pool=pools, shares=member_shares)
def test_equal_rate_pays_everyone_the_same_rate_within_a_cent_of_their_hours(pool, shares):
    """|payout − exact| < 1 cent, so |payout/h − pool/Σh| < 0.01/h: a cent spread over h hours.

    For a member with an hour or more that is under a cent an hour; for a quarter-hour member it
    can be up to 4 cents an hour, which is one cent of money and cannot be avoided.
    """
    payouts = split_pool(pool, shares, EQUAL_RATE)
    common_rate = Fraction(pool) / sum(Fraction(h) for h, _r in shares)

    for rate, (h, _r) in zip(effective_rates(payouts, shares), shares, strict=True):
        assert abs(rate - common_rate) < ONE_CENT / Fraction(h)


@PROPERTY_SETTINGS
@given(pool=pools, shares=member_shares)
def test_rate_weighted_keeps_the_ratio_of_standard_rates(pool, shares):
    """eᵢ/eⱼ = rᵢ/rⱼ within rounding, checked cross-multiplied as eᵢ·rⱼ − eⱼ·rᵢ ≈ 0.

    Exactly, eᵢ = k·rᵢ + δᵢ/hᵢ with k = pool/Σ(h·r) and |δᵢ| < 1 cent, so
    eᵢ·rⱼ − eⱼ·rᵢ = δᵢ·rⱼ/hᵢ − δⱼ·rᵢ/hⱼ and |eᵢ·rⱼ − eⱼ·rᵢ| < 0.01·(rⱼ/hᵢ + rᵢ/hⱼ).
    Cross-multiplying avoids dividing by an effective rate that rounds to zero on a tiny pool.
    """
    payouts = split_pool(pool, shares, RATE_WEIGHTED)
    paid_rates = effective_rates(payouts, shares)
    scale = Fraction(pool) / sum(Fraction(h) * Fraction(r) for h, r in shares)

    for i, (h_i, r_i) in enumerate(shares):
        h_i, r_i = Fraction(h_i), Fraction(r_i)
        # The same statement per member: every standard rate scaled by one factor.
        assert abs(paid_rates[i] - scale * r_i) < ONE_CENT / h_i
        for j, (h_j, r_j) in enumerate(shares):
            h_j, r_j = Fraction(h_j), Fraction(r_j)
            tolerance = ONE_CENT * (r_j / h_i + r_i / h_j)
            assert abs(paid_rates[i] * r_j - paid_rates[j] * r_i) < tolerance


@PROPERTY_SETTINGS
@given(
    pool=pools,
    shares=member_shares,
    mode=modes,
    member=st.integers(min_value=0, max_value=7),
    extra_quarters=st.integers(min_value=1, max_value=4 * 100),
)
def test_more_hours_never_means_less_pay(pool, shares, mode, member, extra_quarters):
    """One member's hours go up, the others' and the pool stay: their payout may tie, never drop.

    Why it holds for largest remainder: their exact share rises and everyone else's falls. If
    their rounded-down cents rise, they already have at least what they had. If not, their
    remainder grew; another member can newly outrank them only if that member's rounded-down
    cents fell (a shrinking share otherwise shrinks its remainder), and each such fall also adds
    one cent to the cents left over, so they keep the extra cent if they had it.
    """
    member %= len(shares)
    more = list(shares)
    h, r = more[member]
    more[member] = (h + D(extra_quarters) / 4, r)

    before = split_pool(pool, shares, mode)[member]
    after = split_pool(pool, more, mode)[member]

    assert after >= before


@PROPERTY_SETTINGS
@given(
    pool=pools,
    shares=member_shares,
    mode=modes,
    factor=st.integers(min_value=50, max_value=200).map(lambda percent: D(percent) / 100),
)
def test_an_overrun_lowers_every_effective_rate_by_the_same_factor(pool, shares, mode, factor):
    """Hours × f with the same pool: every exact effective rate is divided by f exactly.

    Each rounded rate is within 0.01/hᵢ of its exact value before and within 0.01/(f·hᵢ) after;
    multiplying the latter by f gives 0.01/hᵢ again, so |f·eᵢ' − eᵢ| < 0.02/hᵢ.
    """
    scaled = [(h * factor, r) for h, r in shares]
    before = effective_rates(split_pool(pool, shares, mode), shares)
    after = effective_rates(worked_example(pool, shares, mode, factor), scaled)

    for rate_before, rate_after, (h, _r) in zip(before, after, shares, strict=True):
        assert abs(Fraction(factor) * rate_after - rate_before) < 2 * ONE_CENT / Fraction(h)


@PROPERTY_SETTINGS
@given(
    pool=pools,
    shares=member_shares,
    mode=modes,
    factor=st.integers(min_value=50, max_value=200).map(lambda percent: D(percent) / 100),
)
def test_a_uniform_change_of_hours_leaves_every_payout_unchanged(pool, shares, mode, factor):
    """Stronger than the tolerance above: scaling every weight by f leaves the exact shares, and
    so the remainders and their order, exactly as they were."""
    assert worked_example(pool, shares, mode, factor) == split_pool(pool, shares, mode)


# --- settle: the split when the work closes ----------------------------------------------------


def test_settle_pays_a_member_with_no_hours_nothing_and_gives_them_no_rate():
    members = [(D("30"), D("100.00")), (D("0"), D("80.00")), (D("10"), D("60.00"))]

    results = settle(D("4000.00"), members, EQUAL_RATE)

    assert results == [(D("3000.00"), D("100.00")), (D("0.00"), None), (D("1000.00"), D("100.00"))]


def test_settle_splits_among_the_members_who_worked_as_split_pool_would():
    members = [(D("0"), D("500.00")), (D("40"), D("100.00")), (D("20"), D("150.00"))]

    results = settle(D("9000.00"), members, RATE_WEIGHTED)

    workers = split_pool(D("9000.00"), members[1:], RATE_WEIGHTED)
    assert [payout for payout, _rate in results] == [D("0.00"), *workers]
    assert [rate for _payout, rate in results] == [None, D("128.57"), D("192.86")]


def test_settle_with_everyone_idle_but_one_pays_them_the_whole_pool():
    members = [(D("0"), D("1")), (D("0.25"), D("0")), (D("0"), D("1"))]

    assert settle(D("100.00"), members, EQUAL_RATE) == [
        (D("0.00"), None),
        (D("100.00"), D("400.00")),
        (D("0.00"), None),
    ]


@pytest.mark.parametrize(
    ("members", "mode", "message"),
    [
        ([(D("0"), D("100")), (D("0"), D("80"))], EQUAL_RATE, "no hours logged"),
        ([], EQUAL_RATE, "no hours logged"),
        (GOOD_SHARES, "by_seniority", "unknown split mode"),
        ([(D("5"), D("0")), (D("0"), D("100"))], RATE_WEIGHTED, "nothing to weigh"),
        ([(5.0, D("100"))], EQUAL_RATE, "floats are never money"),
        ([(D("5"), D("-1"))], EQUAL_RATE, "must not be negative"),
    ],
)
def test_settle_refuses_bad_input(members, mode, message):
    with pytest.raises(ValueError, match=message):
        settle(D("100.00"), members, mode)


@pytest.mark.parametrize(
    "members",
    [
        [(D("-1"), D("100")), (D("5"), D("100"))],
        [(D("0"), D("-100")), (D("5"), D("100"))],
        [(D("0"), 99.5), (D("5"), D("100"))],
    ],
    ids=["negative_hours", "negative_rate_when_idle", "float_rate_when_idle"],
)
def test_settle_checks_every_member_even_those_who_logged_nothing(members):
    with pytest.raises(ValueError):
        settle(D("100.00"), members, EQUAL_RATE)


# --- transfers_owed: what the member who collected the price passes on -------------------------


def test_the_collector_owes_each_other_paid_member_then_the_alliance():
    payouts = [D("3000.00"), D("2500.00"), D("0.00"), D("1500.00")]

    assert transfers_owed(1, payouts, D("700.00")) == [
        (0, D("3000.00")),
        (3, D("1500.00")),
        (None, D("700.00")),
    ]


def test_nobody_collected_means_no_transfers():
    assert transfers_owed(None, [D("1.00"), D("2.00")], D("5.00")) == []


def test_no_alliance_share_means_no_transfer_to_the_alliance():
    assert transfers_owed(0, [D("1.00"), D("2.00")], D("0.00")) == [(1, D("2.00"))]


def test_a_collector_alone_on_the_pool_owes_only_the_alliance():
    assert transfers_owed(0, [D("90.00"), D("0.00")], D("10.00")) == [(None, D("10.00"))]


@pytest.mark.parametrize("collector", [-1, 2, 99])
def test_transfers_owed_refuses_a_collector_who_is_not_a_member(collector):
    with pytest.raises(ValueError, match="not one of the 2 members"):
        transfers_owed(collector, [D("1.00"), D("2.00")], D("0"))


# Members who may have logged nothing: a quarter of the draws are idle, at least one works.
settle_members = st.lists(
    st.tuples(st.one_of(st.just(D("0")), hours, hours, hours), rates), min_size=1, max_size=8
).filter(lambda members: any(h > 0 for h, _r in members))


@PROPERTY_SETTINGS
@given(pool=pools, members=settle_members, mode=modes)
def test_settled_payouts_add_up_to_the_pool_and_idle_members_get_nothing(pool, members, mode):
    results = settle(pool, members, mode)

    assert sum(payout for payout, _rate in results) == pool
    for (payout, rate), (h, _r) in zip(results, members, strict=True):
        assert payout >= 0 and payout.as_tuple().exponent == -2
        if h == 0:
            assert (payout, rate) == (D("0.00"), None)
        else:
            assert rate == effective_rate(payout, h)


@PROPERTY_SETTINGS
@given(pool=pools, members=settle_members, mode=modes)
def test_settle_pays_the_workers_exactly_what_split_pool_pays_them(pool, members, mode):
    workers = [(h, r) for h, r in members if h > 0]

    paid = [payout for payout, rate in settle(pool, members, mode) if rate is not None]

    assert paid == split_pool(pool, workers, mode)


@PROPERTY_SETTINGS
@given(
    pool=pools,
    members=settle_members,
    mode=modes,
    collector=st.integers(min_value=0, max_value=7),
    alliance_cents=st.integers(min_value=0, max_value=100_000_000),
)
def test_the_collector_keeps_their_payout_and_passes_on_the_rest(
    pool, members, mode, collector, alliance_cents
):
    """Collected: the whole price (pool + alliance share). Passed on plus kept is the price."""
    collector %= len(members)
    alliance = D(alliance_cents) / 100
    payouts = [payout for payout, _rate in settle(pool, members, mode)]

    owed = transfers_owed(collector, payouts, alliance)

    assert sum(amount for _to, amount in owed) + payouts[collector] == pool + alliance
    assert all(amount > 0 for _to, amount in owed)
    assert collector not in [to for to, _amount in owed]
    assert [to for to, _amount in owed if to is not None] == sorted(
        index for index, payout in enumerate(payouts) if index != collector and payout > 0
    )

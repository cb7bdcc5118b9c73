"""The below-cost warning's arithmetic (``intake.bids.money.below_cost``): a pool that pays the
team less than their standard rates for the estimated hours, by how much, to the cent and the
whole percent. Pure: no database."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.bids.money import BelowCost, below_cost, below_cost_of_terms

D = Decimal


def test_a_pool_below_the_cost_says_by_how_much():
    # 80 h at 100 and 50 h at 80 cost 12,000.00; a price of 9,600 less a 5 % share pools 9,120.
    assert below_cost(D("9120.00"), [(D("80"), D("100")), (D("50"), D("80"))]) == BelowCost(
        pool=D("9120.00"), cost=D("12000.00"), percent=76
    )


@pytest.mark.parametrize("pool", [D("12000.00"), D("12000.01"), D("50000")])
def test_a_pool_at_or_above_the_cost_shows_nothing(pool):
    assert below_cost(pool, [(D("80"), D("100")), (D("50"), D("80"))]) is None


def test_a_team_that_charges_nothing_has_no_cost_to_fall_short_of():
    assert below_cost(D("0.00"), [(D("10"), D("0"))]) is None
    assert below_cost(D("500.00"), [(D("10"), D("0")), (D("5"), D("0"))]) is None


@pytest.mark.parametrize(
    ("pool", "percent"),
    [
        (D("7599.99"), 63),  # 63.33… % rounds down
        (D("9119.99"), 75),  # 75.99… % is not yet 76 %
        (D("11999.99"), 99),  # a cent short is 99 %, never 100 %
        (D("119.99"), 0),  # under 1 %
        (D("120.00"), 1),
    ],
)
def test_the_percentage_is_rounded_down_to_a_whole_percent(pool, percent):
    result = below_cost(pool, [(D("120"), D("100"))])
    assert result.percent == percent and result.cost == D("12000.00")


def test_the_cost_is_rounded_to_the_cent_half_up_before_it_is_compared():
    # 0.33 h at 10.01 is 3.3033: a cost of 3.30. A pool of 3.30 is not below it.
    assert below_cost(D("3.30"), [(D("0.33"), D("10.01"))]) is None
    # 0.25 h at 10.02 is 2.505: half up, 2.51. A pool of 2.50 is a cent short: 99 %.
    assert below_cost(D("2.50"), [(D("0.25"), D("10.02"))]) == BelowCost(
        pool=D("2.50"), cost=D("2.51"), percent=99
    )


def test_floats_and_negative_pools_are_refused():
    with pytest.raises(ValueError, match="floats are never money"):
        below_cost(9120.0, [(D("80"), D("100"))])
    with pytest.raises(ValueError, match="must not be negative"):
        below_cost(D("-1"), [(D("80"), D("100"))])
    with pytest.raises(ValueError, match="no members"):
        below_cost(D("1"), [])


def test_from_an_agreement_versions_figures():
    terms = {
        "pool": "9120.00",
        "members": [
            {"estimated_hours": "80.00", "standard_rate": "100.00"},
            {"estimated_hours": "50.00", "standard_rate": "80.00"},
        ],
    }
    assert below_cost_of_terms(terms).percent == 76
    assert below_cost_of_terms({**terms, "pool": "12000.00"}) is None
    assert below_cost_of_terms({"pool": "1.00", "members": []}) is None


cents = st.integers(min_value=1, max_value=10**9).map(lambda n: D(n).scaleb(-2))
hours = st.integers(min_value=1, max_value=100_000).map(lambda n: D(n).scaleb(-2))


# Drawing five Decimal pairs can be slow on a busy machine; the health check would then fail
# the test for the machine, not the code.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=cents, shares=st.lists(st.tuples(hours, cents), min_size=1, max_size=5))
def test_shown_exactly_when_the_pool_is_short_and_never_overstating_it(pool, shares):
    result = below_cost(pool, shares)
    exact_cost = sum((h * r for h, r in shares), D(0))
    cost = exact_cost.quantize(D("0.01"), rounding="ROUND_HALF_UP")
    if pool >= cost:
        assert result is None
    else:
        assert result.cost == cost and result.pool == pool
        assert 0 <= result.percent <= 99
        assert D(result.percent) <= pool * 100 / cost < D(result.percent + 1)

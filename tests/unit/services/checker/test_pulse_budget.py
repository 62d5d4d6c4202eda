"""The per-sweep request allowance derived from the platforms' limits and the operator reserve."""

import pytest

from services.checker.pulse_budget import pulse_allowances, sustained_rate, sweep_allowance
from shared.adapters.budget import BudgetPolicy, ConcurrencyLimit, LeakyBucket, WindowLimit
from shared.core.model import System

POLICY = BudgetPolicy(operator_reserve=0.2)


@pytest.mark.parametrize(
    ("limits", "rate"),
    [
        (
            [WindowLimit("burst", 190, 10.0, 1.0), WindowLimit("daily", 650_000, 86_400.0, 86_400.0)],
            650_000 / 86_400,
        ),
        (
            [WindowLimit("burst", 100, 10.0, 1.0), WindowLimit("search", 1, 1.0, 0.25, operation="search")],
            10.0,
        ),
        ([LeakyBucket("rest", 40, 2.0)], 2.0),
        ([ConcurrencyLimit("concurrency", 5, 60.0)], 5.0),
    ],
)
def test_sustained_rate_is_the_tightest_general_limit(limits: list[WindowLimit], rate: float) -> None:
    assert sustained_rate(limits) == pytest.approx(rate)


def test_allowance_keeps_the_operator_reserve_and_other_background_work_out() -> None:
    # 2 req/s x 0.8 (reserve) x 0.5 (pulse share) x 30 s
    assert (
        sweep_allowance([LeakyBucket("rest", 40, 2.0)], sweep_seconds=30, policy=POLICY, pulse_share=0.5)
        == 24
    )


def test_configured_allowances_override_the_derived_ones() -> None:
    allowances = pulse_allowances(
        sweep_seconds=30, policy=POLICY, pulse_share=0.5, overrides={System.NETSUITE: 7}
    )
    assert allowances[System.NETSUITE] == 7
    assert allowances[System.SHOPIFY] == 24
    assert allowances[System.HUBSPOT] == 90  # daily limit is the tightest: 7.52/s

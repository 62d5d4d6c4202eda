"""How many platform requests one pulse sweep may ask for, derived from the shared API budget.

The pulse does not call platforms itself: ingest serves its refresh requests and spends the shared
budget (``shared.adapters.budget``) as a *background* caller, so the operator reserve can never be
eaten by pulse reads. What the pulse must avoid is asking for more than that background share can
serve before the next sweep, or its requests would queue up in ingest, crowd out polling and
webhook hydration, and go stale. The budget offers no "capacity left" query that would answer for
the near future (it admits one call at a time), so each sweep gets an allowance:

    allowance = floor(sustained rate x (1 - operator_reserve) x pulse_share x sweep seconds)

where the sustained rate is the tightest limit's long-run rate (a window's limit / window, a leaky
bucket's leak rate, a concurrency cap's slots / typical request time). Bursts (a bucket's
capacity) are deliberately not counted: they belong to webhook hydration.
"""

import math
from collections.abc import Mapping, Sequence

from shared.adapters.budget import BudgetPolicy, ConcurrencyLimit, LeakyBucket, Limit, WindowLimit
from shared.adapters.platforms.settings import HubSpotSettings, NetSuiteSettings, ShopifySettings
from shared.core.model import System


def sustained_rate(limits: Sequence[Limit], *, request_seconds: float = 1.0) -> float:
    """Requests per second the tightest general limit allows in the long run (inf without limits).

    Operation-specific limits (HubSpot search) do not apply to refresh reads by id.
    """
    rates = [_rate(limit, request_seconds) for limit in limits if limit.operation is None]
    return min(rates, default=math.inf)


def _rate(limit: Limit, request_seconds: float) -> float:
    if isinstance(limit, WindowLimit):
        return limit.limit / limit.window
    if isinstance(limit, LeakyBucket):
        return limit.leak_per_second
    assert isinstance(limit, ConcurrencyLimit)  # noqa: S101 - Limit is a closed union
    return limit.slots / request_seconds


def sweep_allowance(
    limits: Sequence[Limit],
    *,
    sweep_seconds: float,
    policy: BudgetPolicy,
    pulse_share: float,
    request_seconds: float = 1.0,
) -> int:
    """Requests one sweep may ask of a platform with ``limits`` (see the module docstring)."""
    rate = sustained_rate(limits, request_seconds=request_seconds)
    if math.isinf(rate):
        raise ValueError("a platform without limits needs an explicit allowance")
    return math.floor(rate * (1 - policy.operator_reserve) * pulse_share * sweep_seconds)


def published_limits() -> dict[System, list[Limit]]:
    """The limits of the tiers PLATFORMS.md names, from the connector settings' defaults.

    For deployments that configure no per-platform allowance; an account with other limits sets
    ``PulseSettings.requests_per_sweep``.
    """
    hubspot, shopify, netsuite = (
        HubSpotSettings.model_fields,
        ShopifySettings.model_fields,
        NetSuiteSettings.model_fields,
    )
    return {
        System.HUBSPOT: [
            WindowLimit(
                "burst", hubspot["burst_limit"].default, hubspot["burst_window_seconds"].default, 1.0
            ),
            WindowLimit("daily", hubspot["daily_limit"].default, 86_400.0, 86_400.0),
        ],
        System.SHOPIFY: [
            LeakyBucket("rest", shopify["bucket_size"].default, shopify["leak_per_second"].default)
        ],
        System.NETSUITE: [ConcurrencyLimit("concurrency", netsuite["concurrency"].default, 60.0)],
    }


def pulse_allowances(
    *,
    sweep_seconds: float,
    policy: BudgetPolicy,
    pulse_share: float,
    overrides: Mapping[System, int],
    limits: Mapping[System, Sequence[Limit]] | None = None,
) -> dict[System, int]:
    """Per-platform allowance of one sweep: ``overrides`` where given, else derived from ``limits``."""
    derived = {
        system: sweep_allowance(
            platform_limits, sweep_seconds=sweep_seconds, policy=policy, pulse_share=pulse_share
        )
        for system, platform_limits in (limits or published_limits()).items()
    }
    return {**derived, **overrides}


__all__ = ["published_limits", "pulse_allowances", "sustained_rate", "sweep_allowance"]

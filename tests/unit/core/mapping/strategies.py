"""Hypothesis strategies for canonical field values already in normalised form.

``value_strategy(system, field)`` narrows a field's values to what that platform can express
(e.g. one address without a second line for HubSpot, won/lost for a deal stage).
"""

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import strategies as st

from shared.core.mapping.normalizers import normalize_name, normalize_stripped
from shared.core.model import Address, FinancialStatus, LifecycleStage, Money, System

DEFAULT_CURRENCY = "USD"
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÀÉ'-ABCXYZ0123456789", min_size=1, max_size=10)
NAMES = st.lists(_WORD, min_size=1, max_size=3).map(" ".join).map(normalize_name)
MULTILINE = st.text(alphabet="abc XYZ\n<>/.-", min_size=1, max_size=30).map(normalize_stripped).filter(bool)
SKUS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1, max_size=16)
EMAILS = st.builds(
    "{}@{}.example".format,
    st.text(alphabet="abcdefghij.0123_+", min_size=1, max_size=10).filter(
        lambda s: not s.startswith(".") and not s.endswith(".")
    ),
    SKUS.map(str.lower),
)
PHONES = st.sampled_from(["+16135550100", "+442079460958", "+33142685300", "+81312345678", "+12125550123"])
_REGIONS = {"CA": ["ON", "QC", "BC"], "US": ["NY", "CA", "TX"], "FR": ["IDF"], "DE": ["BY", "BE"]}


def money(currency: str = DEFAULT_CURRENCY) -> st.SearchStrategy[Money]:
    amounts = st.decimals(min_value=Decimal(0), max_value=Decimal(1_000_000), places=2)
    return amounts.map(lambda amount: Money(amount=amount, currency=currency).quantized())


@st.composite
def addresses(draw: st.DrawFn, *, second_line: bool = True) -> Address:
    country = draw(st.sampled_from([*_REGIONS, None]))
    region = draw(st.sampled_from([*_REGIONS[country], None])) if country else None
    return Address(
        line1=draw(NAMES),
        line2=draw(st.one_of(st.none(), NAMES)) if second_line else None,
        city=draw(st.one_of(st.none(), NAMES)),
        region=region,
        postal_code=draw(st.one_of(st.none(), SKUS)),
        country=country,
    )


# hypothesis takes naive bounds and attaches the timezone itself.
MILLISECOND_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))

_BY_FIELD: dict[str, st.SearchStrategy[object]] = {
    "first_name": NAMES,
    "last_name": NAMES,
    "company": NAMES,
    "tax_id": SKUS,
    "email": EMAILS,
    "customer_email": EMAILS,
    "phone": PHONES,
    "lifecycle_stage": st.sampled_from(LifecycleStage),
    "addresses": st.lists(addresses(), max_size=2).map(tuple),
    "credit_limit": money(),
    "sku": SKUS,
    "title": NAMES,
    "description": MULTILINE,
    "price": money(),
    "active": st.booleans(),
    "order_number": st.integers(1000, 99999).map("#{}".format),
    "total": money(),
    "placed_at": MILLISECOND_TIMES,
}

_BY_SYSTEM_FIELD: dict[tuple[System, str], st.SearchStrategy[object]] = {
    (System.HUBSPOT, "addresses"): st.lists(addresses(second_line=False), max_size=1).map(tuple),
    (System.HUBSPOT, "total"): st.sampled_from(["USD", "EUR", "JPY"]).flatmap(money),
    (System.HUBSPOT, "financial_status"): st.sampled_from([FinancialStatus.PAID, FinancialStatus.VOIDED]),
}

# Fields whose write-back cannot clear them (a deal always has a stage).
NEVER_ABSENT: frozenset[tuple[System, str]] = frozenset({(System.HUBSPOT, "financial_status")})


def value_strategy(system: System, field: str) -> st.SearchStrategy[object]:
    """Normalised canonical values of ``field`` that ``system`` can hold; ``None`` included if clearable."""
    key = (system, field)
    values = _BY_SYSTEM_FIELD[key] if key in _BY_SYSTEM_FIELD else _BY_FIELD[field]
    # A tuple field is cleared with (), never None.
    return values if key in NEVER_ABSENT or field == "addresses" else st.one_of(st.none(), values)

"""Transforms shared by the entity mappings: platform text, money, times and addresses <-> canonical.

Readers return canonical values already normalised; writers produce exactly what their reader
turns back into the same canonical value (the round-trip property tests hold them to that).
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from shared.core.errors import InvalidInput
from shared.core.mapping.context import MappingContext
from shared.core.mapping.fields import FieldMap, Writer, typed
from shared.core.mapping.normalizers import (
    normalize_country,
    normalize_money,
    normalize_region,
    normalize_text,
)
from shared.core.model import Address, Money
from shared.core.platforms.base import WireObject, WireValue
from shared.core.platforms.hubspot import HubSpotObject

TextIn = Callable[[str | None, MappingContext], object]
TextOut = Callable[[object, MappingContext], str]


def plain_text(value: str | None, _ctx: MappingContext) -> str | None:
    return normalize_text(value)


def text_out(field: str) -> Callable[[object, MappingContext], str | None]:
    """Writer of a canonical string as-is (``None`` stays ``None``)."""
    return lambda value, _ctx: typed(value, str, field)


def attribute_writer(key: str, out: Callable[[object, MappingContext], WireValue]) -> Writer:
    """A writer putting ``out(value)`` under ``key``."""
    return lambda value, ctx: {key: out(value, ctx)}


def hubspot_property(
    field: str, prop: str, read: TextIn = plain_text, write: TextOut | None = None, *, writable: bool = True
) -> FieldMap[HubSpotObject]:
    """A canonical field held in one HubSpot property; ``None`` is written as ``""`` (clears it)."""
    out: TextOut = write or (lambda value, _ctx: typed(value, str, field) or "")
    return FieldMap(
        field=field,
        path=f"properties.{prop}",
        read=lambda record, ctx: read(record.prop(prop), ctx),
        write=(lambda value, ctx: {prop: out(value, ctx)}) if writable else None,
    )


def money_in_default_currency(value: object, ctx: MappingContext, field: str) -> Money | None:
    """``value`` as Money that must be in ``ctx.default_currency``: platforms storing bare amounts."""
    money = typed(value, Money, field)
    if money is not None and money.currency != ctx.default_currency:
        raise InvalidInput(
            f"{field}: the platform holds amounts in {ctx.default_currency}, not {money.currency}"
        )
    return money


def money_text(money: Money | None) -> str | None:
    """A quantized decimal string (``"64.78"``), as HubSpot and Shopify write money."""
    return None if money is None else str(money.quantized().amount)


def money_of(amount: Decimal | str | None, currency: str) -> Money | None:
    return None if amount is None else normalize_money(amount, currency)


def read_hubspot_time(value: str | None) -> datetime | None:
    """A HubSpot date-time property: ISO-8601 or epoch milliseconds, as an aware UTC datetime."""
    text = normalize_text(value)
    if text is None:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def write_hubspot_time(moment: datetime | None) -> str:
    """ISO-8601 UTC with milliseconds, HubSpot's own format; ``""`` clears."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def make_address(
    *,
    line1: str | None,
    line2: str | None,
    city: str | None,
    region: str | None,
    postal: str | None,
    country: str | None,
) -> Address | None:
    """A canonical address from raw parts, normalised; ``None`` when every part is blank."""
    alpha2 = normalize_country(country)
    address = Address(
        line1=normalize_text(line1),
        line2=normalize_text(line2),
        city=normalize_text(city),
        region=normalize_region(region, alpha2),
        postal_code=normalize_text(postal),
        country=alpha2,
    )
    return None if address == Address() else address


def addresses_of(value: object, field: str) -> tuple[Address, ...]:
    """``value`` checked to be a tuple of addresses (writers' input)."""
    items = typed(value, tuple, field) or ()
    if not all(isinstance(item, Address) for item in items):
        raise InvalidInput(f"{field}: expected a tuple of Address")
    return tuple(item for item in items if isinstance(item, Address))


def address_fields(address: Address | None, keys: Mapping[str, str], blank: str | None) -> WireObject:
    """An address's parts under the platform's keys (``keys``: canonical part -> platform key)."""
    parts = address.model_dump() if address else {}
    return {key: parts.get(part) if parts.get(part) is not None else blank for part, key in keys.items()}

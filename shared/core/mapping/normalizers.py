"""Value normalisers: the one canonical form of emails, phones, money, currencies, countries, names.

Every normaliser is idempotent: applied to its own output it returns that output unchanged, so a
canonical value can always be normalised again safely. Absent input (``None``, empty or blank
text) gives ``None``. Text that cannot be understood gives ``None`` as well, never an exception:
a platform holding garbage is a discrepancy to show, not a record to refuse (``is_valid_email``
and friends tell the two apart when it matters). Money and currency codes are the exception:
an amount that is not a number raises ``InvalidInput``, because guessing one would fake a value.
"""

import re
from decimal import Decimal, InvalidOperation

import phonenumbers
import pycountry

from shared.core.errors import InvalidInput
from shared.core.model import Money

_WHITESPACE = re.compile(r"\s+")
# Deliberately loose: one "@", no whitespace, a dot in the domain. Deliverability is not our concern.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def normalize_text(value: str | None) -> str | None:
    """Trimmed text with internal whitespace runs collapsed to one space; blank -> ``None``."""
    if value is None:
        return None
    collapsed = _WHITESPACE.sub(" ", value).strip()
    return collapsed or None


def normalize_name(value: str | None) -> str | None:
    """A person's or company's name: trimmed, whitespace collapsed, case kept."""
    return normalize_text(value)


def is_valid_email(value: str) -> bool:
    """Whether ``value`` looks like an address (after trimming)."""
    return bool(_EMAIL.match(value.strip()))


def normalize_email(value: str | None) -> str | None:
    """Trimmed, ``mailto:`` dropped, lower-cased; ``None`` when absent or not an address (``"jane@"``)."""
    if value is None:
        return None
    text = value.strip()
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    if not is_valid_email(text):
        return None
    return text.lower()


def normalize_phone(value: str | None, default_region: str) -> str | None:
    """E.164 (``+16135550100``); numbers without ``+`` are read in ``default_region`` (alpha-2).

    ``None`` when absent or not a valid number for its region.
    """
    text = normalize_text(value)
    if text is None:
        return None
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalize_currency(code: str) -> str:
    """An ISO 4217 code, upper-cased; raises ``InvalidInput`` for one ISO 4217 does not list."""
    candidate = code.strip().upper()
    if len(candidate) != 3 or pycountry.currencies.get(alpha_3=candidate) is None:
        raise InvalidInput(f"not an ISO 4217 currency code: {code!r}")
    return candidate


def normalize_money(amount: str | int | Decimal, currency: str) -> Money:
    """Money quantized to the currency's minor unit; floats and non-numbers raise ``InvalidInput``."""
    if isinstance(amount, float):
        raise InvalidInput("money amounts must be Decimal, int or str, never float")
    try:
        value = Decimal(amount.strip()) if isinstance(amount, str) else Decimal(amount)
    except InvalidOperation:
        raise InvalidInput(f"not a money amount: {amount!r}") from None
    if not value.is_finite():
        raise InvalidInput(f"not a money amount: {amount!r}")
    try:
        return Money(amount=value, currency=normalize_currency(currency)).quantized()
    except InvalidOperation:
        # Quantizing needs more digits than Decimal's context holds (28): no real amount is that large.
        raise InvalidInput(f"money amount out of range: {amount!r}") from None


def normalize_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 from an alpha-2 or alpha-3 code or a country name; ``None`` if unknown."""
    text = normalize_text(value)
    if text is None:
        return None
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(country.alpha_2)


def normalize_region(value: str | None, country: str | None) -> str | None:
    """A state or province: its ISO 3166-2 code without the country prefix (``ON``) when it can be
    resolved within ``country`` (alpha-2), from a code or a name; otherwise the trimmed text."""
    text = normalize_text(value)
    if text is None or country is None:
        return text
    # pycountry's subdivision database ships without type hints.
    by_code = pycountry.subdivisions.get(code=f"{country}-{text.upper()}")  # type: ignore[no-untyped-call]
    if by_code is not None:
        return str(by_code.code).partition("-")[2]
    subdivisions = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    for subdivision in subdivisions or ():
        if str(subdivision.name).casefold() == text.casefold():
            return str(subdivision.code).partition("-")[2]
    return text


def normalize_stripped(value: str | None) -> str | None:
    """Text trimmed at both ends only (inner whitespace and line breaks kept); blank -> ``None``."""
    if value is None:
        return None
    return value.strip() or None


def normalize_sku(value: str | None) -> str | None:
    """A SKU: trimmed, case kept (SKUs are compared exactly); blank -> ``None``."""
    return normalize_stripped(value)

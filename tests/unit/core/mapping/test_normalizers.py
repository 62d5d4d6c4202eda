"""Normalisers give one canonical form and are idempotent."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.errors import InvalidInput
from shared.core.mapping.normalizers import (
    normalize_country,
    normalize_currency,
    normalize_email,
    normalize_money,
    normalize_name,
    normalize_phone,
    normalize_region,
    normalize_sku,
    normalize_stripped,
    normalize_text,
)
from shared.core.model import Money

COUNTRY_INPUTS = st.sampled_from(
    ["CA", "can", "Canada", "US", "USA", "United States", "Viet Nam", "FR", "Atlantis", ""]
)
PHONES = st.sampled_from(
    ["+16135550100", "(613) 555-0100", "613.555.0100", "+44 20 7946 0958", "020 7946 0958", "12", ""]
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Jane.Doe@ACME.example ", "jane.doe@acme.example"),
        ("jane@", None),
        ("", None),
        (None, None),
        ("a b@c.d", None),
    ],
)
def test_email_is_trimmed_lower_cased_and_invalid_is_absent(raw: str | None, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(613) 555-0100", "US", "+16135550100"),
        ("+1 613 555 0100", "GB", "+16135550100"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("12", "US", None),
        ("not a phone", "US", None),
        (None, "US", None),
    ],
)
def test_phone_becomes_e164_in_the_default_region(raw: str | None, region: str, expected: str | None) -> None:
    assert normalize_phone(raw, region) == expected


def test_money_is_quantized_to_the_currency_minor_unit() -> None:
    assert normalize_money("64.7", "usd") == Money.of("64.70", "USD")
    assert normalize_money(Decimal("1000.4"), "JPY") == Money.of("1000", "JPY")
    assert normalize_money(3, "KWD").amount == Decimal("3.000")


@pytest.mark.parametrize("bad", ["lots", "NaN", "Infinity", ""])
def test_money_that_is_not_a_number_raises(bad: str) -> None:
    with pytest.raises(InvalidInput, match="money"):
        normalize_money(bad, "USD")


def test_float_money_is_refused() -> None:
    with pytest.raises(InvalidInput, match="float"):
        normalize_money(1.5, "USD")  # type: ignore[arg-type]


def test_unknown_currency_code_raises() -> None:
    with pytest.raises(InvalidInput, match="ISO 4217"):
        normalize_currency("USA")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("CAN", "CA"), ("canada", "CA"), ("ca", "CA"), ("Viet Nam", "VN"), ("Atlantis", None)],
)
def test_country_becomes_alpha_2(raw: str, expected: str | None) -> None:
    assert normalize_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("Ontario", "CA", "ON"),
        ("on", "CA", "ON"),
        ("New York", "US", "NY"),
        ("Nowhere", "US", "Nowhere"),
        ("ON", None, "ON"),
    ],
)
def test_region_becomes_its_subdivision_code_when_known(raw: str, country: str | None, expected: str) -> None:
    assert normalize_region(raw, country) == expected


def test_names_are_trimmed_with_whitespace_collapsed() -> None:
    assert normalize_name("  Jane \t  van  Doe ") == "Jane van Doe"
    assert normalize_name("   ") is None


def test_stripped_text_keeps_inner_line_breaks() -> None:
    assert normalize_stripped("  line one\nline two  ") == "line one\nline two"


@given(st.one_of(st.none(), st.text(), st.emails()))
def test_email_is_idempotent(raw: str | None) -> None:
    once = normalize_email(raw)
    assert normalize_email(once) == once


@given(st.one_of(st.none(), st.text(max_size=20), PHONES), st.sampled_from(["US", "GB", "FR"]))
def test_phone_is_idempotent(raw: str | None, region: str) -> None:
    once = normalize_phone(raw, region)
    assert normalize_phone(once, region) == once


def test_money_too_large_to_quantize_raises_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        normalize_money(Decimal("1e26"), "USD")


AMOUNTS = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, allow_infinity=False
)


@given(AMOUNTS, st.sampled_from(["USD", "jpy", "KWD", " eur "]))
def test_money_is_idempotent(amount: Decimal, currency: str) -> None:
    once = normalize_money(amount, currency)
    assert normalize_money(once.amount, once.currency) == once


@given(st.sampled_from(["usd", " EUR", "Jpy"]))
def test_currency_is_idempotent(code: str) -> None:
    once = normalize_currency(code)
    assert normalize_currency(once) == once


@given(st.one_of(COUNTRY_INPUTS, st.text(max_size=12)))
def test_country_is_idempotent(raw: str) -> None:
    once = normalize_country(raw)
    assert normalize_country(once) == once


@given(
    st.one_of(st.sampled_from(["Ontario", "on", "Québec", "New York"]), st.text(max_size=12)),
    st.sampled_from(["CA", "US", None]),
)
def test_region_is_idempotent(raw: str, country: str | None) -> None:
    once = normalize_region(raw, country)
    assert normalize_region(once, country) == once


@given(st.one_of(st.none(), st.text()))
def test_text_name_sku_and_stripped_are_idempotent(raw: str | None) -> None:
    for normalize in (normalize_text, normalize_name, normalize_sku, normalize_stripped):
        once = normalize(raw)
        assert normalize(once) == once

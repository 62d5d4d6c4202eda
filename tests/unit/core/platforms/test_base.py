"""encode_json writes Decimal money as exact JSON numbers."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.core.platforms.base import WireObject, encode_json


def test_decimal_becomes_an_exact_json_number() -> None:
    body: WireObject = {
        "total": Decimal("64.78"),
        "items": [{"rate": Decimal("0.10")}],
        "email": "a@b.example",
        "ok": True,
    }
    text = encode_json(body)
    assert '"total":64.78' in text
    assert json.loads(text, parse_float=Decimal) == body


def test_non_finite_decimal_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON number"):
        encode_json({"total": Decimal("NaN")})


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2))
def test_any_two_place_decimal_round_trips(amount: Decimal) -> None:
    assert json.loads(encode_json({"amount": amount}), parse_float=Decimal)["amount"] == amount

"""Money: a Decimal amount with an ISO 4217 currency. Never a float."""

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "ISK": 0,
    "CLP": 0,
    "VND": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
}


def minor_units(currency: str) -> int:
    """Number of decimals the currency is settled in (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get(currency, 2)


class Money(BaseModel):
    """An exact amount in one currency. Arithmetic across currencies raises ``ValueError``."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal = Field(allow_inf_nan=False)
    currency: CurrencyCode

    @field_validator("amount", mode="before")
    @classmethod
    def _reject_float(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError("money amounts must be Decimal, int or str, never float")
        return value

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Self:
        """Build from a string, int or Decimal amount (``Money.of("27.99", "USD")``)."""
        return cls(amount=Decimal(amount), currency=currency.strip().upper())

    def quantized(self) -> "Money":
        """The amount rounded (banker's rounding) to the currency's minor unit."""
        exponent = Decimal(1).scaleb(-minor_units(self.currency))
        return Money(amount=self.amount.quantize(exponent, rounding=ROUND_HALF_EVEN), currency=self.currency)

    def _same_currency(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def times(self, factor: int | Decimal) -> "Money":
        """The amount multiplied by a quantity or rate."""
        return Money(amount=self.amount * factor, currency=self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

"""The deployment facts a mapping needs and a platform record does not carry."""

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from shared.core.model.money import CurrencyCode


class MappingContext(BaseModel):
    """Passed to every mapping call; never global.

    ``default_phone_region`` (ISO 3166-1 alpha-2) reads numbers written without a country code.
    ``default_currency`` is the currency of amounts a platform stores without one (HubSpot product
    prices and deals without ``deal_currency_code``, Shopify variant prices, NetSuite base prices).
    ``netsuite_currencies`` maps NetSuite currency record ids to ISO codes, because a NetSuite
    currency reference names the currency (``"USA"``), not its code.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_phone_region: str = Field(pattern=r"^[A-Z]{2}$")
    default_currency: CurrencyCode
    netsuite_currencies: Mapping[str, CurrencyCode] = Field(default_factory=dict)

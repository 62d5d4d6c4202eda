"""Fuzzy similarity features per entity type, each a pure function of two canonical views.

A feature returns a similarity in [0, 1], or ``None`` when either side lacks the data (no evidence
either way). Names here are the keys of the weight tables in :mod:`shared.core.matching.model`.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TypeVar

from rapidfuzz import fuzz

from shared.core.matching.normalize import (
    normalize_company,
    normalize_email,
    normalize_phone,
    normalize_postal_code,
    normalize_text,
)
from shared.core.model import Address, Customer, EntityType, Money, Order, Product

V = TypeVar("V")
Similarity = Callable[[V, V], float | None]
"""A feature: similarity of two views of one entity type, ``None`` when not comparable."""

# Orders placed this far apart are no evidence of being the same order.
_PLACED_AT_HORIZON = timedelta(hours=48)
_ADDRESS_PARTS: tuple[tuple[str, float], ...] = (("line1", 0.5), ("postal_code", 0.3), ("city", 0.2))


def text_similarity(left: str | None, right: str | None) -> float | None:
    """Word-order-insensitive similarity of two normalised texts (rapidfuzz token sort ratio)."""
    if left is None or right is None:
        return None
    return fuzz.token_sort_ratio(left, right) / 100.0


def exact(left: object | None, right: object | None) -> float | None:
    """1.0 for equal values, 0.0 for different ones, ``None`` if either is missing."""
    if left is None or right is None:
        return None
    return 1.0 if left == right else 0.0


def _full_name(customer: Customer) -> str | None:
    parts = [part for part in (customer.first_name, customer.last_name) if part]
    return normalize_text(" ".join(parts)) if parts else None


def customer_name(left: Customer, right: Customer) -> float | None:
    """Similarity of first + last names, in either order."""
    return text_similarity(_full_name(left), _full_name(right))


def customer_phone(left: Customer, right: Customer) -> float | None:
    """Equality of phones in E.164 form."""
    return exact(normalize_phone(left.phone), normalize_phone(right.phone))


def customer_company(left: Customer, right: Customer) -> float | None:
    """Similarity of company names, legal forms ignored."""
    return text_similarity(normalize_company(left.company), normalize_company(right.company))


def address_similarity(left: Address, right: Address) -> float | None:
    """Weighted similarity of street, postal code and city; different countries score 0."""
    if left.country and right.country and left.country != right.country:
        return 0.0
    scored: list[tuple[float, float]] = []
    for part, weight in _ADDRESS_PARTS:
        if part == "postal_code":
            similarity = exact(
                normalize_postal_code(left.postal_code), normalize_postal_code(right.postal_code)
            )
        else:
            similarity = text_similarity(
                normalize_text(getattr(left, part)), normalize_text(getattr(right, part))
            )
        if similarity is not None:
            scored.append((weight, similarity))
    if not scored:
        return None
    return sum(weight * similarity for weight, similarity in scored) / sum(weight for weight, _ in scored)


def customer_address(left: Customer, right: Customer) -> float | None:
    """The best similarity between any address of one and any address of the other."""
    pairs = (address_similarity(a, b) for a in left.addresses for b in right.addresses)
    return _best(pairs)


def product_title(left: Product, right: Product) -> float | None:
    """Similarity of product titles."""
    return text_similarity(normalize_text(left.title), normalize_text(right.title))


def product_price(left: Product, right: Product) -> float | None:
    """Equality of prices rounded to the currency's minor unit."""
    return exact(_quantized(left.price), _quantized(right.price))


def order_customer_email(left: Order, right: Order) -> float | None:
    """Equality of the buyer's email."""
    return exact(normalize_email(left.customer_email), normalize_email(right.customer_email))


def order_total(left: Order, right: Order) -> float | None:
    """Equality of order totals rounded to the currency's minor unit."""
    return exact(_quantized(left.total), _quantized(right.total))


def order_placed_at(left: Order, right: Order) -> float | None:
    """1.0 at the same instant, falling linearly to 0.0 at 48 hours apart."""
    if left.placed_at is None or right.placed_at is None:
        return None
    apart = abs(left.placed_at - right.placed_at)
    return max(0.0, 1.0 - apart / _PLACED_AT_HORIZON)


CUSTOMER_FEATURES: Mapping[str, Similarity[Customer]] = {
    "name": customer_name,
    "phone": customer_phone,
    "address": customer_address,
    "company": customer_company,
}
PRODUCT_FEATURES: Mapping[str, Similarity[Product]] = {"title": product_title, "price": product_price}
ORDER_FEATURES: Mapping[str, Similarity[Order]] = {
    "customer_email": order_customer_email,
    "total": order_total,
    "placed_at": order_placed_at,
}

FEATURE_NAMES: Mapping[EntityType, frozenset[str]] = {
    EntityType.CUSTOMER: frozenset(CUSTOMER_FEATURES),
    EntityType.PRODUCT: frozenset(PRODUCT_FEATURES),
    EntityType.ORDER: frozenset(ORDER_FEATURES),
}
"""The fuzzy features known for each entity type."""


def _quantized(money: Money | None) -> Money | None:
    return None if money is None else money.quantized()


def _best(similarities: Iterable[float | None]) -> float | None:
    known = [value for value in similarities if value is not None]
    return max(known) if known else None

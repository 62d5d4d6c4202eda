"""Deterministic blocking keys: the exact identifiers under which records of one entity meet.

A key is a short string ``kind:value`` (``email:jane@acme.example``, ``sku:ABC-1``, ``order:1001``,
``ref:netsuite:customer:107``). A repository indexes every linked record's keys under its entity so
that an unlinked record finds its candidate entities with one lookup, and the matcher treats a
shared key as a deterministic match.
"""

from collections.abc import Iterable

from shared.core.matching.normalize import normalize_email, normalize_order_number, normalize_sku
from shared.core.model import Customer, ExternalRef, Product
from shared.core.snapshot import CanonicalView, CustomerSnapshot, OrderSnapshot, ProductSnapshot

Snapshot = CustomerSnapshot | ProductSnapshot | OrderSnapshot

EMAIL = "email"
SKU = "sku"
ORDER_NUMBER = "order"
REF = "ref"


def ref_key(ref: ExternalRef) -> str:
    """The key of a platform record itself: ``ref:`` + :attr:`ExternalRef.key`."""
    return f"{REF}:{ref.key}"


def value_keys(values: CanonicalView) -> frozenset[str]:
    """Keys derived from canonical values: email for customers, SKU for products, order number for orders."""
    if isinstance(values, Customer):
        return _keys(EMAIL, normalize_email(values.email))
    if isinstance(values, Product):
        return _keys(SKU, normalize_sku(values.sku))
    return _keys(ORDER_NUMBER, normalize_order_number(values.order_number))


def blocking_keys(snapshot: Snapshot, cross_refs: Iterable[ExternalRef] = ()) -> frozenset[str]:
    """Every deterministic key of one platform record.

    ``cross_refs`` are records in other platforms that this record names as itself, such as a
    NetSuite ``externalId`` of ``shopify:7045610061887`` (the mapping that reads the field turns it
    into the Shopify customer's ``ExternalRef``). The record's own ref is a key too, so a record that
    another platform's record points at finds that record's entity.
    """
    refs = {ref_key(snapshot.ref), *(ref_key(ref) for ref in cross_refs)}
    return value_keys(snapshot.values) | refs


def _keys(kind: str, value: str | None) -> frozenset[str]:
    return frozenset() if value is None else frozenset({f"{kind}:{value}"})

from collections.abc import Callable

import pytest

from shared.core.matching import Candidate, blocking_keys, candidate_keys
from shared.core.matching.normalize import (
    normalize_company,
    normalize_email,
    normalize_order_number,
    normalize_phone,
    normalize_sku,
    normalize_text,
)
from shared.core.model import Customer, EntityId, EntityType, System
from tests.unit.core.matching.builders import customer, order, product, ref


@pytest.mark.parametrize(
    ("normalize", "raw", "expected"),
    [
        (normalize_email, "  Jane.Doe@ACME.example ", "jane.doe@acme.example"),
        (normalize_email, "mailto:jane@acme.example", "jane@acme.example"),
        (normalize_email, "not-an-email", None),
        (normalize_email, "a@b@c", None),
        (normalize_email, "", None),
        (normalize_sku, " abc -1 ", "ABC-1"),
        (normalize_sku, "   ", None),
        (normalize_order_number, " #1001 ", "1001"),
        (normalize_order_number, "so-77", "SO-77"),
        (normalize_phone, "+1 (613) 555-0100", "+16135550100"),
        (normalize_phone, "613 555 0100", None),
        (normalize_phone, "+1 2", None),
        (normalize_text, "  José   O'Neil ", "jose o neil"),
        (normalize_company, "Acme, Inc.", "acme"),
        (normalize_company, "Company Ltd", "company ltd"),
    ],
)
def test_normal_forms(normalize: Callable[[str | None], str | None], raw: str, expected: str | None) -> None:
    assert normalize(raw) == expected


def test_customer_keys_are_the_normalised_email_and_the_record_itself() -> None:
    snapshot = customer(System.SHOPIFY, "1", email=" Jane@Acme.Example")

    assert blocking_keys(snapshot) == {"email:jane@acme.example", "ref:shopify:customers:1"}


def test_product_and_order_keys() -> None:
    assert "sku:ABC-1" in blocking_keys(product(System.SHOPIFY, "9", sku="abc-1"))
    assert "order:1001" in blocking_keys(order(System.SHOPIFY, "8", order_number="#1001"))


def test_a_record_without_identifiers_has_only_its_ref_key() -> None:
    assert blocking_keys(customer(System.HUBSPOT, "51", first_name="Jane")) == {"ref:hubspot:contacts:51"}


def test_cross_references_become_ref_keys() -> None:
    shopify = ref(System.SHOPIFY, EntityType.CUSTOMER, "7045610061887")

    keys = blocking_keys(customer(System.NETSUITE, "107"), [shopify])

    assert keys == {"ref:netsuite:customer:107", "ref:shopify:customers:7045610061887"}


def test_candidate_keys_join_records_cross_refs_and_canonical_values() -> None:
    shopify = ref(System.SHOPIFY, EntityType.CUSTOMER, "1")
    entity = Candidate(
        entity_id=EntityId("ent_a"),
        entity_type=EntityType.CUSTOMER,
        snapshots=(customer(System.HUBSPOT, "51", email="a@x.example"),),
        canonical=Customer(email="b@x.example"),
        cross_refs=frozenset({shopify}),
    )

    assert candidate_keys(entity) == {
        "ref:hubspot:contacts:51",
        "ref:shopify:customers:1",
        "email:a@x.example",
        "email:b@x.example",
    }

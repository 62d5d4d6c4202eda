"""Identity and contact fields of a customer: names, email, phone, company, addresses, tax id."""

from shared.core.checks.field_check import field_check
from shared.core.model import EntityType

CHECKS = (
    field_check(
        "customer_contact",
        EntityType.CUSTOMER,
        "email",
        "first_name",
        "last_name",
        "phone",
        "company",
        "addresses",
        "tax_id",
    ),
)

"""NetSuite REST record API wire models (PLATFORMS.md 3.4).

Internal ids are strings (``"107"``); references to other records are objects
``{"links": [...], "id": "1", "refName": "..."}``; money and quantities are JSON numbers, read as
``Decimal`` (``to_wire`` writes them as decimal strings; request bodies built by mappings keep
``Decimal`` and are encoded with :func:`shared.core.platforms.base.encode_json`). Sublists
(``item``, ``addressBook``) hold only ``links`` unless read with ``expandSubResources=true``, in
which case they also hold ``items``.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, StringConstraints

from shared.core.platforms.base import WireModel, WireRecord, utc, version_from


def _id_as_string(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


NetSuiteId = Annotated[str, BeforeValidator(_id_as_string), StringConstraints(min_length=1)]
NetSuiteAmount = Annotated[Decimal, Field(allow_inf_nan=False)]


class NetSuiteLink(WireModel):
    rel: str | None = None
    href: str


class NetSuiteRef(WireModel):
    """A reference to another record (or a select value): ``id`` and its display ``refName``."""

    id: NetSuiteId | None = None
    ref_name: str | None = Field(default=None, alias="refName")
    links: list[NetSuiteLink] = Field(default_factory=list)


LineT = TypeVar("LineT", bound=BaseModel)


class NetSuiteSublist(WireModel, Generic[LineT]):
    """A sublist: ``items`` is ``None`` when the record was read without expanding sub-resources."""

    links: list[NetSuiteLink] = Field(default_factory=list)
    items: list[LineT] | None = None
    total_results: int | None = Field(default=None, alias="totalResults")
    count: int | None = None
    has_more: bool | None = Field(default=None, alias="hasMore")
    offset: int | None = None


class NetSuiteAddress(WireModel):
    """An address; ``country`` is a select value ``{"id": "US", "refName": "United States"}`` or a string."""

    addressee: str | None = None
    addr1: str | None = None
    addr2: str | None = None
    addr3: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country: NetSuiteRef | str | None = None
    addr_phone: str | None = Field(default=None, alias="addrPhone")


class NetSuiteAddressBookEntry(WireModel):
    id: NetSuiteId | None = None
    label: str | None = None
    default_billing: bool | None = Field(default=None, alias="defaultBilling")
    default_shipping: bool | None = Field(default=None, alias="defaultShipping")
    address: NetSuiteAddress | None = Field(default=None, alias="addressBookAddress")


class NetSuiteRecord(WireRecord):
    """Fields every NetSuite record shares; ``lastModifiedDate`` is the change cursor."""

    links: list[NetSuiteLink] = Field(default_factory=list)
    id: NetSuiteId
    outside_key: str | None = Field(default=None, alias="externalId")
    """NetSuite's ``externalId`` field (a key from another system); not :meth:`external_id`."""
    last_modified_date: AwareDatetime = Field(alias="lastModifiedDate")

    def external_id(self) -> str:
        """The internal id: the id Concord's ``ExternalRef`` uses for a NetSuite record."""
        return self.id

    def source_version(self) -> str:
        return version_from(self.last_modified_date)

    def source_updated_at(self) -> datetime:
        return utc(self.last_modified_date)

    def is_deleted(self) -> bool:
        # Deletions never show in the record; they are found through the deletedrecord table.
        return False


class NetSuiteCustomer(NetSuiteRecord):
    """A customer record (``customer``). ``vatRegNumber`` (tax registration) is a standard field, UNCONFIRMED."""

    entity_id: str | None = Field(default=None, alias="entityId")
    is_person: bool | None = Field(default=None, alias="isPerson")
    company_name: str | None = Field(default=None, alias="companyName")
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    email: str | None = None
    phone: str | None = None
    is_inactive: bool | None = Field(default=None, alias="isInactive")
    date_created: AwareDatetime | None = Field(default=None, alias="dateCreated")
    subsidiary: NetSuiteRef | None = None
    currency: NetSuiteRef | None = None
    credit_limit: NetSuiteAmount | None = Field(default=None, alias="creditLimit")
    vat_reg_number: str | None = Field(default=None, alias="vatRegNumber")
    entity_status: NetSuiteRef | None = Field(default=None, alias="entityStatus")
    address_book: NetSuiteSublist[NetSuiteAddressBookEntry] | None = Field(default=None, alias="addressBook")


class NetSuitePrice(WireModel):
    """One pricing-matrix line; ``priceLevel`` 1 is "Base Price"."""

    price_level: NetSuiteRef | None = Field(default=None, alias="priceLevel")
    price: NetSuiteAmount | None = None


class NetSuiteInventoryItem(NetSuiteRecord):
    """An inventory item (``inventoryItem``); ``itemId`` is the SKU.

    ``basePrice`` as a flat field is UNCONFIRMED on REST (prices sit in the ``price`` pricing-matrix
    sublist); Concord reads ``basePrice`` and keeps the sublist as-is.
    """

    item_id: str | None = Field(default=None, alias="itemId")
    display_name: str | None = Field(default=None, alias="displayName")
    sales_description: str | None = Field(default=None, alias="salesDescription")
    upc_code: str | None = Field(default=None, alias="upcCode")
    is_inactive: bool | None = Field(default=None, alias="isInactive")
    base_price: NetSuiteAmount | None = Field(default=None, alias="basePrice")
    price: NetSuiteSublist[NetSuitePrice] | None = None


class NetSuiteSalesOrderLine(WireModel):
    """A line of the ``item`` sublist: ``item`` reference, ``quantity``, ``rate`` (unit price), ``amount``."""

    line: int | None = None
    item: NetSuiteRef | None = None
    description: str | None = None
    quantity: NetSuiteAmount | None = None
    rate: NetSuiteAmount | None = None
    amount: NetSuiteAmount | None = None


class NetSuiteCreditMemoRef(WireModel):
    """A credit memo created from a sales order: internal id, total, and when it last changed."""

    id: NetSuiteId
    total: NetSuiteAmount
    tran_id: str | None = Field(default=None, alias="tranId")
    last_modified_date: AwareDatetime | None = Field(default=None, alias="lastModifiedDate")


class NetSuiteSalesOrder(NetSuiteRecord):
    """A sales order (``salesOrder``).

    ``orderStatus`` is a select value (``{"id": "B", "refName": "Pending Fulfillment"}``) next to a
    display ``status``; the exact REST encoding is UNCONFIRMED, so both are kept.
    ``creditMemos`` is NOT part of NetSuite's response: Concord's connector attaches it after
    querying the creditMemo records created from this order (``createdFrom``), so that refunds can
    be reconciled from one record. A missing ``creditMemos`` means none were attached.
    """

    tran_id: str | None = Field(default=None, alias="tranId")
    tran_date: date | None = Field(default=None, alias="tranDate")
    created_date: AwareDatetime | None = Field(default=None, alias="createdDate")
    entity: NetSuiteRef | None = None
    other_ref_num: str | None = Field(default=None, alias="otherRefNum")
    email: str | None = None
    currency: NetSuiteRef | None = None
    subtotal: NetSuiteAmount | None = None
    tax_total: NetSuiteAmount | None = Field(default=None, alias="taxTotal")
    shipping_cost: NetSuiteAmount | None = Field(default=None, alias="shippingCost")
    total: NetSuiteAmount | None = None
    order_status: NetSuiteRef | None = Field(default=None, alias="orderStatus")
    status: str | NetSuiteRef | None = None
    item: NetSuiteSublist[NetSuiteSalesOrderLine] | None = None
    credit_memos: list[NetSuiteCreditMemoRef] | None = Field(default=None, alias="creditMemos")

    # A new credit memo does not move its order's lastModifiedDate, yet it changes the order as Concord
    # reads it (refunded_total): the order with its memos was last updated by the newest of them.
    def source_updated_at(self) -> datetime:
        memos = [utc(memo.last_modified_date) for memo in self.credit_memos or () if memo.last_modified_date]
        return max([utc(self.last_modified_date), *memos])

    def source_version(self) -> str:
        return version_from(self.source_updated_at())

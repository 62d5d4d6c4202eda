"""HubSpot CRM v3 wire models: CRM objects, collection responses and webhook events (PLATFORMS.md 1.1-1.4).

CRM ids are numeric strings (``"51"``); webhooks carry the same ids as JSON numbers. Every property
value is a string or ``null``, numbers and dates included.
"""

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AliasChoices,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
)

from shared.core.platforms.base import WireModel, WireRecord, utc, version_from


def _id_as_string(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


HubSpotId = Annotated[str, BeforeValidator(_id_as_string), StringConstraints(pattern=r"^[0-9]+$")]
"""A CRM record id: a numeric string; a JSON number (as in webhooks) is accepted and stringified."""


class HubSpotAssociation(WireModel):
    """One associated record in a v3 ``associations`` block."""

    id: HubSpotId
    type: str | None = None


class HubSpotAssociations(WireModel):
    """Associated records of one object type, e.g. a deal's ``contacts``."""

    results: list[HubSpotAssociation] = Field(default_factory=list)


class HubSpotObject(WireRecord):
    """A CRM object (``SimplePublicObject``): id, string properties, timestamps, associations."""

    id: HubSpotId
    properties: dict[str, str | None] = Field(default_factory=dict)
    created_at: AwareDatetime | None = Field(default=None, alias="createdAt")
    updated_at: AwareDatetime = Field(alias="updatedAt")
    archived: bool = False
    archived_at: AwareDatetime | None = Field(default=None, alias="archivedAt")
    associations: dict[str, HubSpotAssociations] | None = None

    def prop(self, name: str) -> str | None:
        """The property's value; ``None`` when absent, null or empty (HubSpot clears with ``""``)."""
        value = self.properties.get(name)
        return value if value else None

    def external_id(self) -> str:
        return self.id

    def source_version(self) -> str:
        return version_from(self.updated_at)

    def source_updated_at(self) -> datetime:
        return utc(self.updated_at)

    def is_deleted(self) -> bool:
        return self.archived

    def associated_ids(self, object_type: str) -> list[str]:
        """Ids of the associated records of ``object_type`` (e.g. ``contacts``), in HubSpot's order."""
        block = (self.associations or {}).get(object_type)
        return [item.id for item in block.results] if block else []


class HubSpotContact(HubSpotObject):
    """A contact (``contacts``); change tracking property ``lastmodifieddate``."""


class HubSpotCompany(HubSpotObject):
    """A company (``companies``): ``name``, ``domain``, ``phone``, ``city``, ``country``..."""


class HubSpotProduct(HubSpotObject):
    """A product (``products``): ``name``, ``price`` (string), ``hs_sku``, ``description``..."""


class HubSpotDeal(HubSpotObject):
    """A deal (``deals``): ``dealname``, ``amount``, ``dealstage`` (stage id), ``pipeline``, ``closedate``."""


class HubSpotLineItem(HubSpotObject):
    """A line item (``line_items``): ``name``, ``quantity``, ``price``, ``amount``, ``hs_sku``; linked to a deal."""


RecordT = TypeVar("RecordT", bound=HubSpotObject)


class HubSpotNextPage(WireModel):
    """The cursor to the next page; ``after`` is opaque."""

    after: str
    link: str | None = None


class HubSpotPaging(WireModel):
    next: HubSpotNextPage | None = None


class HubSpotPage(WireModel, Generic[RecordT]):
    """A list or search response: ``results``, ``paging`` (absent on the last page), ``total`` (search)."""

    results: list[RecordT]
    paging: HubSpotPaging | None = None
    total: int | None = None

    def next_after(self) -> str | None:
        """The cursor for the next page, or ``None`` on the last page."""
        return self.paging.next.after if self.paging and self.paging.next else None


class HubSpotBatchResponse(WireModel, Generic[RecordT]):
    """A batch read/update response: ``status``, ``results`` and, on partial failure (207), ``errors``."""

    status: str | None = None
    results: list[RecordT]
    errors: list[dict[str, object]] = Field(default_factory=list)
    started_at: AwareDatetime | None = Field(default=None, alias="startedAt")
    completed_at: AwareDatetime | None = Field(default=None, alias="completedAt")


# Legacy subscription prefixes and generic objectTypeIds (the latter UNCONFIRMED) -> CRM object type.
_CRM_TYPE_BY_SUBSCRIPTION: dict[str, str] = {
    "contact": "contacts",
    "company": "companies",
    "deal": "deals",
    "product": "products",
    "line_item": "line_items",
    "ticket": "tickets",
}
_CRM_TYPE_BY_OBJECT_TYPE_ID: dict[str, str] = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-5": "tickets",
    "0-7": "products",
    "0-8": "line_items",
}


class HubSpotWebhookEvent(WireModel):
    """One webhook event. Deliveries are JSON arrays of these (see :class:`HubSpotWebhookBatch`).

    ``subscriptionType`` is also accepted as ``eventType`` (one doc revision's name) and always
    written back as ``subscriptionType``. Dedupe on :meth:`dedupe_key`, never on ``attemptNumber``.
    """

    event_id: int = Field(alias="eventId")
    subscription_id: int | None = Field(default=None, alias="subscriptionId")
    portal_id: int = Field(alias="portalId")
    app_id: int | None = Field(default=None, alias="appId")
    occurred_at: int = Field(alias="occurredAt", description="epoch milliseconds")
    subscription_type: str = Field(
        validation_alias=AliasChoices("subscriptionType", "eventType", "subscription_type"),
        serialization_alias="subscriptionType",
    )
    attempt_number: int = Field(default=0, alias="attemptNumber")
    object_id: int | None = Field(default=None, alias="objectId")
    object_type_id: str | None = Field(default=None, alias="objectTypeId")
    property_name: str | None = Field(default=None, alias="propertyName")
    property_value: str | None = Field(default=None, alias="propertyValue")
    change_source: str | None = Field(default=None, alias="changeSource")
    source_id: str | None = Field(default=None, alias="sourceId")
    change_flag: str | None = Field(default=None, alias="changeFlag")
    primary_object_id: int | None = Field(default=None, alias="primaryObjectId")
    merged_object_ids: list[int] | None = Field(default=None, alias="mergedObjectIds")
    new_object_id: int | None = Field(default=None, alias="newObjectId")
    number_of_properties_moved: int | None = Field(default=None, alias="numberOfPropertiesMoved")
    association_type: str | None = Field(default=None, alias="associationType")
    from_object_id: int | None = Field(default=None, alias="fromObjectId")
    to_object_id: int | None = Field(default=None, alias="toObjectId")
    association_removed: bool | None = Field(default=None, alias="associationRemoved")
    is_primary_association: bool | None = Field(default=None, alias="isPrimaryAssociation")

    @property
    def occurred_at_utc(self) -> datetime:
        """``occurredAt`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.occurred_at / 1000, tz=UTC)

    @property
    def action(self) -> str:
        """The part after the dot: ``creation``, ``propertyChange``, ``deletion``, ``merge``..."""
        return self.subscription_type.partition(".")[2]

    @property
    def crm_object_type(self) -> str | None:
        """The CRM object type (``contacts``, ``deals``...), or ``None`` for one Concord does not know."""
        prefix = self.subscription_type.partition(".")[0]
        if prefix == "object" and self.object_type_id is not None:
            return _CRM_TYPE_BY_OBJECT_TYPE_ID.get(self.object_type_id)
        return _CRM_TYPE_BY_SUBSCRIPTION.get(prefix)

    def dedupe_key(self) -> str:
        """``portalId:subscriptionId:eventId``; ``eventId`` alone is not unique."""
        return f"{self.portal_id}:{self.subscription_id}:{self.event_id}"


class HubSpotWebhookBatch(RootModel[list[HubSpotWebhookEvent]]):
    """A webhook delivery body: always a JSON array, even for one event."""

    model_config = ConfigDict(frozen=True)

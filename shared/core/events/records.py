"""Messages published by ingest: raw webhook deliveries and full observations of platform records."""

import json
from typing import Annotated, Literal, Self

from pydantic import Field, JsonValue, StringConstraints, field_validator, model_validator

from shared.core.events.envelope import Message, Name, UtcDatetime
from shared.core.model import EntityType, ExternalRef, Surface, System

PlatformId = Annotated[str, StringConstraints(min_length=1, max_length=500)]
"""An id the platform assigned (a delivery id, an event id); kept verbatim."""

JsonObject = dict[str, JsonValue]

# Headers that carry credentials never leave ingest; signature headers are kept for audit.
_FORBIDDEN_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


class RawNotificationReceived(Message):
    """One platform event of a verified webhook delivery, made durable before it is parsed.

    Ingest publishes this first, then answers the webhook, so that nothing a platform sent is lost
    even if parsing or hydration fails later. A delivery that batches several events (HubSpot sends
    up to 100) becomes one message per event, ``event_index`` counting from 0. ``ref`` is the record
    the event is about when ingest can tell without parsing the payload; it is the partition key so
    that the events of one record stay in order.
    """

    type: Literal["raw_notification_received"] = "raw_notification_received"
    schema_version: Literal[1] = 1
    system: System
    topic: Name
    """The platform's event name: HubSpot ``subscriptionType``, Shopify ``X-Shopify-Topic``..."""
    delivery_id: PlatformId
    event_id: PlatformId | None = None
    event_index: int = Field(ge=0)
    received_at: UtcDatetime
    headers: dict[str, str] = Field(default_factory=dict)
    """Selected request headers, names lower-cased; never credentials."""
    body: str
    """The raw JSON text of one platform event (a JSON object)."""
    ref: ExternalRef | None = None

    @field_validator("headers")
    @classmethod
    def _lowercase_headers_without_credentials(cls, headers: dict[str, str]) -> dict[str, str]:
        lowered = {name.lower(): value for name, value in headers.items()}
        leaked = sorted(_FORBIDDEN_HEADERS.intersection(lowered))
        if leaked:
            raise ValueError(f"credential headers must not be stored: {', '.join(leaked)}")
        return lowered

    @field_validator("body")
    @classmethod
    def _body_is_one_json_object(cls, body: str) -> str:
        try:
            parsed: object = json.loads(body)
        except ValueError as exc:
            raise ValueError(f"body is not JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise ValueError("body must be the JSON object of one platform event")
        return body

    @property
    def partition_key(self) -> str:
        """``ref.key`` when known, else one key per delivery."""
        if self.ref is not None:
            return self.ref.key
        return f"{self.system.value}:delivery:{self.delivery_id}"


class RecordObserved(Message):
    """A full observation of one platform record, whatever surface it came from.

    ``record`` is the platform's own JSON record, hydrated if the event was thin. ``provenance_tag``
    is set when the record carries Concord's own write tag, i.e. Concord wrote this version itself.
    For pulse and sync read-back observations ``causation_id`` is the refresh request.
    """

    type: Literal["record_observed"] = "record_observed"
    schema_version: Literal[1] = 1
    ref: ExternalRef
    entity_type: EntityType
    source_version: str | None = None
    source_updated_at: UtcDatetime | None = None
    observed_at: UtcDatetime
    surface: Surface
    platform_event_id: PlatformId | None = None
    provenance_tag: Name | None = None
    record: JsonObject

    @property
    def partition_key(self) -> str:
        """The platform record key: every observation of one record lands in order."""
        return self.ref.key


class RecordDeleted(Message):
    """A platform record is gone; ``merged_into`` names the survivor when it was merged away."""

    type: Literal["record_deleted"] = "record_deleted"
    schema_version: Literal[1] = 1
    ref: ExternalRef
    entity_type: EntityType
    deleted_at: UtcDatetime
    surface: Surface
    platform_event_id: PlatformId | None = None
    merged_into: ExternalRef | None = None

    @model_validator(mode="after")
    def _merge_target_is_another_record_of_the_same_system(self) -> Self:
        target = self.merged_into
        if target is not None and (target.system != self.ref.system or target.key == self.ref.key):
            raise ValueError("merged_into must be another record of the same system")
        return self

    @property
    def partition_key(self) -> str:
        """The platform record key, so a deletion is ordered after the record's observations."""
        return self.ref.key


__all__ = ["JsonObject", "PlatformId", "RawNotificationReceived", "RecordDeleted", "RecordObserved"]

"""How HubSpot presents and accepts CRM objects: default properties, associations, property input."""

import json
from collections.abc import Mapping, Sequence
from typing import Literal

from starlette.responses import Response

from services.sandbox.platform_errors import Rejection, hubspot_error
from services.sandbox.stamping import hubspot_modified_property

_DEFAULT_PROPERTIES: Mapping[str, tuple[str, ...]] = {
    "contacts": ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
    "companies": ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
    "deals": (
        "amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline",
    ),
    "products": ("createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"),
    "line_items": (
        "amount", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_product_id", "name", "price", "quantity",
    ),
}  # fmt: skip
_READ_ONLY = frozenset({"hs_object_id", "createdate", "lastmodifieddate", "hs_lastmodifieddate"})
# Association type ids of the v4 create payload (PLATFORMS.md 1.4, UNCONFIRMED) -> (object type, v3 label).
_ASSOCIATION_TYPES: Mapping[int, tuple[str, str]] = {
    1: ("companies", "contact_to_company"),
    3: ("contacts", "deal_to_contact"),
    4: ("deals", "contact_to_deal"),
    5: ("companies", "deal_to_company"),
    19: ("deals", "line_item_to_deal"),
    20: ("line_items", "deal_to_line_item"),
}

PropertySelection = Sequence[str] | Literal["all"] | None
"""Which properties to show: the named ones, every stored one, or (``None``) the type's defaults."""


def requested_list(values: Sequence[str]) -> list[str] | None:
    """A repeated and/or comma-separated query parameter as a list; ``None`` when absent."""
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return names or None


def present(
    record: Mapping[str, object],
    object_type: str,
    properties: PropertySelection,
    associations: Sequence[str] | None,
) -> dict[str, object]:
    """The object as HubSpot returns it: selected properties (unset ones as null),
    the identity properties always, and the requested association types that have results."""
    stored = record.get("properties")
    values: Mapping[str, object] = stored if isinstance(stored, dict) else {}
    if properties == "all":
        names: Sequence[str] = list(values)
    elif properties is None:
        names = _DEFAULT_PROPERTIES.get(object_type, ("createdate", "hs_object_id"))
    else:
        names = [*properties, "createdate", "hs_object_id", hubspot_modified_property(object_type)]
    shown = {name: values.get(name) for name in sorted(set(names))}
    body: dict[str, object] = {
        "id": record["id"],
        "properties": shown,
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "archived": record.get("archived", False),
    }
    stored_associations = record.get("associations")
    if associations and isinstance(stored_associations, dict):
        chosen = {name: stored_associations[name] for name in associations if stored_associations.get(name)}
        if chosen:
            body["associations"] = chosen
    return body


def validate_properties(body: Mapping[str, object], object_type: str) -> dict[str, str | None]:
    """The ``properties`` of a write body as strings; raises :class:`Rejection` (400) when invalid."""
    raw = body.get("properties")
    if not isinstance(raw, dict):
        raise Rejection(
            hubspot_error(400, "VALIDATION_ERROR", "Invalid input JSON: properties must be an object.")
        )
    problems: list[dict[str, object]] = []
    accepted: dict[str, str | None] = {}
    for name, value in raw.items():
        text = _as_property_string(value)
        if name in _READ_ONLY:
            problems.append(
                _problem(name, f"{name} is a read only property; its value cannot be set.", "READ_ONLY_VALUE")
            )
        elif text is False:
            problems.append(
                _problem(name, f"Property {name} must be a string, number or boolean.", "INVALID_TYPE")
            )
        elif name == "email" and text and not _looks_like_email(text):
            problems.append(_problem(name, f"Email address {text} is invalid", "INVALID_EMAIL"))
        else:
            accepted[name] = text
    if problems:
        raise Rejection(_validation_error(problems))
    return accepted


def associations_from_create(raw: object) -> dict[str, object]:
    """The v3 ``associations`` block for a create body's v4-style ``associations`` list."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for item in raw if isinstance(raw, list) else []:
        target = item.get("to") if isinstance(item, dict) else None
        types = item.get("types") if isinstance(item, dict) else None
        if not isinstance(target, dict) or not isinstance(types, list) or not types:
            continue
        first = types[0] if isinstance(types[0], dict) else {}
        known = _ASSOCIATION_TYPES.get(int(str(first.get("associationTypeId", 0))))
        if known is not None:
            grouped.setdefault(known[0], []).append({"id": str(target.get("id")), "type": known[1]})
    return {name: {"results": results} for name, results in grouped.items()}


def _as_property_string(value: object) -> str | Literal[False] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return False


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text


def _problem(name: str, message: str, code: str) -> dict[str, object]:
    return {"isValid": False, "message": message, "error": code, "name": name}


def _validation_error(problems: list[dict[str, object]]) -> Response:
    message = "Property values were not valid: " + json.dumps(problems, separators=(",", ":"))
    errors: list[dict[str, object]] = [
        {"message": str(p["message"]), "code": str(p["error"]), "context": {"propertyName": [str(p["name"])]}}
        for p in problems
    ]
    return hubspot_error(400, "VALIDATION_ERROR", message, errors=errors)

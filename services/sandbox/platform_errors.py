"""Each platform's own error bodies (PLATFORMS.md 1.5/1.6, 2.4/2.5, 3.5/3.6), built in one place.

The API modules and the fault injector answer with these so that a client sees exactly the shape
the real platform would send for the same situation.
"""

import json
import uuid
from collections.abc import Mapping

from starlette.responses import Response

from shared.core.model import System

JSON_TYPE = "application/json; charset=utf-8"

_NETSUITE_TYPES: Mapping[int, tuple[str, str]] = {
    400: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1", "Bad Request"),
    401: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2", "Unauthorized"),
    403: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.4", "Forbidden"),
    404: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.5", "Not Found"),
    405: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.6", "Method Not Allowed"),
    429: ("https://www.rfc-editor.org/rfc/rfc6585.html#section-4", "Too Many Requests"),
    500: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.1", "Internal Server Error"),
    503: ("https://www.rfc-editor.org/rfc/rfc9110.html#section-15.6.4", "Service Unavailable"),
}

HUBSPOT_AUTH_MISSING = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more "
    "details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
HUBSPOT_AUTH_INVALID = "The access token provided is invalid or has expired."
SHOPIFY_AUTH_INVALID = "[API] Invalid API key or access token (unrecognized login or wrong password)"
SHOPIFY_THROTTLED = (
    "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
)
NETSUITE_INVALID_LOGIN = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)
NETSUITE_CONCURRENCY = (
    "The request could not be processed because the concurrency limit for this account has been exceeded. "
    "Retry the request later."
)


def json_response(body: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response with compact separators, as the platforms send."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status_code=status, headers=dict(headers or {}), media_type=JSON_TYPE)


def correlation_id() -> str:
    """A fresh HubSpot-style correlation id (a UUID)."""
    return str(uuid.uuid4())


def hubspot_error(
    status: int,
    category: str,
    message: str,
    *,
    errors: list[dict[str, object]] | None = None,
    context: dict[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """HubSpot's CRM error body: ``status``, ``message``, ``correlationId``, ``category`` (+ details)."""
    body: dict[str, object] = {"status": "error", "message": message, "correlationId": correlation_id()}
    if context is not None:
        body["context"] = context
    body["category"] = category
    if errors is not None:
        body["errors"] = errors
    return json_response(body, status, headers)


def hubspot_rate_limited(policy: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """HubSpot's 429: ``errorType: RATE_LIMIT`` and the ``policyName`` of the limit hit."""
    body = {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": correlation_id(),
    }
    return json_response(body, 429, headers)


def shopify_error(status: int, errors: object, headers: Mapping[str, str] | None = None) -> Response:
    """Shopify's REST error body: ``{"errors": <string or field -> messages>}``."""
    return json_response({"errors": errors}, status, headers)


def netsuite_error(
    status: int,
    code: str,
    detail: str,
    *,
    path: str | None = None,
    query_param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """NetSuite's REST error body: ``type``, ``title``, ``status`` and ``o:errorDetails``."""
    kind, title = _NETSUITE_TYPES.get(status, _NETSUITE_TYPES[500])
    detail_body: dict[str, object] = {"detail": detail}
    if path is not None:
        detail_body["o:errorPath"] = path
    if query_param is not None:
        detail_body["o:errorQueryParam"] = query_param
    detail_body["o:errorCode"] = code
    body = {"type": kind, "title": title, "status": status, "o:errorDetails": [detail_body]}
    return json_response(body, status, headers)


def unavailable(system: System) -> Response:
    """The platform's 503 during an outage."""
    if system is System.HUBSPOT:
        return hubspot_error(
            503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later."
        )
    if system is System.SHOPIFY:
        return shopify_error(503, "Service Unavailable")
    return netsuite_error(
        503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later."
    )


def throttled(system: System, retry_after: float) -> Response:
    """The platform's 429 with ``Retry-After`` (seconds), as a rate-limit storm answers."""
    seconds = f"{retry_after:g}"
    if system is System.HUBSPOT:
        message = "You have reached your ten_secondly_rolling limit."
        return hubspot_rate_limited("TEN_SECONDLY_ROLLING", message, {"Retry-After": seconds})
    if system is System.SHOPIFY:
        return shopify_error(429, SHOPIFY_THROTTLED, {"Retry-After": f"{retry_after:.1f}"})
    return netsuite_error(
        429, "CONCURRENCY_LIMIT_EXCEEDED", NETSUITE_CONCURRENCY, headers={"Retry-After": seconds}
    )


class Rejection(Exception):  # a rejection is a response, not an error of the sandbox
    """Raised inside a handler to answer with ``response`` (a platform error) instead."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response

"""Webhook and callback signatures of the three platforms (PLATFORMS.md 1.2, 2.1, 3.1): sign and verify.

Pure: no I/O, no clock. Every time-bound check takes ``now`` as a parameter. Secrets are plain
``str`` (callers unwrap their ``SecretStr`` at the edge); bodies are the raw request bytes, never a
re-serialised payload. Every comparison of a signature uses :func:`hmac.compare_digest`.

Verification never raises for bad input: it returns a :class:`Verification` whose ``failure`` says
why (missing header, malformed value, stale timestamp, mismatch), so that ingest can answer 401 and
count rejections by reason.
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

HUBSPOT_SIGNATURE_HEADER = "X-HubSpot-Signature"
HUBSPOT_SIGNATURE_VERSION_HEADER = "X-HubSpot-Signature-Version"
HUBSPOT_SIGNATURE_V3_HEADER = "X-HubSpot-Signature-v3"
HUBSPOT_TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
SHOPIFY_HMAC_HEADER = "X-Shopify-Hmac-Sha256"
NETSUITE_CALLOUT_SIGNATURE_HEADER = "X-NS-Callout-Signature"
NETSUITE_CALLOUT_TIMESTAMP_HEADER = "X-NS-Callout-Timestamp"

DEFAULT_MAX_AGE = timedelta(minutes=5)
"""HubSpot's v3 window (the SDK's ``MAX_ALLOWED_TIMESTAMP = 300`` s), reused for NetSuite callouts."""

# PLATFORMS.md 1.2 step 2: only these escapes are decoded; the lowercase forms too, since percent
# escapes are case-insensitive (RFC 3986 2.1) and the verifier also accepts the raw URI anyway.
_HUBSPOT_URI_DECODES = {
    "3A": ":",
    "2F": "/",
    "3F": "?",
    "40": "@",
    "21": "!",
    "24": "$",
    "27": "'",
    "28": "(",
    "29": ")",
    "2A": "*",
    "2C": ",",
    "3B": ";",
}
_HUBSPOT_URI_ESCAPE = re.compile("%(" + "|".join(_HUBSPOT_URI_DECODES) + ")", re.IGNORECASE)
_HEX_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


class VerificationFailure(StrEnum):
    """Why a signed request was rejected."""

    MISSING = "missing"
    """A signature or timestamp header was absent or empty."""
    MALFORMED = "malformed"
    """A header was present but unreadable (a timestamp that is not digits, a signature not base64)."""
    STALE = "stale"
    """The timestamp is outside the freshness window (too old, or too far in the future)."""
    MISMATCH = "mismatch"
    """The signature does not match the request under any accepted secret or URI form."""


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying one request: ``failure`` is ``None`` when the signature holds."""

    failure: VerificationFailure | None = None

    @property
    def ok(self) -> bool:
        """Whether the request is authentic (and fresh, where the scheme has a timestamp)."""
        return self.failure is None


VERIFIED = Verification()


def _rejected(reason: VerificationFailure) -> Verification:
    return Verification(failure=reason)


def _sha256_hex(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def _hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _same_text(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def _epoch_ms(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _digits(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 20 else None


def _fresh(timestamp_ms: int, now: datetime, max_age: timedelta) -> bool:
    skew_ms = _epoch_ms(now) - timestamp_ms
    window_ms = max_age // timedelta(milliseconds=1)
    return -window_ms <= skew_ms <= window_ms


# HubSpot ------------------------------------------------------------------------------------------


def decode_hubspot_uri(uri: str) -> str:
    """Decode exactly the percent-escapes of PLATFORMS.md 1.2 step 2 (``%3A`` -> ``:`` ...), one pass.

    One pass means an escaped percent (``%253A``) is left alone, never decoded twice.
    """
    return _HUBSPOT_URI_ESCAPE.sub(lambda match: _HUBSPOT_URI_DECODES[match.group(1).upper()], uri)


def hubspot_v1_signature(secret: str, body: bytes) -> str:
    """v1: lowercase hex SHA-256 of ``secret + body`` (a plain hash, not an HMAC)."""
    return _sha256_hex(secret.encode() + body)


def hubspot_v2_signature(secret: str, method: str, uri: str, body: bytes) -> str:
    """v2: lowercase hex SHA-256 of ``secret + METHOD + URI + body`` (body empty for GET)."""
    return _sha256_hex(secret.encode() + method.upper().encode() + uri.encode() + body)


def hubspot_v3_signature(
    secret: str, method: str, uri: str, body: bytes, timestamp: str, *, decode_uri: bool = False
) -> str:
    """v3: base64 HMAC-SHA256 keyed with ``secret`` over ``METHOD + URI + body + timestamp``.

    ``timestamp`` is the ``X-HubSpot-Request-Timestamp`` header exactly as sent (epoch ms).
    ``decode_uri`` applies :func:`decode_hubspot_uri` first, as HubSpot's docs say; HubSpot's
    Python SDK signs the URI as given, which is the default here.
    """
    signed_uri = decode_hubspot_uri(uri) if decode_uri else uri
    message = method.upper().encode() + signed_uri.encode() + body + timestamp.encode()
    return base64.b64encode(_hmac_sha256(secret, message)).decode()


def hubspot_v3_timestamp(now: datetime) -> str:
    """The ``X-HubSpot-Request-Timestamp`` value for ``now``: epoch milliseconds as a decimal string."""
    return str(_epoch_ms(now))


def verify_hubspot_v1(secret: str, body: bytes, signature: str | None) -> Verification:
    """Check an ``X-HubSpot-Signature`` of version v1 (hex, compared case-insensitively)."""
    if not signature:
        return _rejected(VerificationFailure.MISSING)
    if not _same_text(hubspot_v1_signature(secret, body), signature.lower()):
        return _rejected(VerificationFailure.MISMATCH)
    return VERIFIED


def verify_hubspot_v2(secret: str, method: str, uri: str, body: bytes, signature: str | None) -> Verification:
    """Check an ``X-HubSpot-Signature`` of version v2 (hex, compared case-insensitively)."""
    if not signature:
        return _rejected(VerificationFailure.MISSING)
    if not _same_text(hubspot_v2_signature(secret, method, uri, body), signature.lower()):
        return _rejected(VerificationFailure.MISMATCH)
    return VERIFIED


def verify_hubspot_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> Verification:
    """Check ``X-HubSpot-Signature-v3`` against the raw and the decoded form of ``uri``.

    Both forms are accepted because HubSpot's docs decode the URI while its SDK signs it raw.
    Rejects a timestamp more than ``max_age`` away from ``now`` (either side) before any HMAC.
    """
    if not signature or not timestamp:
        return _rejected(VerificationFailure.MISSING)
    timestamp_ms = _digits(timestamp)
    if timestamp_ms is None:
        return _rejected(VerificationFailure.MALFORMED)
    if not _fresh(timestamp_ms, now, max_age):
        return _rejected(VerificationFailure.STALE)
    for decode_uri in (False, True):
        expected = hubspot_v3_signature(secret, method, uri, body, timestamp, decode_uri=decode_uri)
        if _same_text(expected, signature):
            return VERIFIED
    return _rejected(VerificationFailure.MISMATCH)


# Shopify ------------------------------------------------------------------------------------------


def shopify_webhook_hmac(secret: str, body: bytes) -> str:
    """``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body keyed with the app's API secret."""
    return base64.b64encode(_hmac_sha256(secret, body)).decode()


def verify_shopify_webhook(secrets: Sequence[str], body: bytes, signature: str | None) -> Verification:
    """Check ``X-Shopify-Hmac-Sha256`` against each secret in ``secrets`` (old and new during rotation).

    Compares decoded digests in constant time, as Shopify advises. Raises ``ValueError`` when
    ``secrets`` is empty: that is a configuration error, not a bad request.
    """
    if not secrets:
        raise ValueError("verify_shopify_webhook needs at least one secret")
    if not signature:
        return _rejected(VerificationFailure.MISSING)
    try:
        given = base64.b64decode(signature, validate=True)
    except binascii.Error:
        return _rejected(VerificationFailure.MALFORMED)
    matches = [hmac.compare_digest(_hmac_sha256(secret, body), given) for secret in secrets]
    return VERIFIED if any(matches) else _rejected(VerificationFailure.MISMATCH)


def shopify_query_hmac(secret: str, params: Mapping[str, str]) -> str:
    """Hex HMAC-SHA256 of an OAuth callback query: ``hmac``/``signature`` dropped, ``k=v`` sorted, ``&``-joined."""
    message = "&".join(
        f"{name}={value}" for name, value in sorted(params.items()) if name not in {"hmac", "signature"}
    )
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_shopify_query(secret: str, params: Mapping[str, str]) -> Verification:
    """Check the ``hmac`` parameter of an OAuth callback query (decoded parameters)."""
    signature = params.get("hmac")
    if not signature:
        return _rejected(VerificationFailure.MISSING)
    if not _same_text(shopify_query_hmac(secret, params), signature.lower()):
        return _rejected(VerificationFailure.MISMATCH)
    return VERIFIED


# NetSuite SuiteScript callout (project convention, PLATFORMS.md 3.1) --------------------------------

CalloutEncoding = Literal["base64", "hex"]


def netsuite_callout_timestamp(now: datetime) -> str:
    """The ``X-NS-Callout-Timestamp`` value for ``now``: Unix seconds as a decimal string."""
    return str(_epoch_ms(now) // 1000)


def netsuite_callout_signature(
    secret: str, timestamp: str, body: bytes, *, encoding: CalloutEncoding = "base64"
) -> str:
    """HMAC-SHA256 keyed with ``secret`` over ``timestamp + "." + body``, base64 (default) or hex.

    A SuiteScript author may find hex easier (``N/crypto`` offers both); verification takes either.
    """
    digest = _hmac_sha256(secret, timestamp.encode() + b"." + body)
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()


def _callout_digest(signature: str) -> bytes | None:
    if _HEX_SHA256.match(signature):
        return bytes.fromhex(signature)
    try:
        return base64.b64decode(signature, validate=True)
    except binascii.Error:
        return None


def verify_netsuite_callout(
    secret: str,
    body: bytes,
    *,
    signature: str | None,
    timestamp: str | None,
    now: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> Verification:
    """Check a callout's signature (hex or base64) and that its Unix-seconds timestamp is within ``max_age``."""
    if not signature or not timestamp:
        return _rejected(VerificationFailure.MISSING)
    timestamp_s = _digits(timestamp)
    given = _callout_digest(signature)
    if timestamp_s is None or given is None:
        return _rejected(VerificationFailure.MALFORMED)
    if not _fresh(timestamp_s * 1000, now, max_age):
        return _rejected(VerificationFailure.STALE)
    expected = _hmac_sha256(secret, timestamp.encode() + b"." + body)
    return VERIFIED if hmac.compare_digest(expected, given) else _rejected(VerificationFailure.MISMATCH)

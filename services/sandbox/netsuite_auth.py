"""NetSuite token-based authentication (OAuth 1.0a, HMAC-SHA256) verified as NetSuite does (PLATFORMS.md 3.2).

The signature is recomputed with oauthlib's RFC 5849 functions: query parameters plus the
``oauth_*`` header parameters (no ``realm``, no ``oauth_signature``, never a JSON body), the
base string URI of the request as received, and the key ``consumer_secret&token_secret``.
Besides the signature: the realm must be the account id, the consumer key and token must be the
configured ones, the method HMAC-SHA256, the nonce at least 6 characters and not seen before,
and the timestamp within five minutes of the wall clock.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from oauthlib.oauth1.rfc5849 import (  # type: ignore[import-untyped]  # oauthlib ships no type information
    signature,
    utils,
)

MAX_CLOCK_SKEW_SECONDS = 300
MIN_NONCE_LENGTH = 6


@dataclass(frozen=True)
class TokenCredentials:
    """The integration's consumer and the user's access token, as configured in the account."""

    realm: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


@dataclass(frozen=True)
class _SignedRequest:
    """What oauthlib's ``verify_hmac_sha256`` reads from a request."""

    http_method: str
    uri: str
    params: list[tuple[str, str]]
    signature: str


class TokenVerifier:
    """Checks the ``Authorization: OAuth ...`` header of one request; remembers nonces it accepted."""

    def __init__(self, credentials: TokenCredentials, *, wall_clock: Callable[[], float] = time.time) -> None:
        self._credentials = credentials
        self._wall_clock = wall_clock
        self._seen_nonces: dict[str, float] = {}

    def problem(self, method: str, url: str, query: str, authorization: str | None) -> str | None:
        """Why the request is not authenticated, or ``None`` when it is.

        ``url`` is the absolute URL as the client called it; ``query`` its raw query string.
        """
        if not authorization or not authorization.startswith("OAuth "):
            return "no OAuth authorization header"
        header = dict(utils.parse_authorization_header(authorization))
        mismatch = self._parameter_problem(header)
        if mismatch is not None:
            return mismatch
        params = signature.collect_parameters(
            uri_query=query,
            headers={"Authorization": authorization},
            exclude_oauth_signature=True,
            with_realm=False,
        )
        signed = _SignedRequest(
            method.upper(), url, params, utils.unescape(header.get("oauth_signature", ""))
        )
        if not signature.verify_hmac_sha256(
            signed, self._credentials.consumer_secret, self._credentials.token_secret
        ):
            return "signature mismatch"
        self._remember(header["oauth_nonce"])
        return None

    def _parameter_problem(self, header: dict[str, str]) -> str | None:
        credentials = self._credentials
        expected = {
            "realm": credentials.realm,
            "oauth_consumer_key": credentials.consumer_key,
            "oauth_token": credentials.token_id,
            "oauth_signature_method": "HMAC-SHA256",
        }
        for name, value in expected.items():
            if utils.unescape(header.get(name, "")) != value:
                return f"{name} does not match"
        if header.get("oauth_version", "1.0") != "1.0":
            return "oauth_version must be 1.0"
        nonce = header.get("oauth_nonce", "")
        if len(nonce) < MIN_NONCE_LENGTH or nonce in self._seen_nonces:
            return "nonce too short or already used"
        timestamp = header.get("oauth_timestamp", "")
        if not timestamp.isdigit() or abs(self._wall_clock() - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
            return "timestamp missing or outside the allowed window"
        return None

    def _remember(self, nonce: str) -> None:
        now = self._wall_clock()
        # A nonce only needs remembering while its timestamp could still be accepted.
        horizon = now - 2 * MAX_CLOCK_SKEW_SECONDS
        self._seen_nonces = {seen: at for seen, at in self._seen_nonces.items() if at > horizon}
        self._seen_nonces[nonce] = now

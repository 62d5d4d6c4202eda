"""A minimal OpenID Connect provider for the dashboard's SSO sign-in test.

It speaks the real protocol over real HTTP: discovery, the authorization-code flow with ``state`` and
``nonce``, client authentication at the token endpoint, and RS256-signed ID tokens verified against its
JWKS. So Streamlit's own ``st.login`` (Authlib) runs unchanged against it. What it leaves out is the
login form: it vouches for whichever e-mail the test set in ``signs_in``.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.sandbox import free_port, wait_until


@dataclass
class OidcProvider:
    """One client (``client_id``/``client_secret``) and the user it signs in (``signs_in``)."""

    issuer: str
    client_id: str = "concord-dashboard"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    signs_in: str = "olivia@acme.example"
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens_issued: int = 0

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self._discovery),
            Route("/authorize", self._authorize),
            Route("/token", self._token, methods=["POST"]),
            Route("/jwks", self._jwks),
        ])  # fmt: skip

    async def _discovery(self, _: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        })  # fmt: skip

    async def _authorize(self, request: Request) -> Response:
        query = request.query_params
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query.get("nonce", ""), "redirect_uri": query["redirect_uri"]}
        back = {"code": code, "state": query.get("state", "")}
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        client_id, client_secret = _client_credentials(request, form)
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code", "")), None)  # a code is good once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        self.tokens_issued += 1
        now = int(time.time())
        claims = {
            "iss": self.issuer, "sub": f"user-{self.signs_in}", "aud": self.client_id, "iat": now,
            "exp": now + 300, "nonce": grant["nonce"], "email": self.signs_in, "email_verified": True,
        }  # fmt: skip
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
        return JSONResponse({
            "access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
            "id_token": id_token, "scope": "openid email profile",
        })  # fmt: skip

    async def _jwks(self, _: Request) -> Response:
        public = self.key.as_dict(private=False)
        return JSONResponse({"keys": [{**public, "use": "sig", "alg": "RS256", "kid": "k1"}]})


def _client_credentials(request: Request, form: FormData) -> tuple[str, str]:
    """``client_secret_basic`` (Authlib's default; each part form-encoded) or ``client_secret_post``."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        client_id, _, client_secret = base64.b64decode(header[6:]).decode().partition(":")
        return unquote_plus(client_id), unquote_plus(client_secret)
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


@contextlib.contextmanager
def serve_oidc_provider(**options: str) -> Iterator[OidcProvider]:
    """An :class:`OidcProvider` listening on a free local port until the block ends."""
    port = free_port()
    provider = OidcProvider(issuer=f"http://127.0.0.1:{port}", **options)
    server = uvicorn.Server(uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 20.0, "the OIDC provider to start")
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)

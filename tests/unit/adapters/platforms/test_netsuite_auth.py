"""NetSuite TBA signing through oauthlib, checked against Oracle's published worked example."""

import httpx
from pydantic import SecretStr

from shared.adapters.platforms.netsuite import NetSuiteAuth
from shared.adapters.platforms.settings import NetSuiteSettings

ORACLE = NetSuiteSettings(
    account_id="123456",
    consumer_key=SecretStr("ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4"),
    consumer_secret=SecretStr("d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5"),
    token_id=SecretStr("2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc"),
    token_secret=SecretStr("c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295"),
)


def _params(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    pairs = (item.strip().split("=", 1) for item in header[len("OAuth ") :].split(","))
    return {key: value.strip('"') for key, value in pairs}


def test_rest_get_signature_matches_oracles_worked_example() -> None:
    auth = NetSuiteAuth(ORACLE, nonce="fjaLirsIcCGVZWzBX0pg", timestamp="1508242306")
    header = auth.authorization(
        "GET", "https://123456.suitetalk.api.netsuite.com/services/rest/record/v1/employee/40"
    )
    params = _params(header)
    assert params["oauth_signature"] == "B5OIWznZ2YP0OB7VrJrGkYsTh%2B8H%2B5T9Hag%2Bo92q0zY%3D"
    assert params["realm"] == "123456"
    assert params["oauth_signature_method"] == "HMAC-SHA256"


def test_restlet_post_signature_includes_query_parameters() -> None:
    auth = NetSuiteAuth(ORACLE, nonce="fjaLirsIcCGVZWzBX0pg", timestamp="1508242306")
    url = (
        "https://123456.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
        "?script=6&deploy=1&customParam=someValue&testParam=someOtherValue"
    )
    assert (
        _params(auth.authorization("POST", url))["oauth_signature"]
        == "%2BKK4SKNgz4ZiILGLwOMtfYlgcXSy1eis8ldE9X90azQ%3D"
    )


def test_signed_request_carries_the_realm_and_no_body_hash() -> None:
    auth = NetSuiteAuth(ORACLE.model_copy(update={"account_id": "1234567_SB1"}))
    request = httpx.Request(
        "PATCH", "https://x.example/services/rest/record/v1/customer/1", json={"email": "a@b.c"}
    )
    signed = next(auth.auth_flow(request))
    params = _params(signed.headers["Authorization"])
    assert params["realm"] == "1234567_SB1"
    assert "oauth_body_hash" not in params
    assert len(params["oauth_nonce"]) >= 6

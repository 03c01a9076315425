"""Forged, stale and misused tokens all get 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from tests.api_client import Api, Session
from tests.conftest import TEST_SECRET


def _claims(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _me(api: Api, token: str) -> int:
    return api.get("/v1/auth/me", token=token).status


@pytest.fixture
def session(api: Api) -> Session:
    return api.register()


def test_alg_none_is_rejected(api: Api, session: Session) -> None:
    claims = _claims(session.access_token)
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(
        b"="
    )
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    assert _me(api, f"{header.decode()}.{body.decode()}.") == 401


def test_other_keys_and_algorithms_are_rejected(api: Api, session: Session) -> None:
    claims = _claims(session.access_token)
    assert (
        _me(api, jwt.encode(claims, "some-other-secret-of-enough-length-000000", algorithm="HS256"))
        == 401
    )
    assert _me(api, jwt.encode(claims, TEST_SECRET * 2, algorithm="HS512")) == 401
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert _me(api, jwt.encode(claims, key, algorithm="RS256")) == 401
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # the classic confusion attack: HS256 "signed" with the public key as the HMAC secret
    payload = json.dumps(claims).encode()
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
    body = base64.urlsafe_b64encode(payload).rstrip(b"=")
    sig = base64.urlsafe_b64encode(
        hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    ).rstrip(b"=")
    assert _me(api, (header + b"." + body + b"." + sig).decode()) == 401


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "someone-else"),
        ("aud", "another-api"),
        ("exp", 1),
        ("nbf", 4102444800),
        ("typ", "refresh"),
    ],
)
def test_wrong_claims_are_rejected(api: Api, session: Session, claim: str, value: object) -> None:
    claims = _claims(session.access_token)
    claims[claim] = value
    assert _me(api, jwt.encode(claims, TEST_SECRET, algorithm="HS256")) == 401


def test_missing_required_claims_are_rejected(api: Api, session: Session) -> None:
    for missing in ("sid", "jti", "exp", "sub"):
        claims = _claims(session.access_token)
        del claims[missing]
        assert _me(api, jwt.encode(claims, TEST_SECRET, algorithm="HS256")) == 401, missing


def test_expired_token_says_so(api: Api, session: Session) -> None:
    claims = _claims(session.access_token)
    claims["exp"] = int(time.time()) - 1
    reply = api.get("/v1/auth/me", token=jwt.encode(claims, TEST_SECRET, algorithm="HS256"))
    assert reply.status == 401 and reply.error_code == "TOKEN_EXPIRED"


def test_tampered_payload_is_rejected(api: Api, session: Session) -> None:
    header, body, sig = session.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["role"] = "admin"
    claims["adm"] = "superadmin"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert _me(api, f"{header}.{forged_body}.{sig}") == 401


def test_refresh_token_is_not_an_access_token_and_back(api: Api, session: Session) -> None:
    assert _me(api, session.refresh_token) == 401
    reply = api.post("/v1/auth/refresh", {"refresh_token": session.access_token})
    assert reply.status == 401


def test_role_claims_cannot_outrank_the_stored_role(api: Api, session: Session) -> None:
    claims = _claims(session.access_token)
    claims.update(role="admin", adm="superadmin")
    # Even a validly signed token whose role claims outrank the stored role grants nothing.
    forged_but_signed = jwt.encode(claims, TEST_SECRET, algorithm="HS256")
    assert api.get("/v1/admin/users", token=forged_but_signed).status == 403


def test_deactivated_and_deleted_users_tokens_stop_at_once(api: Api) -> None:
    boss = api.superadmin()
    victim = api.register()
    assert _me(api, victim.access_token) == 200
    api.post(f"/v1/admin/users/{victim.user_id}/deactivate", token=boss.access_token)
    reply = api.get("/v1/auth/me", token=victim.access_token)
    assert reply.status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": victim.refresh_token}).status == 401
    gone = api.register()
    api.delete(f"/v1/admin/users/{gone.user_id}", token=boss.access_token)
    assert _me(api, gone.access_token) == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": gone.refresh_token}).status == 401

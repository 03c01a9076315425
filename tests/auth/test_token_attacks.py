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


# --- added with the attack suites of issue 6 ------------------------------------------------


def test_token_issued_in_the_future_is_rejected(api: Api, session: Session) -> None:
    claims = _claims(session.access_token)
    claims["iat"] = int(time.time()) + 3600
    claims["nbf"] = claims["iat"]
    assert _me(api, jwt.encode(claims, TEST_SECRET, algorithm="HS256")) == 401


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a",
        "a.b",
        "a.b.c",
        "....",
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln",  # payload is not JSON
        "eyJhbGciOiJIUzI1NiJ9.W10.c2ln",  # payload is a JSON array
        "x" * 20_000,
        "\u00e9t\u00e9.\u00e9t\u00e9.\u00e9t\u00e9",
    ],
)
def test_malformed_tokens_are_401_not_500(api: Api, token: str) -> None:
    reply = api.get("/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401, reply.body
    assert reply.headers["www-authenticate"].startswith("Bearer")


def test_wrong_schemes_and_places_are_not_accepted(api: Api, session: Session) -> None:
    for header in (f"Basic {session.access_token}", f"Token {session.access_token}", "Bearer"):
        assert api.get("/v1/auth/me", headers={"Authorization": header}).status == 401, header
    # a token in the query string or a cookie is not a credential here
    assert api.get(f"/v1/auth/me?access_token={session.access_token}").status == 401
    cookie = {"Cookie": f"access_token={session.access_token}"}
    assert api.get("/v1/auth/me", headers=cookie).status == 401


def test_logged_out_tokens_are_revoked_at_once(api: Api) -> None:
    who = api.register()
    other = api.login(who.user["username"])
    assert api.post("/v1/auth/logout", {}, token=who.access_token).status == 200
    assert _me(api, who.access_token) == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": who.refresh_token}).status == 401
    assert _me(api, other.access_token) == 200  # only that session ended
    assert (
        api.post("/v1/auth/logout", {"all_sessions": True}, token=other.access_token).status == 200
    )
    assert _me(api, other.access_token) == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": other.refresh_token}).status == 401


def test_replayed_refresh_token_revokes_its_whole_family(api: Api) -> None:
    who = api.register()
    first = api.post("/v1/auth/refresh", {"refresh_token": who.refresh_token})
    assert first.status == 200
    rotated = first.data
    # the attacker replays the stolen (already used) refresh token
    replay = api.post("/v1/auth/refresh", {"refresh_token": who.refresh_token})
    assert replay.status == 401
    # ...and every token of that session family is dead, the legitimate holder's included
    assert _me(api, rotated["access_token"]) == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    again = api.login(who.user["username"])
    events = api.get("/v1/users/me/security-events", token=again.access_token).data
    assert any(e["event_type"] == "refresh_token_reuse" for e in events)


def test_password_change_revokes_tokens_of_other_sessions(api: Api) -> None:
    who = api.register()
    stolen = api.login(who.user["username"])
    reply = api.post(
        "/v1/auth/password",
        {"current_password": who.password, "new_password": "a-brand-new-passphrase-7"},
        token=who.access_token,
    )
    assert reply.status == 200, reply.body
    assert _me(api, stolen.access_token) == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": stolen.refresh_token}).status == 401
    assert _me(api, who.access_token) == 200


def test_signed_token_for_an_unknown_session_or_user_is_rejected(
    api: Api, session: Session
) -> None:
    """Even with our key (e.g. a leaked one, rotated since), the session must exist and match."""
    for claim, value in (("sid", "ses_does_not_exist"), ("sub", "usr_does_not_exist")):
        claims = _claims(session.access_token)
        claims[claim] = value
        assert _me(api, jwt.encode(claims, TEST_SECRET, algorithm="HS256")) == 401, claim
    other = api.register()
    claims = _claims(session.access_token)
    claims["sid"] = _claims(other.access_token)["sid"]  # someone else's live session
    assert _me(api, jwt.encode(claims, TEST_SECRET, algorithm="HS256")) == 401

"""Settings per stage, validated at start-up, with errors that name the variable."""

from __future__ import annotations

import pytest

from chalicelib.core.settings import SettingsError, load_settings

SECRET = "s" * 40


def test_stage_defaults_name_resources_per_stage() -> None:
    dev = load_settings({"JANUS_STAGE": "dev"})
    prod = load_settings(
        {"JANUS_STAGE": "prod", "JANUS_TOKEN_SECRET_PARAMETER": "/janus/prod/token-secret"}
    )
    assert dev.users_table == "janus-dev-users" and prod.users_table == "janus-prod-users"
    assert prod.images_bucket == "janus-prod-images"
    assert dev.access_token_ttl_seconds == 900 and dev.password_policy.min_length == 12


def test_environment_overrides_including_nested_policies() -> None:
    s = load_settings(
        {
            "JANUS_STAGE": "test",
            "JANUS_USERS_TABLE": "custom-users",
            "JANUS_CORS_ORIGINS": "https://a.example, http://localhost:3000",
            "JANUS_LOCKOUT_POLICY_ACCOUNT_MAX_FAILURES": "3",
            "JANUS_PASSWORD_POLICY_MIN_LENGTH": "16",
            "JANUS_PAGE_SIZE_DEFAULT": "50",
        }
    )
    assert s.users_table == "custom-users"
    assert s.cors_origins == ("https://a.example", "http://localhost:3000")
    assert s.lockout_policy.account_max_failures == 3 and s.password_policy.min_length == 16
    assert s.page_size_default == 50


def test_prod_has_no_default_signing_key() -> None:
    with pytest.raises(SettingsError, match="JANUS_TOKEN_SECRET_PARAMETER"):
        load_settings({"JANUS_STAGE": "prod"})


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"JANUS_STAGE": "staging"}, "JANUS_STAGE"),
        ({"JANUS_ACCESS_TOKEN_TTL_SECONDS": "soon"}, "JANUS_ACCESS_TOKEN_TTL_SECONDS"),
        ({"JANUS_ACCESS_TOKEN_TTL_SECONDS": "5"}, "JANUS_ACCESS_TOKEN_TTL_SECONDS"),
        ({"JANUS_CORS_ORIGINS": "app.example.com"}, "JANUS_CORS_ORIGINS"),
        ({"JANUS_TOKEN_SECRET": "short"}, "JANUS_TOKEN_SECRET"),
        ({"JANUS_LOCKOUT_POLICY_WINDOW_SECONDS": "-1"}, "JANUS_LOCKOUT_POLICY_WINDOW_SECONDS"),
        ({"JANUS_PASSWORD_POLICY_MIN_LENGTH": "4"}, "JANUS_PASSWORD_POLICY_MIN_LENGTH"),
    ],
)
def test_malformed_settings_stop_start_up_naming_the_variable(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"JANUS_TOKEN_SECRET": SECRET, **env})
    assert named in str(info.value)


def test_secret_never_in_repr() -> None:
    s = load_settings({"JANUS_STAGE": "test", "JANUS_TOKEN_SECRET": SECRET})
    assert SECRET not in repr(s)


def test_signing_secret_from_ssm_in_prod(aws: object, env: pytest.MonkeyPatch) -> None:
    from chalicelib.auth import keys
    from chalicelib.core.settings import reset_settings
    from chalicelib.store.aws import client

    client("ssm").put_parameter(
        Name="/janus/prod/token-secret", Value="p" * 48, Type="SecureString"
    )
    env.setenv("JANUS_STAGE", "prod")
    env.delenv("JANUS_TOKEN_SECRET")
    env.setenv("JANUS_TOKEN_SECRET_PARAMETER", "/janus/prod/token-secret")
    reset_settings()
    keys.reset_keys()
    assert keys.signing_secret() == b"p" * 48

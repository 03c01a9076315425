"""Secrets from AWS Systems Manager Parameter Store (SecureString, decrypted by KMS)."""

from __future__ import annotations

from chalicelib.store.aws import client


def read_secure_parameter(name: str) -> str:
    response = client("ssm").get_parameter(Name=name, WithDecryption=True)
    return str(response["Parameter"]["Value"])

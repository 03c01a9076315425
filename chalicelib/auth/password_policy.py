"""What makes a password acceptable: length over composition rules (NIST SP 800-63B).

A weak password is rejected with every reason at once, so a person fixes it in one go.
"""

from __future__ import annotations

from chalicelib.core.settings import PasswordPolicy

# The most common passwords of 8+ characters in public breach corpora; a real password
# manager suggestion is never among them.
_COMMON = frozenset(
    [
        "password",
        "passw0rd",
        "password1",
        "password12",
        "password123",
        "password1234",
        "password12345",
        "123456789",
        "1234567890",
        "12345678910",
        "123456789012",
        "1234567890123",
        "qwertyuiop",
        "qwertyuiop123",
        "qwerty123",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "zaq12wsx",
        "iloveyou123",
        "sunshine123",
        "princess123",
        "football123",
        "baseball123",
        "welcome123",
        "welcome1234",
        "letmein123",
        "trustno1234",
        "superman123",
        "dragon12345",
        "monkey12345",
        "abc123456789",
        "abcdefghijkl",
        "administrator",
        "admin1234567",
        "changeme1234",
        "changeme123",
        "p@ssw0rd123",
        "passwordpassword",
        "qwertyqwerty",
        "asdfghjkl123",
        "asdfghjkl",
        "zxcvbnm12345",
        "111111111111",
        "000000000000",
        "123123123123",
        "987654321012",
        "letmeinplease",
        "correcthorsebatterystaple",
    ]
)


def problems(password: str, *, policy: PasswordPolicy, username: str, email: str) -> list[str]:
    found: list[str] = []
    if len(password) < policy.min_length:
        found.append(f"must be at least {policy.min_length} characters long")
    if len(password) > policy.max_length:
        found.append(f"must be at most {policy.max_length} characters long")
    if len(set(password)) < policy.min_distinct_chars:
        found.append(f"must use at least {policy.min_distinct_chars} different characters")
    lowered = password.lower()
    if lowered in _COMMON:
        found.append("is one of the most common passwords")
    for label, value in (("username", username), ("email address", email.split("@")[0])):
        if len(value) >= 4 and value.lower() in lowered:
            found.append(f"must not contain your {label}")
    return found

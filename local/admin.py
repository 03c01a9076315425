"""Admin commands: create the first superadmin, seed demo data.

Against a local instance (``make admin``, ``make seed``: the running ``make run`` on moto) or,
with ``--aws``, against the tables of the stage named by ``JANUS_STAGE`` using your AWS
credentials — the way the first superadmin of a deployed stage is made.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_admin_from_env() -> None:
    username = os.environ.get("JANUS_ADMIN_USERNAME")
    password = os.environ.get("JANUS_ADMIN_PASSWORD")
    if not username or not password:
        return
    from chalicelib.services.bootstrap import ensure_superadmin

    email = os.environ.get("JANUS_ADMIN_EMAIL", f"{username}@janus.local")
    user, created = ensure_superadmin(username, email, password)
    print(
        f"superadmin {user.username} {'created' if created else 'ensured'} ({user.user_id})",
        flush=True,
    )


DEMO_USERS = [
    ("ada", "ada@example.com", "user", None),
    ("grace", "grace@example.com", "user", None),
    ("linus", "linus@example.com", "admin", "moderator"),
]
DEMO_PASSWORD = "demo-password-2026"


def seed_demo() -> None:
    from chalicelib.core.errors import Conflict
    from chalicelib.models.users import RegisterRequest
    from chalicelib.services.accounts import new_user_record
    from chalicelib.store import users as user_store

    for username, email, role, level in DEMO_USERS:
        req = RegisterRequest(username=username, email=email, password=DEMO_PASSWORD)
        try:
            user_store.create(new_user_record(req, role=role, admin_level=level))
            print(f"created {role:5} {username} (password: {DEMO_PASSWORD})")
        except Conflict:
            print(f"exists  {role:5} {username}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local.admin", description=__doc__)
    parser.add_argument("command", choices=["create-superadmin", "seed-demo"])
    parser.add_argument("--aws", action="store_true", help="use real AWS, not the local instance")
    parser.add_argument("--username", default=os.environ.get("JANUS_ADMIN_USERNAME"))
    parser.add_argument("--email", default=os.environ.get("JANUS_ADMIN_EMAIL"))
    args = parser.parse_args(argv)
    if not args.aws:
        from local.serve import prepare_environment

        data_dir = Path(os.environ.get("JANUS_LOCAL_DIR", ROOT / ".janus-local"))
        prepare_environment(data_dir, int(os.environ.get("JANUS_MOTO_PORT", "4567")))
    from chalicelib.core.errors import AppError

    try:
        if args.command == "seed-demo":
            seed_demo()
            return
        username = args.username or input("username: ")
        email = args.email or f"{username}@janus.local"
        password = os.environ.get("JANUS_ADMIN_PASSWORD") or getpass.getpass("password: ")
        os.environ["JANUS_ADMIN_USERNAME"], os.environ["JANUS_ADMIN_PASSWORD"] = username, password
        os.environ["JANUS_ADMIN_EMAIL"] = email
        ensure_admin_from_env()
    except AppError as exc:
        sys.exit(f"error: {exc.message} {exc.details or ''}")
    except Exception as exc:  # connection refused and the like: say what to do
        sys.exit(f"error: {exc} (is `make run` running? use --aws for a deployed stage)")


if __name__ == "__main__":
    main()

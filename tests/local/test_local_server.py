"""``make run`` end to end: the real app over HTTP on moto, data kept across a restart."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "local-admin-passphrase-1"
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(
    base: str, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@contextmanager
def _server(data_dir: Path, env_extra: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    port, moto_port = _free_port(), _free_port()
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith(("JANUS_", "AWS_"))}
        | {"PORT": str(port), "JANUS_MOTO_PORT": str(moto_port), "JANUS_LOCAL_DIR": str(data_dir)}
        | env_extra
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "local.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    threading.Thread(
        target=lambda: [lines.put(line) for line in proc.stdout or []], daemon=True
    ).start()
    try:
        while True:
            line = lines.get(timeout=60)
            seen.append(line)
            if "listening on" in line:
                break
        yield f"http://127.0.0.1:{port}", seen
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        while not lines.empty():
            seen.append(lines.get())


def test_local_server_serves_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    admin_env = {"JANUS_ADMIN_USERNAME": "localroot", "JANUS_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with _server(tmp_path, admin_env) as (base, out):
        status, health = _call(base, "GET", "/v1/health")
        assert (
            status == 200
            and health["data"]["dynamodb"] == "ok"
            and health["data"]["stage"] == "dev"
        )
        status, reg = _call(
            base,
            "POST",
            "/v1/auth/register",
            {
                "username": "persisted",
                "email": "persisted@example.com",
                "password": "keep-me-around-please",
            },
        )
        assert status == 201
        status, admin = _call(
            base, "POST", "/v1/auth/login", {"login": "localroot", "password": ADMIN_PASSWORD}
        )
        assert status == 200 and admin["data"]["user"]["admin_level"] == "superadmin"
        assert any("superadmin localroot created" in line for line in out)
    assert (tmp_path / "snapshot" / "dynamodb.json").exists()

    with _server(tmp_path, {}) as (base, out):
        status, again = _call(
            base,
            "POST",
            "/v1/auth/login",
            {"login": "persisted", "password": "keep-me-around-please"},
        )
        assert status == 200 and again["data"]["user"]["user_id"] == reg["data"]["user"]["user_id"]
        token = again["data"]["tokens"]["access_token"]
        status, logs = _call(base, "GET", "/v1/users/me/logs", token=token)
        assert status == 200 and [e["action"] for e in logs["data"]][-1] == "POST /v1/auth/register"
        # the admin commands talk to this running instance
        seed = subprocess.run(
            [sys.executable, "-m", "local.admin", "seed-demo"],
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith(("JANUS_", "AWS_"))}
            | {"JANUS_LOCAL_DIR": str(tmp_path), "JANUS_MOTO_PORT": _moto_port_of(out)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert seed.returncode == 0, seed.stderr
        status, _ = _call(
            base, "POST", "/v1/auth/login", {"login": "ada", "password": "demo-password-2026"}
        )
        assert status == 200
        status, _ = _call(base, "GET", "/v1/nope")
        assert status == 404


def _moto_port_of(out: list[str]) -> str:
    line = next(line for line in out if "listening on" in line)
    return line.split("moto on 127.0.0.1:")[1].split(",")[0]

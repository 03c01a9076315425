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

from tests.corpus import corpus_bytes

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


class _Output:
    """The server's output lines, read as they come (so a test waits for events, not for time)."""

    def __init__(self, lines: queue.Queue[str]) -> None:
        self._lines = lines
        self.seen: list[str] = []

    def wait_for(self, text: str, timeout: float = 120) -> str:
        for line in self.seen:
            if text in line:
                return line
        while True:
            line = self._lines.get(timeout=timeout)
            self.seen.append(line)
            if text in line:
                return line


@contextmanager
def _server(data_dir: Path, env_extra: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    with _running(data_dir, env_extra) as (base, output):
        yield base, output.seen


@contextmanager
def _running(data_dir: Path, env_extra: dict[str, str]) -> Iterator[tuple[str, _Output]]:
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
    threading.Thread(
        target=lambda: [lines.put(line) for line in proc.stdout or []], daemon=True
    ).start()
    output = _Output(lines)
    try:
        output.wait_for("listening on", timeout=90)
        yield f"http://127.0.0.1:{port}", output
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        while not lines.empty():
            output.seen.append(lines.get())


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


def test_upload_through_presigned_post_is_analysed_end_to_end(tmp_path: Path) -> None:
    import requests

    data = corpus_bytes("bs-login.png")
    admin_env = {"JANUS_ADMIN_USERNAME": "localroot", "JANUS_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with _running(tmp_path, admin_env) as (base, output):
        status, reg = _call(
            base,
            "POST",
            "/v1/auth/register",
            {
                "username": "uploader",
                "email": "uploader@example.com",
                "password": "pictures-please-42",
            },
        )
        assert status == 201
        status, login = _call(
            base, "POST", "/v1/auth/login", {"login": "uploader", "password": "pictures-please-42"}
        )
        token = login["data"]["tokens"]["access_token"]
        status, created = _call(
            base,
            "POST",
            "/v1/images",
            {"filename": "bs-login.png", "content_type": "image/png", "size_bytes": len(data)},
            token=token,
        )
        assert status == 201
        image_id = created["data"]["image"]["image_id"]
        ticket = created["data"]["upload"]
        # exactly what a browser form does: the policy fields, then the file, as multipart/form-data
        upload = requests.post(
            ticket["url"],
            data=ticket["fields"],
            files={"file": ("bs-login.png", data, "image/png")},
            timeout=30,
        )
        assert upload.status_code in (200, 201, 204), upload.text
        output.wait_for(f'"image_id": "{image_id}"', timeout=180)
        status, image = _call(base, "GET", f"/v1/images/{image_id}", token=token)
        assert status == 200 and image["data"]["status"] == "analyzed", image
        assert image["data"]["metadata"]["width"] == 1280
        status, analysis = _call(base, "GET", f"/v1/images/{image_id}/analysis", token=token)
        assert status == 200 and analysis["data"]["palette"][0]["hex"] == "#ffffff"
        # the stream poller keeps everyone's running aggregates, as the rollup function does
        output.wait_for("rollups updated", timeout=60)
        status, admin = _call(
            base, "POST", "/v1/auth/login", {"login": "localroot", "password": ADMIN_PASSWORD}
        )
        admin_token = admin["data"]["tokens"]["access_token"]
        status, everyone = _call(
            base, "GET", "/v1/analytics/summary?user_id=all", token=admin_token
        )
        assert status == 200 and everyone["data"]["images_analysed"] == 1, everyone
        tokens = urllib.request.Request(f"{base}/v1/images/{image_id}/tokens?format=css")
        tokens.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(tokens, timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/css")
            assert ":root" in response.read().decode()
        thumbnail = requests.get(image["data"]["thumbnail_url"], timeout=30)
        assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"
        status, _ = _call(base, "DELETE", f"/v1/images/{image_id}", token=token)
        assert status == 200
        assert requests.get(image["data"]["original_url"], timeout=30).status_code in (403, 404)
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{_moto_port_of(output.seen)}",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        user_id = reg["data"]["user"]["user_id"]
        for prefix in ("uploads/", "thumbnails/", "analyses/"):
            listed = s3.list_objects_v2(Bucket="janus-dev-images", Prefix=f"{prefix}{user_id}/")
            assert listed.get("KeyCount", 0) == 0, prefix

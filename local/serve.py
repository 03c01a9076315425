"""``make run``: the real Chalice app over HTTP, with moto standing in for AWS.

- moto runs as a server on 127.0.0.1 (``JANUS_MOTO_PORT``, default 4567), and every boto3
  client is pointed at it with ``AWS_ENDPOINT_URL`` — so browsers can later upload to its S3;
- tables and bucket are created from ``infra/resources.json``, as in production;
- data survives restarts through snapshots in ``.janus-local/`` (see ``local/persistence.py``);
- uploads to moto's S3 reach the analysis handler through the same S3 → SQS notification as in
  AWS, and a poller hands each message to it (``local/analysis_poller.py``);
- ``JANUS_ADMIN_USERNAME``/``JANUS_ADMIN_PASSWORD`` (and optional ``JANUS_ADMIN_EMAIL``) make
  sure a superadmin with those credentials exists.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
_READ_TARGETS = (
    "GetItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "DescribeTable",
    "ListTables",
    "DescribeTimeToLive",
    "TransactGetItems",
)


class _Changes:
    """Set whenever moto receives a request that changes data."""

    def __init__(self) -> None:
        self.event = threading.Event()


class RecordingMotoServer(ThreadedMotoServer):  # type: ignore[misc]
    def __init__(self, changes: _Changes, port: int) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self._changes = changes

    def _server_entry(self) -> None:
        inner = DomainDispatcherApplication(create_backend_app)
        changes = self._changes

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            method = environ.get("REQUEST_METHOD", "GET")
            target = environ.get("HTTP_X_AMZ_TARGET", "")
            if method in ("PUT", "POST", "DELETE") and not target.endswith(_READ_TARGETS):
                changes.event.set()
            return inner(environ, start_response)

        self._server = make_server(self._ip_address, self._port, app, True)
        self._server_ready_event.set()
        self._server.serve_forever()


def _token_secret(data_dir: Path) -> str:
    path = data_dir / "token-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def prepare_environment(data_dir: Path, moto_port: int) -> None:
    """Point this process at the local moto and give it a stable dev stage."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("JANUS_STAGE", "dev")
    os.environ.setdefault("JANUS_TOKEN_SECRET", _token_secret(data_dir))
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.pop("AWS_PROFILE", None)


def main() -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    moto_port = int(os.environ.get("JANUS_MOTO_PORT", "4567"))
    data_dir = Path(os.environ.get("JANUS_LOCAL_DIR", ROOT / ".janus-local"))
    prepare_environment(data_dir, moto_port)

    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    from chalicelib.core.settings import SettingsError, get_settings
    from chalicelib.core.structured_logs import configure as configure_logs
    from local import gateway, persistence, provision
    from local.admin import ensure_admin_from_env
    from local.analysis_poller import AnalysisPoller
    from local.stream_poller import RollupPoller

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    changes = _Changes()
    moto = RecordingMotoServer(changes, moto_port)
    moto.start()
    try:
        settings = get_settings()
    except SettingsError as exc:
        sys.exit(str(exc))
    configure_logs()
    provision.create_resources(settings)
    snapshot = data_dir / "snapshot"
    loaded = persistence.restore(settings, snapshot)
    ensure_admin_from_env()
    changes.event.clear()

    gateway.install()
    sys.path.insert(0, str(ROOT))
    import app as janus

    config = CLIFactory(project_dir=str(ROOT)).create_config_obj(chalice_stage_name=settings.stage)
    server = create_local_server(janus.app, config, host, port)

    stopping = threading.Event()
    AnalysisPoller(janus.analyze_upload, stopping).start()
    RollupPoller(janus.rollup_findings, stopping).start()

    def snapshotter() -> None:
        while not stopping.is_set():
            if changes.event.wait(timeout=0.5) and not stopping.is_set():
                stopping.wait(0.5)  # let a burst of writes settle
                changes.event.clear()
                persistence.save(settings, snapshot)

    thread = threading.Thread(target=snapshotter, daemon=True)
    thread.start()

    def shutdown(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        threading.Thread(target=server.server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print(
        f"Janus ({settings.stage}) listening on http://{host}:{port}/v1 "
        f"— moto on 127.0.0.1:{moto_port}, data in {data_dir} ({loaded} items restored). "
        "Ctrl-C stops it; data is kept.",
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        stopping.set()
        thread.join(timeout=5)
        persistence.save(settings, snapshot)
        moto.stop()
        print("Janus stopped; data saved.", flush=True)


if __name__ == "__main__":
    main()

"""Time from upload to ``analyzed`` on the local stack, and the analysis handler's time split.

Starts ``python -m local.serve`` (moto server, real HTTP), uploads corpus screenshots resized to
1440x900 and 2880x1800 through the presigned POST exactly as a browser would, and waits for the
handler's ``image analyzed`` log line (which carries its download/decode/analysis/writes split).

    .venv/bin/python benchmarks/upload_to_analyzed.py [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SOURCES = ["bs-dashboard-dark.png", "bulma-form.png", "primer-repo.png"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method=method
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _screenshot(name: str, size: tuple[int, int]) -> bytes:
    im = Image.open(CORPUS / name).convert("RGB").resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    port, moto = _port(), _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JANUS_", "AWS_"))}
    env |= {"PORT": str(port), "JANUS_MOTO_PORT": str(moto), "JANUS_LOCAL_DIR": tempfile.mkdtemp()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "local.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or []], daemon=True).start()
    while "listening on" not in lines.get(timeout=90):
        pass
    base = f"http://127.0.0.1:{port}"
    try:
        password = "benchmark-uploads-77"
        _call(
            base,
            "POST",
            "/v1/auth/register",
            {"username": "bencher", "email": "bencher@example.com", "password": password},
        )
        token = _call(base, "POST", "/v1/auth/login", {"login": "bencher", "password": password})[
            "data"
        ]["tokens"]["access_token"]
        print(
            f"{'size':>10} {'run':>3} {'upload→analyzed':>16} {'download':>9} {'decode':>7} "
            f"{'analysis':>9} {'writes':>7}  (ms)"
        )
        for size in [(1440, 900), (2880, 1800)]:
            totals = []
            for run in range(args.runs):
                data = _screenshot(SOURCES[run % len(SOURCES)], size)
                created = _call(
                    base,
                    "POST",
                    "/v1/images",
                    {"filename": "shot.png", "content_type": "image/png", "size_bytes": len(data)},
                    token=token,
                )["data"]
                image_id = created["image"]["image_id"]
                started = time.perf_counter()
                requests.post(
                    created["upload"]["url"],
                    data=created["upload"]["fields"],
                    files={"file": ("shot.png", data, "image/png")},
                    timeout=60,
                )
                while True:
                    line = lines.get(timeout=300)
                    if image_id in line and '"image analyzed"' in line:
                        break
                total = (time.perf_counter() - started) * 1000
                totals.append(total)
                t = json.loads(line)["timings_ms"]
                print(
                    f"{size[0]}x{size[1]:<5} {run + 1:>3} {total:16.0f} {t['download']:9.0f} "
                    f"{t['decode']:7.0f} {t['analysis']:9.0f} {t['writes']:7.0f}"
                )
            print(
                f"{size[0]}x{size[1]:<5} median upload→analyzed: {statistics.median(totals):.0f} ms"
            )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


if __name__ == "__main__":
    main()

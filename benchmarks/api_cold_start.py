"""Cold import time of the API entry point, against a bare ``import boto3`` in the same run.

Each sample is a fresh interpreter (as a Lambda cold start is), alternating the two imports so
machine noise hits both alike. Prints medians and the ratio; also checks that the API path
loads neither Pillow nor numpy.

    .venv/bin/python benchmarks/api_cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import sys, time, json; t = time.perf_counter(); import {module}; "
    "print(json.dumps({{'s': time.perf_counter() - t, "
    "'heavy': [m for m in ('PIL', 'numpy') if m in sys.modules]}}))"
)


def sample(module: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    boto3_times, app_times, heavy = [], [], set()
    for _ in range(args.runs):
        boto3_times.append(float(sample("boto3")["s"]))  # type: ignore[arg-type]
        result = sample("app")
        app_times.append(float(result["s"]))  # type: ignore[arg-type]
        heavy.update(result["heavy"])  # type: ignore[arg-type]
    b, a = statistics.median(boto3_times), statistics.median(app_times)
    print(f"runs: {args.runs} fresh interpreters each, Python {sys.version.split()[0]}")
    print(f"import boto3 (median):           {b * 1000:7.1f} ms")
    print(f"import app   (median, all of it): {a * 1000:7.1f} ms")
    print(f"ratio app / boto3:               {a / b:7.2f}x")
    print(f"image stack loaded by the API:   {sorted(heavy) or 'none'}")


if __name__ == "__main__":
    main()

"""Command line: `python -m chalicelib.analysis IMAGE [IMAGE...] [--tokens FORMAT] [--dpr N]`.

Prints one JSON AnalysisResult per line (or the tokens in the chosen format; JSON token
documents one per line when several images are given). Bad input exits with status 2 and a
one-line reason on stderr; the other images are still analysed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import ImageDecodeError, analyze_bytes, export_tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.analysis", description=__doc__)
    parser.add_argument("images", nargs="+", type=Path)
    parser.add_argument("--tokens", choices=["css", "scss", "tailwind", "dtcg", "legacy"])
    parser.add_argument("--dpr", type=float, default=None, help="device-pixel-ratio hint")
    args = parser.parse_args(argv)
    status = 0
    for path in args.images:
        try:
            data = path.read_bytes()
            result = analyze_bytes(data, dpr=args.dpr)
        except OSError as exc:
            print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            status = 2
            continue
        except ImageDecodeError as exc:
            print(f"{path}: {exc.code}: {exc}", file=sys.stderr)
            status = 2
            continue
        if args.tokens in ("dtcg", "legacy") and len(args.images) > 1:
            # One JSON document per line, like the results.
            doc = json.loads(export_tokens(result.tokens, args.tokens))
            sys.stdout.write(json.dumps(doc, separators=(",", ":")) + "\n")
        elif args.tokens:
            sys.stdout.write(export_tokens(result.tokens, args.tokens))
        else:
            sys.stdout.write(result.model_dump_json() + "\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

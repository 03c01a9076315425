"""The command line: JSON per image, token formats, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chalicelib.analysis.__main__ import main
from chalicelib.analysis.result import AnalysisResult


def test_prints_one_result_per_line(
    tmp_path: Path,
    encode: Callable[..., bytes],
    text_card: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    im, _ = text_card((100, 116, 139), (255, 255, 255))
    for name in ("a.png", "b.jpeg"):
        (tmp_path / name).write_bytes(encode(im))  # a PNG named .jpeg: content decides
    assert main([str(tmp_path / "a.png"), str(tmp_path / "b.jpeg")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        doc = json.loads(line)
        AnalysisResult.model_validate(doc)
        assert doc["schema_version"] == "1"
        assert set(doc) >= {"image", "palette", "contrast", "cvd", "tokens"}
        assert doc["image"]["format"] == "PNG"
        for f in doc["contrast"]["findings"]:
            assert set(f) >= {"bbox", "foreground", "background", "ratio", "large_text", "passes"}


@pytest.mark.parametrize("fmt", ["css", "scss", "tailwind", "dtcg"])
def test_token_formats(
    fmt: str,
    tmp_path: Path,
    encode: Callable[..., bytes],
    text_card: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    im, _ = text_card((100, 116, 139), (255, 255, 255))
    (tmp_path / "a.png").write_bytes(encode(im))
    assert main([str(tmp_path / "a.png"), "--tokens", fmt]) == 0
    out = capsys.readouterr().out
    assert "#ffffff" in out


def test_bad_input_exits_non_zero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    assert main([str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "UNSUPPORTED_FORMAT" in err
    assert main([str(tmp_path / "missing.png")]) != 0
    assert "cannot read" in capsys.readouterr().err


def test_json_tokens_for_several_images_are_one_per_line(
    tmp_path: Path,
    encode: Callable[..., bytes],
    text_card: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    im, _ = text_card((100, 116, 139), (255, 255, 255))
    paths = [tmp_path / "a.png", tmp_path / "b.png"]
    for p in paths:
        p.write_bytes(encode(im))
    assert main([str(p) for p in paths] + ["--tokens", "dtcg"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert all(json.loads(line)["color"]["$type"] == "color" for line in lines)

"""Design tokens: DTCG 2025.10 validity, legacy form, exporters, and Style Dictionary.

The DTCG publishes JSON schemas for 2025.10 in its repository but in no package registry, so
they cannot be fetched here; DTCG_SCHEMA below is written from the Format and Color modules of
the specification and agrees with those schemas on what our documents use: every token has
`$type` and `$value` and no unknown `$` property; colour values are objects with `colorSpace`
"srgb", three `components` in 0..1, optional `alpha` and a `hex` fallback; dimensions are
`{value, unit}` with unit px or rem; aliases are `{group.token}` strings; `$extensions` keys
are reverse-domain names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chalicelib.analysis import analyze_bytes
from chalicelib.analysis.tokens import EXTENSION_KEY, build_tokens, export, to_legacy

ALIAS = r"^\{[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+\}$"
EXTENSIONS = {
    "type": "object",
    "propertyNames": {"pattern": r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"},
}
COLOR_VALUE = {
    "type": "object",
    "required": ["colorSpace", "components"],
    "additionalProperties": False,
    "properties": {
        "colorSpace": {"const": "srgb"},
        "components": {
            "type": "array",
            "minItems": 3,
            "maxItems": 3,
            "items": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "alpha": {"type": "number", "minimum": 0, "maximum": 1},
        "hex": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    },
}
DIMENSION_VALUE = {
    "type": "object",
    "required": ["value", "unit"],
    "additionalProperties": False,
    "properties": {"value": {"type": "number"}, "unit": {"enum": ["px", "rem"]}},
}
DTCG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "token": {
            "type": "object",
            "required": ["$value", "$type"],
            "properties": {
                "$type": {"enum": ["color", "dimension"]},
                "$description": {"type": "string"},
                "$extensions": EXTENSIONS,
                "$deprecated": {"type": ["boolean", "string"]},
                "$value": True,
            },
            "additionalProperties": False,  # unknown $-properties are errors
            "allOf": [
                {
                    "if": {"properties": {"$type": {"const": "color"}}},
                    "then": {
                        "properties": {
                            "$value": {"oneOf": [COLOR_VALUE, {"type": "string", "pattern": ALIAS}]}
                        }
                    },
                },
                {
                    "if": {"properties": {"$type": {"const": "dimension"}}},
                    "then": {
                        "properties": {
                            "$value": {
                                "oneOf": [DIMENSION_VALUE, {"type": "string", "pattern": ALIAS}]
                            }
                        }
                    },
                },
            ],
        },
        "group": {
            "type": "object",
            "properties": {
                "$type": {"enum": ["color", "dimension"]},
                "$description": {"type": "string"},
                "$extensions": EXTENSIONS,
            },
            "not": {"required": ["$value"]},
            "patternProperties": {
                r"^[^${}.][^{}.]*$": {
                    "oneOf": [{"$ref": "#/$defs/token"}, {"$ref": "#/$defs/group"}]
                }
            },
            "additionalProperties": False,
        },
    },
    "$ref": "#/$defs/group",
}

PALETTE = [
    {"hex": "#ffffff", "fraction": 0.6, "role": "background"},
    {"hex": "#1e293b", "fraction": 0.2, "role": "surface"},
    {"hex": "#64748b", "fraction": 0.05, "role": "text"},
    {
        "hex": "#22c55e",
        "fraction": 0.01,
        "role": "accent",
        "contrast": [{"background": "#1e293b", "ratio": 6.1, "aa_normal": True}],
    },
    {"hex": "#e5e7eb", "fraction": 0.004, "role": "border"},
]


@pytest.fixture
def doc() -> dict[str, Any]:
    return build_tokens(PALETTE, [14.0, 16.0, 16.2, 16.0, 24.0, 24.0, 14.0], engine_version="test")


def _resolve_all(d: dict[str, Any]) -> None:
    for value in re.findall(r'"(\{[^"]+\})"', json.dumps(d)):
        node: Any = d
        for part in value[1:-1].split("."):
            node = node[part]
        assert "$value" in node


def test_document_validates_against_dtcg_schema(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, DTCG_SCHEMA)
    _resolve_all(doc)


def test_every_colour_is_a_token_with_provenance(doc: dict[str, Any]) -> None:
    hexes = []
    for family, group in doc["color"].items():
        if family.startswith("$"):
            continue
        for token in group.values():
            assert token["$type"] == "color"
            hexes.append(token["$value"]["hex"])
            assert EXTENSION_KEY in token["$extensions"]
    assert sorted(hexes) == sorted(p["hex"] for p in PALETTE)
    assert set(doc["semantic"]) >= {"background", "surface", "text", "accent", "border"}


def test_legacy_form_uses_hex_strings(doc: dict[str, Any]) -> None:
    legacy = to_legacy(doc)
    assert legacy["color"]["neutral"]["0"]["$value"] == "#ffffff"
    assert doc["color"]["neutral"]["0"]["$value"]["hex"] == "#ffffff"  # original untouched
    assert legacy["font-size"]["sm"]["$value"] == "14px"
    assert legacy["font-size"]["base"]["$value"] == "16px"
    assert legacy["font-size"]["lg"]["$value"] == "24px"


def test_css_scss_and_tailwind_exports(doc: dict[str, Any]) -> None:
    css = export(doc, "css")
    assert css.startswith(":root {")
    assert "--color-neutral-0: #ffffff;" in css
    assert "--semantic-background: var(--color-neutral-0);" in css
    scss = export(doc, "scss")
    assert "$color-neutral-0: #ffffff;" in scss
    assert "$semantic-background: $color-neutral-0;" in scss
    tw = export(doc, "tailwind")
    body = json.loads(tw[tw.index("= {") + 2 : tw.rindex("}") + 1])
    assert body["theme"]["extend"]["colors"]["background"] == "#ffffff"
    with pytest.raises(ValueError, match="unknown token format"):
        export(doc, "xml")


def test_engine_tokens_validate(
    encode: Callable[..., bytes], text_card: Callable[..., Any]
) -> None:
    im, _ = text_card((255, 255, 255), (34, 197, 94), size=18)
    result = analyze_bytes(encode(im))
    jsonschema.validate(result.tokens, DTCG_SCHEMA)
    _resolve_all(result.tokens)


SD_VERSION = "4.4.0"
SD_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "style-dictionary"


def _style_dictionary() -> Path:
    """Install style-dictionary v4 (the newest major that runs on Node 20) once, gitignored."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Style Dictionary check skipped")
    package = SD_DIR / "node_modules" / "style-dictionary" / "package.json"
    if not package.exists():
        SD_DIR.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(SD_DIR),
                f"style-dictionary@{SD_VERSION}",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0 or not package.exists():
            pytest.skip(
                f"npm registry unreachable, style-dictionary not installed: {proc.stderr[-300:]}"
            )
    return SD_DIR


def test_style_dictionary_builds_our_tokens_into_css(doc: dict[str, Any], tmp_path: Path) -> None:
    sd = _style_dictionary()
    (tmp_path / "tokens.json").write_text(json.dumps(to_legacy(doc)))
    script = tmp_path / "build.mjs"
    script.write_text(
        "import StyleDictionary from 'style-dictionary';\n"
        f"const sd = new StyleDictionary({{source: ['{tmp_path}/tokens.json'],\n"
        "  log: {warnings: 'error', verbosity: 'verbose'},\n"
        f"  platforms: {{css: {{transformGroup: 'css', buildPath: '{tmp_path}/out/',\n"
        "    files: [{destination: 'vars.css', format: 'css/variables'}]}}});\n"
        "await sd.buildAllPlatforms();\n"
    )
    env = {**os.environ, "NODE_PATH": str(sd / "node_modules")}
    proc = subprocess.run(
        ["node", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=sd,
        env=env,
        check=False,
    )
    link = sd / "build.mjs"
    if proc.returncode != 0 and "Cannot find package" in proc.stderr:
        shutil.copy(script, link)  # ESM resolves packages from the script's folder
        proc = subprocess.run(
            ["node", str(link)], capture_output=True, text=True, timeout=120, cwd=sd, check=False
        )
    assert proc.returncode == 0, proc.stderr
    css = (tmp_path / "out" / "vars.css").read_text()
    assert "--color-neutral-0: #ffffff;" in css
    assert (
        "--semantic-background: var(--color-neutral-0)" in css
        or "--semantic-background: #ffffff" in css
    )


def test_type_scale_names_sizes_around_the_most_used() -> None:
    from chalicelib.analysis.tokens import type_scale

    scale = type_scale([16, 16, 16.4, 14, 14, 12, 12, 20, 20, 32, 32, 40])
    assert scale == {"base": 16.0, "sm": 14.0, "xs": 12.0, "lg": 20.0, "xl": 32.0}
    assert type_scale([16]) == {}

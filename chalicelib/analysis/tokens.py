"""Design tokens: the palette as a DTCG 2025.10 document, a legacy hex form and exporters.

Group names come from the colour itself (hue family and an OKLCH lightness step, the way
Tailwind and Radix name scales), semantic aliases from the roles. Provenance and contrast facts
live under the reverse-domain `$extensions` key EXTENSION_KEY.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from .colour import from_hex, oklab_to_oklch, srgb_to_oklab

EXTENSION_KEY = "dev.janus.analysis"
FORMATS = ("dtcg", "legacy", "css", "scss", "tailwind")

_HUES = (
    (20, "red"),
    (50, "orange"),
    (85, "amber"),
    (115, "yellow"),
    (150, "lime"),
    (175, "green"),
    (200, "teal"),
    (230, "cyan"),
    (275, "blue"),
    (305, "indigo"),
    (335, "purple"),
    (360, "pink"),
)


def _hue_family(hue: float) -> str:
    h = hue % 360
    for limit, name in _HUES:
        if h < limit:
            return name
    return "red"


def type_scale(sizes_css_px: list[float]) -> dict[str, float]:
    """Name the distinct text sizes of a page on a t-shirt scale around its most used size.

    `sizes_css_px` has one entry per text region; sizes within 1 px are one step, and steps
    used by a single region are dropped as noise (an icon or a badge, not a type size).
    """
    counts: dict[int, int] = {}
    for px in sizes_css_px:
        key = round(px)
        step = next((k for k in counts if abs(k - key) <= 1), key)
        counts[step] = counts.get(step, 0) + 1
    steps = sorted(k for k, n in counts.items() if n >= 2 and k >= 8)
    if not steps:
        return {}
    base = max(steps, key=lambda k: (counts[k], -k))
    below = [k for k in steps if k < base]
    above = [k for k in steps if k > base]
    names: dict[str, float] = {"base": float(base)}
    for i, k in enumerate(reversed(below)):
        names[("sm", "xs", "2xs", "3xs")[min(i, 3)] if i < 4 else f"{i - 1}xs"] = float(k)
    for i, k in enumerate(above):
        names["lg" if i == 0 else "xl" if i == 1 else f"{i}xl"] = float(k)
    return names


def _srgb_value(hex_value: str) -> dict[str, Any]:
    r, g, b = from_hex(hex_value)
    return {
        "colorSpace": "srgb",
        "components": [round(r / 255, 4), round(g / 255, 4), round(b / 255, 4)],
        "alpha": 1,
        "hex": hex_value,
    }


def build_tokens(
    palette: list[dict[str, Any]],
    text_sizes_css_px: list[float] | None = None,
    *,
    engine_version: str,
) -> dict[str, Any]:
    """A DTCG 2025.10 document for a palette ([{hex, fraction, role}, ...])."""
    colours: dict[str, Any] = {"$type": "color"}
    names: dict[str, str] = {}
    for entry in palette:
        hex_value = entry["hex"]
        lch = oklab_to_oklch(srgb_to_oklab(np.array(from_hex(hex_value), dtype=np.float64)))
        family = "neutral" if float(lch[1]) < 0.03 else _hue_family(float(lch[2]))
        step = min(max(round((1 - float(lch[0])) * 20) * 50, 0), 1000)
        group = colours.setdefault(family, {})
        name, n = str(step), 1
        while name in group:  # two colours on the same step: keep both, distinctly
            n += 1
            name = f"{step}-{n}"
        group[name] = {
            "$type": "color",
            "$value": _srgb_value(hex_value),
            "$extensions": {
                EXTENSION_KEY: {
                    "fraction": entry["fraction"],
                    "role": entry.get("role"),
                    **({"contrast": entry["contrast"]} if entry.get("contrast") else {}),
                }
            },
        }
        names[hex_value] = f"{{color.{family}.{name}}}"
    semantic: dict[str, Any] = {}
    role_counts: dict[str, int] = {}
    for entry in palette:
        role = entry.get("role")
        if not role:
            continue
        role_counts[role] = role_counts.get(role, 0) + 1
        key = role if role_counts[role] == 1 else f"{role}-{role_counts[role]}"
        semantic[key] = {"$type": "color", "$value": names[entry["hex"]]}
    doc: dict[str, Any] = {
        "$description": "Design tokens recovered from pixels by the Janus analysis engine",
        "$extensions": {
            EXTENSION_KEY: {
                "engine_version": engine_version,
                "source": "pixels",
                "format": "2025.10",
            }
        },
        "color": colours,
    }
    if semantic:
        doc["semantic"] = semantic
    if text_sizes_css_px:
        sizes: dict[str, Any] = {"$type": "dimension"}
        for name, px in type_scale(text_sizes_css_px).items():
            sizes[name] = {"$type": "dimension", "$value": {"value": px, "unit": "px"}}
        doc["font-size"] = sizes
    return doc


def _tokens(
    doc: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for key, value in doc.items():
        if key.startswith("$") or not isinstance(value, dict):
            continue
        if "$value" in value:
            yield (*path, key), value
        else:
            yield from _tokens(value, (*path, key))


def _resolve(doc: dict[str, Any], value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        node: Any = doc
        for part in value[1:-1].split("."):
            node = node[part]
        return _resolve(doc, node["$value"])
    return value


def _plain(doc: dict[str, Any], token: dict[str, Any]) -> str:
    value = _resolve(doc, token["$value"])
    if isinstance(value, dict) and "hex" in value:
        return str(value["hex"])
    if isinstance(value, dict) and "unit" in value:
        return f"{value['value']:g}{value['unit']}"
    return str(value)


def to_legacy(doc: dict[str, Any]) -> dict[str, Any]:
    """Pre-2025.10 form: colours as hex strings and dimensions as '16px' strings, which
    Style Dictionary v4 and other older consumers read."""
    out = copy.deepcopy(doc)
    for _, token in _tokens(out):
        value = token["$value"]
        if isinstance(value, dict) and "hex" in value:
            token["$value"] = value["hex"]
        elif isinstance(value, dict) and "unit" in value:
            token["$value"] = f"{value['value']:g}{value['unit']}"
    return out


def _var_name(path: tuple[str, ...]) -> str:
    return "-".join(path).replace("_", "-")


def _reference_path(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return tuple(value[1:-1].split("."))
    return None


def to_css(doc: dict[str, Any]) -> str:
    """CSS custom properties on :root; aliases stay var() references."""
    lines = [":root {"]
    for path, token in _tokens(doc):
        ref = _reference_path(token["$value"])
        value = f"var(--{_var_name(ref)})" if ref else _plain(doc, token)
        lines.append(f"  --{_var_name(path)}: {value};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_scss(doc: dict[str, Any]) -> str:
    """SCSS variables; aliases reference the variable they point to."""
    lines = []
    for path, token in _tokens(doc):
        ref = _reference_path(token["$value"])
        value = f"${_var_name(ref)}" if ref else _plain(doc, token)
        lines.append(f"${_var_name(path)}: {value};")
    return "\n".join(lines) + "\n"


def to_tailwind(doc: dict[str, Any]) -> str:
    """A Tailwind (v3 config) theme extension: `module.exports = {theme: {extend: ...}}`."""
    colours: dict[str, Any] = {}
    sizes: dict[str, str] = {}
    for path, token in _tokens(doc):
        value = _plain(doc, token)
        if path[0] == "color":
            colours.setdefault(path[1], {})[path[2]] = value
        elif path[0] == "semantic":
            colours[path[1]] = value
        elif path[0] == "font-size":
            sizes[path[1]] = value
    extend: dict[str, Any] = {"colors": colours}
    if sizes:
        extend["fontSize"] = sizes
    body = json.dumps({"theme": {"extend": extend}}, indent=2)
    return f"/** @type {{import('tailwindcss').Config}} */\nmodule.exports = {body};\n"


def export(doc: dict[str, Any], fmt: str) -> str:
    """The tokens document in one of FORMATS, as text."""
    if fmt == "dtcg":
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "legacy":
        return json.dumps(to_legacy(doc), indent=2) + "\n"
    if fmt == "css":
        return to_css(doc)
    if fmt == "scss":
        return to_scss(doc)
    if fmt == "tailwind":
        return to_tailwind(doc)
    raise ValueError(f"unknown token format {fmt!r}; expected one of {', '.join(FORMATS)}")

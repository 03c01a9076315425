"""The analysis pipeline: decode, palette, text regions, contrast, CVD, tokens."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from . import contrast as contrast_step
from . import (
    crisp_ink,
    downscaled_ink,
    downscaled_lines,
    hairlines,
    ink_measure,
    ink_snap,
    lossy_ink,
)
from . import cvd as cvd_step
from .colour import delta_e_2000, hex_of, oklab_to_oklch, srgb_to_cielab, srgb_to_oklab
from .decode import DEFAULT_MAX_PIXELS, DecodedImage, RGBArray, decode_image
from .palette import Palette, PaletteColour, extract_palette
from .result import (
    AnalysisResult,
    ConfusablePair,
    ContrastFinding,
    ContrastReport,
    CvdReport,
    ImageInfo,
    PairRating,
    PaletteEntry,
    Passes,
    Role,
)
from .text import find_text_regions
from .tokens import build_tokens

# Stored with every result and in the tokens' provenance: bumped whenever the same image can
# give different figures, so results of one version are compared with each other only.
# 0.2.0: lossy chroma rebuild and per-image overshoot, box-averaged downscales, ratio ranges,
# unusable colour profiles reported (2026-11-25).
# 0.3.0: aa_uncertain and lossy precision ranges, pale tints and chips in the palette, crisp
# inks kept apart from close shades, device DPRs for crisp screenshots, badges, broken
# outlines and blurred text lines in text search.
# 0.4.0: DPR from hairlines and a 14 px word prior, inks many words share, badges and stacked
# or two-ink lines on downscales, border and pale-fill palette colours, downscaled text inks.
# 0.4.1: lone dashes are words. 0.4.2: thin border and grid-line colours of lossy files.
# 0.4.3: faint specks of lossy and resampled images are not text.
# 0.4.4: thin-word reach of downscales re-measured, and lower where the filter does not ring.
# 0.4.5: border colours of lossy files are never gradient leftovers; a downscale's thin words
# prefer core inks to black or white that other words clipped to.
# 0.4.6: the codes a slow gradient repeats (a photo's sky) are not design colours; a lossy
# file's line colours are never anti-aliasing blends; on downscales a region far taller than
# the page's words lends no core ink to thin words.
# 0.4.7: a downscale's 1-CSS-px lines are reported in their own colours, not their blends.
ENGINE_VERSION = "0.4.7"
# Larger images are analysed at a reduced scale so memory stays bounded. Text search works
# in strips, so this only guards against limits raised far beyond the default.
WORK_MAX_PIXELS = 64_000_000
_TEXT_MIN_FRACTION = 0.002
# A downscale thins every stroke, and the ink measured in its cores falls to a fraction of the
# text's area (kanban s60: 0.10 % of the page for a #172b4d that covers 0.90 %), while its
# blurred edges give inks that two or three regions share by chance: there a text colour needs
# half the share but four regions.
_DOWNSCALED_TEXT_MIN_FRACTION = 0.001
_DOWNSCALED_TEXT_MIN_REGIONS = 4
# CIEDE2000 between inks that are one design colour measured twice (neighbouring 8-bit codes
# of a grey differ by 0.3-0.8; 2.0 also merged distinct measures and added more wrong inks).
_INK_SAME_DE = 1.2
_MAX_PALETTE = 16
# In a lossy or resampled image, a region under this ratio and this many pixels is a speck
# (ringing where lines cross, a fragment of a faint border or icon), not text: on the
# development sets' variants such specks were most failing findings on no text element, while
# failing text as faint is set in words, larger than that (one of 1,280 failing elements on
# the variant sets was seen only through one). 100 to 250 pixels gave the same figures.
_SPECK_RATIO = 1.6
_SPECK_PIXELS = 160
# Twice extract_palette's default min_fraction (see `_drop_edge_blends`).
_EDGE_BLEND_FRACTION = 0.004
_PAIR_COLOURS = 12
# Downscaled lines (`_with_line_colours`): a line colour must cover the palette's minimum
# share, or (seen over at least `_LINE_SEEN_FRACTION`) have its blend in the palette;
# palette colours within `_LINE_BLEND_DE` of a line's drawn blend are that blend, and a line
# colour within `_LINE_NEW_DE` of a palette colour is that colour.
_LINE_MIN_FRACTION = 0.002
_LINE_SEEN_FRACTION = 0.0005
_LINE_BLEND_DE = 2.5
_LINE_NEW_DE = 3.0


def _working_pixels(rgb: RGBArray) -> tuple[RGBArray, int]:
    h, w = rgb.shape[:2]
    if h * w <= WORK_MAX_PIXELS:
        return rgb, 1
    factor = math.ceil(math.sqrt(h * w / WORK_MAX_PIXELS))
    reduced = Image.fromarray(rgb, "RGB").reduce(factor)
    return np.ascontiguousarray(np.asarray(reduced)), factor


def _group_inks(
    findings: list[contrast_step.Finding],
) -> list[tuple[tuple[int, int, int], int, int]]:
    """(colour, ink pixels, regions) per ink. Lossy and resampled files give one design ink
    a spread of measured values a unit or two apart, each too rare alone; measures within a
    just-noticeable difference of a heavier one are that ink. An ink only ever extrapolated
    (strokes too thin to hold a core) that lands on the sRGB gamut boundary was clipped
    there, so its reach was overestimated and its value was never measured: it is no design
    colour."""
    ink: dict[tuple[int, int, int], list[int]] = {}
    for f in findings:
        acc = ink.setdefault(f.fg, [0, 0, 0])
        acc[0] += f.ink_pixels
        acc[1] += 1
        acc[2] += not f.extrapolated
    ink = {fg: v for fg, v in ink.items() if v[2] or not (0 in fg or 255 in fg)}
    groups: list[tuple[tuple[int, int, int], int, int]] = []
    glabs: list[npt.NDArray[np.float64]] = []
    for fg, (n_ink, n_regions, _) in sorted(ink.items(), key=lambda kv: -kv[1][0]):
        flab = srgb_to_cielab(np.array(fg, dtype=np.float64))
        if glabs:
            de = delta_e_2000(np.array(glabs), flab)
            j = int(np.argmin(de))
            if de[j] < _INK_SAME_DE:
                rep, n0, r0 = groups[j]
                groups[j] = (rep, n0 + n_ink, r0 + n_regions)
                continue
        groups.append((fg, n_ink, n_regions))
        glabs.append(flab)
    return groups


def _merge_text_colours(
    palette: Palette,
    findings: list[contrast_step.Finding],
    total_px: int,
    *,
    downscaled: bool = False,
) -> list[tuple[PaletteColour, bool]]:
    """Palette colours plus text colours recovered from glyphs (thin strokes are rarely flat
    enough for the palette search). Returns (colour, used_as_text)."""
    colours = [(c, False) for c in palette.colours]
    min_fraction, min_regions = (
        (_DOWNSCALED_TEXT_MIN_FRACTION, _DOWNSCALED_TEXT_MIN_REGIONS)
        if downscaled
        else (_TEXT_MIN_FRACTION, 2)
    )
    groups = _group_inks(findings)
    if not groups:
        return colours
    labs = srgb_to_cielab(np.array([c.rgb for c, _ in colours], dtype=np.float64).reshape(-1, 3))
    for fg, n_ink, n_regions in groups:
        frac = n_ink / total_px
        flab = srgb_to_cielab(np.array(fg, dtype=np.float64))
        if labs.shape[0]:
            de = delta_e_2000(labs, flab)
            j = int(np.argmin(de))
            if de[j] < 3.0:
                colours[j] = (colours[j][0], True)
                continue
        if frac >= min_fraction and n_regions >= min_regions:
            colours.append((PaletteColour(fg, frac, 0.0), True))
            labs = np.vstack([labs, flab[None]])
    return colours


def _is_speck(m: ink_measure.Measured) -> bool:
    return m.ratio < _SPECK_RATIO and m.region.w * m.region.h < _SPECK_PIXELS


def _drop_edge_blends(
    colours: list[tuple[PaletteColour, bool]],
) -> list[tuple[PaletteColour, bool]]:
    """A downscale blends every edge into codes of its own; where edges are dense (coloured
    labels, tags) such a blend gathers about the palette's 0.2 % minimum without one pixel
    equal to both neighbours. A real fill keeps a flat interior, and a border that is never
    flat both ways still runs long enough to carry twice that share (1-px input borders:
    0.6-2 %); so a never-flat colour below twice the minimum is an edge blend."""
    return [
        (c, as_text)
        for i, (c, as_text) in enumerate(colours)
        if i == 0 or as_text or c.flatness > 0.0 or c.fraction >= _EDGE_BLEND_FRACTION
    ]


def _with_line_colours(
    colours: list[tuple[PaletteColour, bool]], rgb: RGBArray, css_px: float
) -> list[tuple[PaletteColour, bool]]:
    """A downscale's thin lines in their own colours (`downscaled_lines`), in place of the
    blends the downscale drew them in (never flat both ways). A line seen too briefly to cover
    the palette's minimum share still counts when the palette took its blend for a colour:
    lines broken by text or crossings, or short and each at its own phase, are that common."""
    lines = downscaled_lines.line_colours(rgb, css_px, _LINE_SEEN_FRACTION)
    if not lines:
        return colours
    labs = srgb_to_cielab(np.array([c.rgb for c, _ in colours], dtype=np.float64).reshape(-1, 3))
    blend_like = [i > 0 and not t and c.flatness < 0.5 for i, (c, t) in enumerate(colours)]
    dropped: set[int] = set()
    found: list[downscaled_lines.LineColour] = []
    for lc in lines:
        drawn = delta_e_2000(
            srgb_to_cielab(np.array(lc.blends, dtype=np.float64))[:, None], labs[None]
        ).min(0)
        blends = np.flatnonzero(np.array(blend_like) & (drawn < _LINE_BLEND_DE))
        if lc.fraction >= _LINE_MIN_FRACTION or blends.size:
            dropped.update(blends.tolist())
            found.append(lc)
    stay = [i for i in range(len(colours)) if i not in dropped]
    kept, kept_labs = [colours[i] for i in stay], labs[stay]
    for lc in found:
        lab = srgb_to_cielab(np.array(lc.rgb, dtype=np.float64))
        if kept_labs.shape[0] == 0 or float(delta_e_2000(kept_labs, lab).min()) >= _LINE_NEW_DE:
            kept.append((PaletteColour(lc.rgb, lc.fraction, 0.0, 1.0), False))
            kept_labs = np.vstack([kept_labs, lab[None]])
    return kept


def _roles(colours: list[tuple[PaletteColour, bool]]) -> list[Role | None]:
    roles: list[Role | None] = []
    for i, (c, as_text) in enumerate(colours):
        chroma = float(oklab_to_oklch(srgb_to_oklab(np.array(c.rgb, dtype=np.float64)))[1])
        if i == 0:
            roles.append("background")
        elif c.fraction >= 0.03 and c.flatness >= 0.5 and (chroma < 0.06 or c.fraction >= 0.15):
            roles.append("surface")  # large neutral fills, or a dominant coloured band
        elif as_text:
            roles.append("text")
        elif chroma >= 0.06:
            roles.append("accent")
        elif c.flatness >= 0.5 and c.fraction >= 0.01:
            roles.append("surface")
        else:
            roles.append("border")
    return roles


def analyze_decoded(decoded: DecodedImage, *, dpr: float | None = None) -> AnalysisResult:
    """Analyse already decoded pixels (see `analyze_bytes`)."""
    rgb, factor = _working_pixels(decoded.rgb)
    palette = extract_palette(rgb, lossy=decoded.lossy)
    # Lossy files ring at glyph edges even where the flat fills came through exactly.
    noise = max(palette.noise, 1.0) if decoded.lossy else palette.noise
    regions = find_text_regions(rgb, noise)
    snap = ink_snap.ColourSnapper(palette.modes, noise, lossy=decoded.lossy)
    measured = [
        m
        for m in (ink_measure.measure_region(rgb, r, noise, snap) for r in regions)
        if m is not None
    ]
    resampled = downscaled_ink.looks_resampled(measured)
    if dpr:
        work_dpr = dpr / factor
    else:
        # A resampled image blurs every line to about one pixel, so one-pixel lines tell
        # nothing there, nor in a lossy file, which may be a downscale too (and whose
        # ringing `looks_resampled` can take for resampling): only thicker ones do.
        thinnest = (
            None
            if factor > 1 or (resampled and not decoded.lossy)
            else hairlines.thinnest_line(hairlines.line_thickness_counts(rgb, noise))
        )
        if decoded.lossy and thinnest == 1:
            thinnest = None
        work_dpr = contrast_step.estimate_dpr(
            measured,
            rgb.shape[1],
            rescaled=decoded.lossy or resampled or factor > 1,
            thinnest_line=thinnest,
        )
    downscaled = not decoded.lossy and (resampled or (dpr is not None and work_dpr < 0.85))
    if decoded.lossy:
        overshoot = lossy_ink.lossy_overshoot(measured, rgb)
        measured = lossy_ink.pool_lossy_lines(measured, snap, overshoot)
    elif downscaled:
        measured = downscaled_ink.resnap_downscaled(measured, snap, rgb)  # downscaled: blurred
    elif noise == 0:
        measured = crisp_ink.pool_same_ink(measured)
    else:  # lossless and unscaled, but with gradients or photos
        measured = crisp_ink.keep_exact_fills(measured)
    if noise > 0:
        measured = [m for m in measured if not _is_speck(m)]
    findings = contrast_step.rate(measured, work_dpr)
    total_px = rgb.shape[0] * rgb.shape[1]
    colours = _merge_text_colours(palette, findings, total_px, downscaled=downscaled)
    if downscaled:
        colours = _drop_edge_blends(colours)
        line_px = downscaled_lines.css_px([m.font_px for m in measured])
        if line_px is not None:
            colours = _with_line_colours(colours, rgb, line_px)
    colours.sort(key=lambda ct: -ct[0].fraction)
    colours = colours[:_MAX_PALETTE]
    roles = _roles(colours)
    entries = [
        PaletteEntry(hex=hex_of(c.rgb), fraction=round(c.fraction, 5), role=role)
        for (c, _), role in zip(colours, roles, strict=True)
    ]
    pair_colours = [c.rgb for c, _ in colours[:_PAIR_COLOURS]]
    pairs = [
        PairRating(
            foreground=hex_of(p.foreground),
            background=hex_of(p.background),
            ratio=p.ratio,
            aa_normal=p.aa_normal,
            aa_large=p.aa_large,
            aaa_normal=p.aaa_normal,
            aaa_large=p.aaa_large,
        )
        for p in contrast_step.pair_matrix(pair_colours)
    ]
    out_findings = [
        ContrastFinding(
            bbox=(f.bbox[0] * factor, f.bbox[1] * factor, f.bbox[2] * factor, f.bbox[3] * factor),
            foreground=hex_of(f.fg),
            background=hex_of(f.bg),
            ratio=f.ratio,
            large_text=f.large_text,
            passes=Passes(aa=f.aa, aaa=f.aaa),
            borderline=f.borderline,
            ratio_range=f.ratio_range,
            aa_uncertain=f.aa_uncertain,
            font_size_px=f.font_size_css_px,
            bold=f.bold,
            suggested_foreground=hex_of(f.suggested_fg) if f.suggested_fg else None,
        )
        for f in findings
    ]
    summary = {
        "regions": len(out_findings),
        "failing_aa": sum(not f.passes.aa for f in out_findings),
        "failing_aaa": sum(not f.passes.aaa for f in out_findings),
        "borderline": sum(f.borderline for f in out_findings),
        "size_unknown": sum(f.large_text is None for f in out_findings),
        "aa_uncertain": sum(f.aa_uncertain for f in out_findings),
    }
    report = cvd_step.assess([c.rgb for c, _ in colours])
    cvd = CvdReport(
        metric="CIEDE2000",
        distinct_threshold=cvd_step.DISTINCT_DE,
        confusable_threshold=cvd_step.CONFUSABLE_DE,
        models={
            "protanopia": "Vienot 1999",
            "deuteranopia": "Vienot 1999",
            "tritanopia": "Brettel 1997",
            "protanomaly": f"Machado 2009, severity {cvd_step.PARTIAL_SEVERITY}",
            "deuteranomaly": f"Machado 2009, severity {cvd_step.PARTIAL_SEVERITY}",
            "achromatopsia": "Rec. 709 luminance",
        },
        simulated_palette={k: [hex_of(c) for c in v] for k, v in report.simulated.items()},
        confusable_pairs={
            k: [
                ConfusablePair(
                    a=hex_of(p.a),
                    b=hex_of(p.b),
                    delta_e_normal=p.delta_e_normal,
                    delta_e_simulated=p.delta_e_simulated,
                )
                for p in v
            ]
            for k, v in report.confusable.items()
        },
    )
    token_palette = []
    for e in entries:
        text_on = [
            {"background": p.background, "ratio": p.ratio, "aa_normal": p.aa_normal}
            for p in pairs
            if p.foreground == e.hex and p.aa_large
        ]
        token_palette.append(
            {"hex": e.hex, "fraction": e.fraction, "role": e.role, "contrast": text_on}
        )
    sizes = [f.font_size_px for f in out_findings if f.font_size_px > 0]
    tokens = build_tokens(token_palette, sizes, engine_version=ENGINE_VERSION)
    meta = decoded.metadata
    image = ImageInfo(
        width=decoded.width,
        height=decoded.height,
        format=meta.format,
        mode=meta.mode,
        frame_count=meta.frame_count,
        exif_orientation=meta.exif_orientation,
        colour_profile_converted=decoded.colour_managed,
        colour_profile_ignored=decoded.profile_ignored,
        alpha_composited_over="#ffffff" if decoded.alpha_composited else None,
        analysed_scale=1.0 / factor,
    )
    return AnalysisResult(
        engine_version=ENGINE_VERSION,
        image=image,
        palette_kind="photographic" if palette.kind == "photographic" else "flat",
        palette=entries,
        contrast=ContrastReport(
            findings=out_findings,
            dpr=round(work_dpr * factor, 3),
            dpr_source="hint" if dpr else "estimated",
            pairs=pairs,
            summary=summary,
        ),
        cvd=cvd,
        tokens=tokens,
    )


def analyze_bytes(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, dpr: float | None = None
) -> AnalysisResult:
    """Analyse an uploaded image. Raises `ImageDecodeError` subclasses for bad input."""
    return analyze_decoded(decode_image(data, max_pixels=max_pixels), dpr=dpr)


def analyze_file(
    path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, dpr: float | None = None
) -> AnalysisResult:
    """Analyse an image file (format recognised by content, not by name)."""
    return analyze_bytes(Path(path).read_bytes(), max_pixels=max_pixels, dpr=dpr)

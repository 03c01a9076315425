"""The AnalysisResult contract (DESIGN.md section 4) as pydantic models: the single source of
truth for the JSON the CLI prints, the upload handler stores and the frontend reads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

Hex = str
Role = Literal["background", "surface", "text", "accent", "border"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImageInfo(_Model):
    width: int
    height: int
    format: str
    mode: str = Field(
        description="Pillow mode of the upload (P, RGBA, CMYK, I;16...); pixels are analysed "
        "as 8-bit sRGB"
    )
    frame_count: int = 1
    exif_orientation: int | None = None
    colour_profile_converted: bool = False
    colour_profile_ignored: bool = Field(
        default=False,
        description="The upload embeds a colour profile that could not be used (not a valid "
        "ICC profile, or too large to read), so its pixels were analysed as sRGB",
    )
    alpha_composited_over: Hex | None = Field(
        default=None, description="Colour transparent pixels were composited over, if any"
    )
    analysed_scale: float = Field(
        default=1.0, description="Scale of the pixels analysed (below 1 for huge images)"
    )


class PaletteEntry(_Model):
    hex: Hex
    fraction: float
    role: Role | None


class Passes(_Model):
    aa: bool
    aaa: bool


class ContrastFinding(_Model):
    bbox: tuple[int, int, int, int]
    foreground: Hex
    background: Hex
    ratio: float
    large_text: bool | None
    passes: Passes
    borderline: bool = Field(
        default=False,
        description="Text size unknown and 3.0 <= ratio < 4.5: passes AA only if the text is large",
    )
    ratio_range: tuple[float, float] | None = Field(
        default=None,
        description="Where the text colour cannot be read exactly from the pixels (strokes "
        "thinner than a downscaled screenshot's resampling; JPEG or WebP colour error), the "
        "lowest and highest ratio the pixels allow; `ratio` is the engine's best estimate "
        "within it. Null when the colour was read from the pixels.",
    )
    aa_uncertain: bool = Field(
        default=False,
        description="`ratio_range` straddles the AA threshold that applies: these pixels allow "
        "both a pass and a fail (`passes.aa` is the verdict of `ratio`); a screenshot at its "
        "rendered size tells",
    )
    font_size_px: float = Field(description="Estimated font size in CSS px")
    bold: bool
    suggested_foreground: Hex | None = Field(
        default=None, description="Nearest colour of the same OKLCH hue that passes AA"
    )


class PairRating(_Model):
    foreground: Hex
    background: Hex
    ratio: float
    aa_normal: bool
    aa_large: bool
    aaa_normal: bool
    aaa_large: bool


class ContrastReport(_Model):
    findings: list[ContrastFinding]
    dpr: float
    dpr_source: Literal["hint", "estimated"]
    pairs: list[PairRating]
    summary: dict[str, int]


class ConfusablePair(_Model):
    a: Hex
    b: Hex
    delta_e_normal: float
    delta_e_simulated: float


class CvdReport(_Model):
    metric: str
    distinct_threshold: float
    confusable_threshold: float
    models: dict[str, str]
    simulated_palette: dict[str, list[Hex]]
    confusable_pairs: dict[str, list[ConfusablePair]]


class AnalysisResult(_Model):
    schema_version: Literal["1"] = "1"
    engine_version: str
    image: ImageInfo
    palette_kind: Literal["flat", "photographic"]
    palette: list[PaletteEntry]
    contrast: ContrastReport
    cvd: CvdReport
    tokens: dict[str, Any]

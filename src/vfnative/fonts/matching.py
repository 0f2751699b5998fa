"""Which face and variation a CSS-ish request gets: Blink's matching rules, as pure functions.

Two matchers (spec 02 §6.4): `match_local` is fontconfig's choice among a family's patterns (named
instances of variable fonts listed separately, weight compared on fontconfig's scale), used for
fonts installed on the machine; `match_weight`/`match_width` are CSS Fonts 4 matching over weight
and width ranges, used for web fonts. Also the synthetic bold thresholds. Imports `fonts.faces` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vfnative.fonts.faces import FontFace

__all__ = ["BOLD_THRESHOLD", "LOCAL_BOLD_DELTA", "fc_weight", "match_local", "match_weight", "match_width"]

BOLD_THRESHOLD = 600.0
"""Blink synthesises bold when >= 600 is requested and the face cannot reach 600 (spec 02 §6.4)."""
LOCAL_BOLD_DELTA = 200.0
"""Blink on Linux embolds a local font when the requested weight exceeds the matched face's by
more than 200 (`FontCache::CreateFontPlatformData`, font_cache_skia.cc)."""


def match_weight(faces: Sequence[FontFace], weight: float) -> FontFace:
    """CSS Fonts 4 §5.2 weight matching over faces with weight ranges (Blink's FontStyleMatcher)."""

    def inside(f: FontFace) -> bool:
        return f.weight_range[0] <= weight <= f.weight_range[1]

    exact = [f for f in faces if inside(f)]
    if exact:
        return exact[0]
    lo = [f for f in faces if f.weight_range[1] < weight]
    hi = [f for f in faces if f.weight_range[0] > weight]

    def nearest_below(cands: list[FontFace]) -> FontFace | None:
        return max(cands, key=lambda f: f.weight_range[1]) if cands else None

    def nearest_above(cands: list[FontFace], limit: float | None = None) -> FontFace | None:
        c = [f for f in cands if limit is None or f.weight_range[0] <= limit]
        return min(c, key=lambda f: f.weight_range[0]) if c else None

    if 400 <= weight <= 500:
        pick = nearest_above(hi, 500) or nearest_below(lo) or nearest_above(hi)
    elif weight < 400:
        pick = nearest_below(lo) or nearest_above(hi)
    else:
        pick = nearest_above(hi) or nearest_below(lo)
    assert pick is not None  # faces is non-empty
    return pick


def match_width(faces: Sequence[FontFace], stretch: float) -> list[FontFace]:
    """Keep the faces with the best font-stretch match (narrower first for <= 100%, per CSS)."""
    inside = [f for f in faces if f.width_range[0] <= stretch <= f.width_range[1]]
    if inside:
        return inside

    def dist(f: FontFace) -> tuple[int, float]:
        lo, hi = f.width_range
        if hi < stretch:
            d = stretch - hi
            return (0 if stretch <= 100 else 1, d)
        d = lo - stretch
        return (1 if stretch <= 100 else 0, d)

    best = min(dist(f) for f in faces)
    return [f for f in faces if dist(f) == best]


_SKIA_TO_FC_WEIGHT = ((100.0, 0.0), (200.0, 40.0), (300.0, 50.0), (350.0, 55.0), (380.0, 75.0), (400.0, 80.0),
                      (500.0, 100.0), (600.0, 180.0), (700.0, 200.0), (800.0, 205.0), (900.0, 210.0),
                      (1000.0, 215.0))  # fmt: skip
"""Skia's `SkFontStyle` weight -> fontconfig `FC_WEIGHT` table (SkFontMgr_fontconfig `weightRanges`,
DemiLight 55 at 350 and Book 75 at 380 included; fontconfig maps OpenType weights with the same points)."""


def fc_weight(weight: float) -> float:
    """A CSS weight on fontconfig's scale (piecewise linear, as Skia maps it before matching).

    Fontconfig compares weights on this scale, so "nearest" is not what it is in CSS units:
    666 maps to 193.2 and goes to Bold (200), 640 maps to 188 and goes to SemiBold (180).
    """
    pts = _SKIA_TO_FC_WEIGHT
    w = min(max(float(weight), pts[0][0]), pts[-1][0])
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        if w <= x1:
            return y0 + (w - x0) * (y1 - y0) / (x1 - x0)
    return pts[-1][1]


@dataclass(frozen=True)
class LocalCandidate:
    """One pattern fontconfig lists for a family: a static face, or one named instance."""

    face: FontFace
    variations: tuple[tuple[str, float], ...]
    weight: float
    width: float


def _local_candidates(faces: Sequence[FontFace]) -> list[LocalCandidate]:
    out: list[LocalCandidate] = []
    for face in faces:
        if face.named_instances:
            for coords in face.named_instances:
                c = dict(coords)
                out.append(LocalCandidate(face, coords, c.get("wght", face.weight_range[0]),
                                           c.get("wdth", face.width_range[0])))  # fmt: skip
        else:
            out.append(LocalCandidate(face, (), face.weight_range[0], face.width_range[0]))
    return out


def match_local(faces: Sequence[FontFace], weight: float, stretch: float, italic: bool) -> LocalCandidate:
    """Fontconfig's choice among a family's patterns: slant, then weight, then width (fcmatch order).

    Weight distance is taken on fontconfig's scale (`fc_weight`); ties keep the first pattern
    (file order, then fvar order), as `FcFontMatch` keeps the first best score.
    """
    cands = _local_candidates(faces)
    styled = [c for c in cands if c.face.italic == italic] or cands
    # Blink hands Skia an integer weight and Skia hands fontconfig an integer FC_WEIGHT (both
    # truncated): an animated 366.67 asks for 65 and gets Light (50), not Regular (80) (the
    # fonts-static golden, frame 20: 44 dB with the truncation, 24 dB without).
    target = float(int(fc_weight(int(weight))))
    best_w = min(abs(fc_weight(c.weight) - target) for c in styled)
    by_weight = [c for c in styled if abs(fc_weight(c.weight) - target) - best_w < 1e-9]
    best_s = min(abs(c.width - stretch) for c in by_weight)
    return next(c for c in by_weight if abs(c.width - stretch) - best_s < 1e-9)

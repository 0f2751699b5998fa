"""Refit `FITTED_COVERAGE_CURVES` (raster/text.py) on the text goldens, with leave-one-out numbers.

    NUMBA_CACHE_DIR=.numba_cache python scripts/fit_text_coverage.py   # ~2 min on 2 cores

For each fixture in FIT, every manifest frame is rendered with the coverage table replaced: all
zeros (no text: the colour under it), then, per text luma the painter asks for, a full table
(255 for any coverage) and the identity (raw coverage). A pixel that one luma's glyphs touch is
then linear in the table: golden ≈ zero + (full − zero)·table[raw]/255. The ten inner knots of the
two curves (ends fixed at 0 and 1, lumas as in FITTED_COVERAGE_CURVES) solve a linear least-squares
problem over those pixels (edge pixels only, contrast ≥ 64 levels, pixels two lumas touch skipped).

Prints the fit on all fixtures, then for each fixture its frame-min PSNR with the current curves
(in-sample when it is in FIT), with the curves fitted without it (held out), and with the fit on
all. It only measures: copying a result into raster/text.py is a decision (floors only go up).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

import vfnative.raster.text as text
from vfnative.model import load
from vfnative.parity.compare import psnr
from vfnative.raster.compose import Compositor
from vfnative.timeline.plan import build_timeline
from vfnative.timeline.scalar import scene_at

GOLDENS = Path(__file__).resolve().parents[1] / "fixtures" / "goldens"
MANIFEST = json.loads((GOLDENS / "manifest.json").read_text())["fixtures"]
FIT = ["basic-text", "text-styles", "text-box", "text-fonts", "captions"]
ALSO = ["transitions-text", "transitions-css"]
ORIGINAL_TABLE = text.fitted_coverage_table
CURRENT = dict(text.FITTED_COVERAGE_CURVES)
LUMAS = sorted(CURRENT)
KNOTS = len(CURRENT[LUMAS[0]])
Table = npt.NDArray[np.uint8]
Curves = dict[float, tuple[float, ...]]


def _render(name: str, table_for: Callable[[float], Table]) -> dict[int, npt.NDArray[np.float64]]:
    text.fitted_coverage_table = table_for  # looked up at draw time; one new painter per call
    try:
        doc = load(GOLDENS / f"{name}.json")
        timeline = build_timeline(doc)
        compositor = Compositor(doc, base_dir=GOLDENS, on_warning=lambda _m: None)
        return {f: compositor.render(scene_at(timeline, f))[..., :3].astype(np.float64)
                for f in MANIFEST[name]["frames"]}  # fmt: skip
    finally:
        text.fitted_coverage_table = ORIGINAL_TABLE


def _golden(name: str, frame: int) -> npt.NDArray[np.float64]:
    with Image.open(GOLDENS / "frames" / name / f"frame_{frame:05d}.png") as im:
        return np.asarray(im.convert("RGB")).astype(np.float64)


def collect(name: str) -> npt.NDArray[np.float64]:
    """Rows (luma, raw coverage 0..255, colour without text, colour at full coverage, golden)."""
    lumas: set[float] = set()

    def record(luma: float) -> Table:
        lumas.add(luma)
        return ORIGINAL_TABLE(luma)

    _render(name, record)
    zero = np.zeros(256, np.uint8)
    full = np.full(256, 255, np.uint8)
    full[0] = 0
    identity = np.arange(256, dtype=np.uint8)
    base = _render(name, lambda _luma: zero)
    groups = {
        luma: (_render(name, lambda lu, luma=luma: full if lu == luma else zero),
               _render(name, lambda lu, luma=luma: identity if lu == luma else zero))
        for luma in sorted(lumas)
    }  # fmt: skip
    rows = []
    for f in MANIFEST[name]["frames"]:
        gold, zero_f = _golden(name, f), base[f]
        touched = {luma: np.abs(g[0][f] - zero_f).max(-1) > 0 for luma, g in groups.items()}
        owners = sum(t.astype(int) for t in touched.values())
        for luma, (full_r, ident_r) in groups.items():
            d = full_r[f] - zero_f
            ch = np.argmax(np.abs(d), axis=-1)[..., None]  # the channel with the most contrast
            dm = np.take_along_axis(d, ch, -1)[..., 0]
            sel = touched[luma] & (owners == 1) & (np.abs(dm) >= 64)
            im = np.take_along_axis(ident_r[f] - zero_f, ch, -1)[..., 0]
            raw = np.clip(np.rint(np.divide(im, dm, out=np.zeros_like(im), where=sel) * 255), 0, 255)
            sel &= (raw > 0) & (raw < 255)
            ys, xs = np.nonzero(sel)
            rows.extend(
                np.stack([np.full(len(ys), luma), raw[ys, xs], zero_f[ys, xs, c], full_r[f][ys, xs, c],
                          gold[ys, xs, c]], 1)
                for c in range(3)
            )  # fmt: skip
    return np.concatenate(rows) if rows else np.zeros((0, 5))


def fit(rows: npt.NDArray[np.float64]) -> Curves:
    """Least squares for the inner knots of both curves, rounded to 3 decimals."""
    luma, raw, zero, full, gold = rows.T
    lo, hi = LUMAS
    w = np.clip((luma - lo) / (hi - lo), 0.0, 1.0)
    x = raw / 255 * (KNOTS - 1)
    k = np.minimum(np.floor(x).astype(int), KNOTS - 2)
    t = x - k
    basis = np.zeros((len(x), KNOTS))
    basis[np.arange(len(x)), k] = 1 - t
    basis[np.arange(len(x)), k + 1] += t
    d = full - zero
    a = np.concatenate([basis[:, 1:-1] * (1 - w)[:, None], basis[:, 1:-1] * w[:, None]], 1) * d[:, None]
    b = gold - zero - d * basis[:, -1]
    sol = np.linalg.lstsq(a, b, rcond=None)[0]
    n = KNOTS - 2
    return {lo: (0.0, *(round(float(v), 3) for v in sol[:n]), 1.0),
            hi: (0.0, *(round(float(v), 3) for v in sol[n:]), 1.0)}  # fmt: skip


def frame_min_psnr(name: str, curves: Curves) -> float:
    text.FITTED_COVERAGE_CURVES.clear()
    text.FITTED_COVERAGE_CURVES.update(curves)
    try:
        frames = _render(name, ORIGINAL_TABLE)
    finally:
        text.FITTED_COVERAGE_CURVES.clear()
        text.FITTED_COVERAGE_CURVES.update(CURRENT)
    return min(psnr(px.astype(np.uint8), _golden(name, f).astype(np.uint8)) for f, px in frames.items())


def main() -> None:
    started = time.perf_counter()
    data = {name: collect(name) for name in FIT}
    for name, rows in data.items():
        print(f"{name:<17} {len(rows) // 3:>6} edge pixels")
    everything = fit(np.concatenate(list(data.values())))
    print(f"fit on all: {everything}\ncurrent:    {CURRENT}")
    print(f"{'fixture':<17} {'current':>8} {'held out':>9} {'fit on all':>11}")
    for name in FIT + ALSO:
        held = "—"
        if name in FIT:
            held = (
                f"{frame_min_psnr(name, fit(np.concatenate([v for k, v in data.items() if k != name]))):.2f}"
            )
        print(
            f"{name:<17} {frame_min_psnr(name, CURRENT):>8.2f} {held:>9} {frame_min_psnr(name, everything):>11.2f}"
        )
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

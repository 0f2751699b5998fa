"""Large text shadows are blurred at reduced resolution (`_shadow_downscale`) and scaled back up.

The downscaled blur must stay close to a full-resolution one: checked here on a 1080p-size title
with the promo's shadow (σ ≈ 27 device px), and small shadows must not be touched at all.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import skia

from vfnative.fonts.registry import FontRegistry
from vfnative.raster import text as text_module
from vfnative.raster.text import TextPainter, _shadow_downscale


@pytest.mark.parametrize(
    ("sigma", "k"), [(0.0, 1), (3.0, 1), (11.9, 1), (12.0, 2), (24.0, 4), (27.0, 4), (48.0, 8), (400.0, 8)]
)
def test_downscale_keeps_sigma_over_k_at_least_6(sigma: float, k: int) -> None:
    assert _shadow_downscale(sigma) == k


def _shadowed(monkeypatch: pytest.MonkeyPatch, blur: float, force_full: bool) -> np.ndarray:
    if force_full:
        monkeypatch.setattr(text_module, "_shadow_downscale", lambda _sigma: 1)
    painter = TextPainter(FontRegistry(), width=1920, height=1080)
    props = {
        "text": "Summer Collection", "fontSize": 134.4, "fontWeight": 800, "color": (1.0, 1.0, 1.0, 1.0),
        "lineHeight": 134.4, "textShadow": True, "textShadowColor": (0.0, 0.0, 0.0, 0.45),
        "textShadowOffset": (0.0, 4.0), "textShadowBlur": blur,
    }  # fmt: skip
    box = painter.measure(props)
    surface = skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(1920, 600))
    canvas = surface.getCanvas()
    canvas.clear(skia.Color(120, 160, 200))
    canvas.translate(180.37, 150.61)  # a fractional position, as in a slide
    painter.paint(canvas, props, box)
    return surface.makeImageSnapshot().toarray(colorType=skia.kRGBA_8888_ColorType).astype(np.float64)


def test_downscaled_shadow_is_close_to_full_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _shadowed(monkeypatch, 53.76, force_full=False)
    full = _shadowed(monkeypatch, 53.76, force_full=True)
    diff = np.abs(fast - full)
    mse = float(np.mean(diff**2))
    assert mse > 0  # the fast path was taken (k = 4 for σ = 26.9)
    assert diff.max() <= 6  # measured: 4
    assert 10 * math.log10(255**2 / mse) >= 55.0  # measured: 57.5


def test_small_shadows_are_blurred_at_full_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _shadowed(monkeypatch, 12.0, force_full=False)
    full = _shadowed(monkeypatch, 12.0, force_full=True)
    assert np.array_equal(fast, full)


def test_text_image_caches_are_bounded_in_bytes() -> None:
    from vfnative.raster.text import _ImageCache

    def image(w: int, h: int) -> skia.Image:
        return skia.Surface.MakeRaster(skia.ImageInfo.MakeN32Premul(w, h)).makeImageSnapshot()

    cache = _ImageCache(max_items=100, max_bytes=3 * 4 * 100 * 100)
    for i in range(5):
        cache[("k", i)] = (None, image(100, 100), 0, 0)
    assert list(cache) == [("k", 2), ("k", 3), ("k", 4)]
    assert cache.nbytes == 3 * 40_000
    cache.move_to_end(("k", 2))
    cache[("big",)] = (None, image(400, 400), 0, 0)  # over the budget alone: kept, everything else goes
    assert list(cache) == [("big",)]
    assert cache.nbytes == 4 * 400 * 400
    small = _ImageCache(max_items=2, max_bytes=1 << 30)
    for i in range(3):
        small[(i,)] = (image(2, 2),)
    assert list(small) == [(1,), (2,)]

"""Work the effect kernels skip must not change a pixel: lightRays without its dark-sample skipping."""

from __future__ import annotations

import numpy as np
import pytest

from vfnative.raster import effects_kernels as K
from vfnative.raster.effects import SCHEMAS, bind_params


def _image(seed: int, w: int = 96, h: int = 64) -> np.ndarray:
    """Dark noise with a few bright blobs (premultiplied, some transparency)."""
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 120, (h, w, 4), dtype=np.uint8)
    for _ in range(4):
        x, y = int(rng.integers(0, w - 8)), int(rng.integers(0, h - 8))
        img[y : y + int(rng.integers(1, 8)), x : x + int(rng.integers(1, 8)), :3] = rng.integers(180, 256, 3)
    img[..., 3] = np.maximum(img[..., 3], img[..., :3].max(axis=2))
    img[: h // 5, :, :] = 0  # a transparent band
    return img


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"threshold": 0.5, "length": 0.9, "centerX": 0.9, "samples": 13},
        {"threshold": 0.72, "centerX": -0.4, "centerY": 1.3, "length": 1.0},
        {"threshold": 0.2},  # most samples bright: whole-pixel checks only
        {"threshold": float("nan")},  # no skipping at all
        {"length": float("inf")},
    ],
)
def test_light_rays_skipping_changes_nothing(params: dict[str, float]) -> None:
    for seed in range(3):
        src = _image(seed)
        h, w = src.shape[:2]
        p = bind_params("lightRays", {**{q.name: q.default for q in SCHEMAS["lightRays"]}, **params}, w)
        fast, plain = np.zeros_like(src), np.zeros_like(src)
        K.light_rays(src, fast, 3, 2, w - 1, h, p, True)
        K.light_rays(src, plain, 3, 2, w - 1, h, p, False)
        assert np.array_equal(fast, plain), (seed, params)
        if not params:  # the rays do add light here, so a skipped bright sample would show
            assert not np.array_equal(plain[2:, 3 : w - 1], src[2:, 3 : w - 1])


@pytest.mark.parametrize("params", [{}, {"distortion": 3.0, "blurRadius": 0.2}, {"distortion": 0.0}])
def test_frosted_glass_noise_field_changes_nothing(params: dict[str, float]) -> None:
    """frostedGlass's first pass with its fbm noise from the per-size field equals the kernel that
    computes it per pixel."""
    from vfnative.raster.effects import _frosted_glass_h

    src = _image(5)
    h, w = src.shape[:2]
    p = bind_params("frostedGlass", {**{q.name: q.default for q in SCHEMAS["frostedGlass"]}, **params}, w)
    cached, plain = np.zeros_like(src), np.zeros_like(src)
    _frosted_glass_h(src, cached, src, 2, 1, w, h - 3, np.float32(0.5), p)
    K.k_frosted_glass_h(src, plain, src, 2, 1, w, h - 3, np.float32(0.5), p)
    assert np.array_equal(cached, plain)
    assert cached[1:-3, 2:].any()

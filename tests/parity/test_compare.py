"""PSNR, max abs diff, mismatch ratio and diff images on small known arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vfnative.parity.compare import (
    DIFF_GAIN,
    PSNR_PEAK,
    diff_image,
    max_abs_diff,
    mismatch_ratio,
    psnr,
)


def frame(value: int, shape: tuple[int, int] = (4, 5), alpha: int = 255) -> np.ndarray:
    out = np.full((*shape, 4), value, np.uint8)
    out[..., 3] = alpha
    return out


def test_identical_frames_are_infinite() -> None:
    assert psnr(frame(7), frame(7)) == math.inf


def test_psnr_of_a_uniform_offset() -> None:
    # every RGB value off by 1: MSE = 1 → 20·log10(255)
    assert psnr(frame(10), frame(11)) == pytest.approx(20 * math.log10(PSNR_PEAK))


def test_psnr_ignores_alpha_and_accepts_rgb() -> None:
    a = frame(10, alpha=0)
    b = frame(10)[..., :3]
    assert psnr(a, b) == math.inf


def test_psnr_is_mean_over_all_rgb_values() -> None:
    a = frame(0)
    b = frame(0)
    b[0, 0, 0] = 60  # one value of 4·5·3 = 60 differs by 60 → MSE = 3600/60 = 60
    assert psnr(a, b) == pytest.approx(10 * math.log10(255**2 / 60))


def test_psnr_is_symmetric() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, (8, 8, 4), dtype=np.uint8)
    b = rng.integers(0, 256, (8, 8, 4), dtype=np.uint8)
    assert psnr(a, b) == psnr(b, a)


def test_max_abs_diff_has_no_uint8_wraparound() -> None:
    assert max_abs_diff(frame(0), frame(255)) == 255
    assert max_abs_diff(frame(200), frame(3)) == 197


def test_mismatch_ratio_counts_pixels() -> None:
    a = frame(0)
    b = frame(0)
    b[0, 0, 1] = 100
    b[1, 1, 2] = 5  # under the threshold
    assert mismatch_ratio(a, b) == pytest.approx(1 / 20)


def test_diff_image_is_amplified_and_opaque() -> None:
    a = frame(0)
    b = frame(0)
    b[0, 0, :3] = (1, 10, 100)
    d = diff_image(a, b)
    assert d.shape == (4, 5, 4)
    assert d.dtype == np.uint8
    assert d[0, 0].tolist() == [int(DIFF_GAIN), int(10 * DIFF_GAIN), 255, 255]
    assert (d[1:, :, :3] == 0).all()
    assert (d[..., 3] == 255).all()


def test_size_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="differ in size"):
        psnr(frame(0, (4, 5)), frame(0, (5, 4)))

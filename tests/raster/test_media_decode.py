"""ImageStore decodes an image once, into one buffer: the same pixels as Skia's lazy-image path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skia

from vfnative.raster.media import ImageStore

BENCH_PHOTO = Path(__file__).resolve().parents[2] / "bench" / "documents" / "media" / "photo.jpg"


def _reference(path: Path) -> np.ndarray:
    image = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(path.read_bytes())).makeRasterImage()
    return np.asarray(image.toarray())


def _write(tmp_path: Path, name: str, fmt: skia.EncodedImageFormat, alpha: bool) -> Path:
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    rgba[..., 3] = rng.integers(0, 256, size=(37, 53)) if alpha else 255
    image = skia.Image.fromarray(
        rgba, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType
    )
    path = tmp_path / name
    path.write_bytes(bytes(image.encodeToData(fmt, 90)))
    return path


@pytest.mark.parametrize(
    ("name", "fmt", "alpha"),
    [("a.jpg", skia.kJPEG, False), ("b.png", skia.kPNG, True), ("c.webp", skia.kWEBP, True)],
)
def test_decoded_pixels_equal_the_lazy_image_path(
    tmp_path: Path, name: str, fmt: object, alpha: bool
) -> None:
    path = _write(tmp_path, name, fmt, alpha)
    image = ImageStore(tmp_path).get(name)
    ref = skia.Image.MakeFromEncoded(skia.Data.MakeWithCopy(path.read_bytes()))
    assert image.imageInfo() == ref.imageInfo()
    assert image.hasMipmaps()
    np.testing.assert_array_equal(np.asarray(image.toarray()), _reference(path))


@pytest.mark.skipif(not BENCH_PHOTO.exists(), reason="bench media not generated")
def test_bench_photo_is_pixel_identical() -> None:
    store = ImageStore(BENCH_PHOTO.parent)
    image = store.get(BENCH_PHOTO.name)
    assert (image.width(), image.height()) == (2400, 1600)
    np.testing.assert_array_equal(np.asarray(image.toarray()), _reference(BENCH_PHOTO))

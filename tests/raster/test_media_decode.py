"""ImageStore decodes an image once, into one buffer: the same pixels as Skia's lazy-image path."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import skia

from vfnative.raster.media import ImageStore

MAKE_MEDIA = Path(__file__).resolve().parents[2] / "bench" / "make_media.py"


def _make_media() -> ModuleType:
    """bench/make_media.py (bench/ is not a package): the generator of the bench documents' media."""
    spec = importlib.util.spec_from_file_location("vfnative_bench_make_media", MAKE_MEDIA)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bench's 2400×1600 JPEG photo, generated as bench/make_media.py makes it (~1 s)."""
    path = tmp_path_factory.mktemp("bench-media") / "photo.jpg"
    _make_media().make_photo(path)
    return path


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


def test_bench_photo_is_pixel_identical(bench_photo: Path) -> None:
    store = ImageStore(bench_photo.parent)
    image = store.get(bench_photo.name)
    assert (image.width(), image.height()) == (2400, 1600)
    np.testing.assert_array_equal(np.asarray(image.toarray()), _reference(bench_photo))

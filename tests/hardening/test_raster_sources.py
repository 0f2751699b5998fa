"""Raster media through the source policy: refused sources warn and skip, data: URIs draw, pixel caps hold."""

from __future__ import annotations

import base64
import importlib.util
import io
import struct
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from vfnative.errors import AssetError, MediaDecodeError
from vfnative.media.sources import SourcePolicy, SourceResolver
from vfnative.raster.compose import Compositor
from vfnative.raster.media import ImageStore


def _raster_helpers() -> ModuleType:
    """tests/raster/conftest.py (hand-built documents and LayerFrames), loaded by path."""
    path = Path(__file__).resolve().parents[1] / "raster" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_raster_conftest", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _raster_helpers()
make_doc, make_layer = _helpers.make_doc, _helpers.make_layer


def _png(width: int = 4, height: int = 2, color: tuple[int, ...] = (255, 0, 0, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(out, "PNG")
    return out.getvalue()


def _image(source: str) -> object:
    return make_layer("image", settings={"source": source}, path="layers[0]", fit="contain")


def test_image_store_uses_the_default_policy(tmp_path: Path) -> None:
    doc = tmp_path / "doc"
    doc.mkdir()
    (tmp_path / "secret.png").write_bytes(_png())
    (doc / "ok.png").write_bytes(_png())
    store = ImageStore(doc)
    assert store.get("ok.png").width() == 4
    with pytest.raises(AssetError, match="outside the allowed folders"):
        store.get("../secret.png")
    with pytest.raises(AssetError, match="network sources are off"):
        store.get("https://example.com/a.png")


def test_refused_image_warns_once_and_draws_nothing(tmp_path: Path) -> None:
    doc = tmp_path / "doc"
    doc.mkdir()
    (tmp_path / "secret.png").write_bytes(_png())
    warnings: list[str] = []
    compositor = Compositor(make_doc(), base_dir=doc, on_warning=warnings.append)
    out = compositor.render([_image("../secret.png")])
    compositor.render([_image("../secret.png")])
    assert len(warnings) == 1
    assert "layers[0]: image '../secret.png' skipped" in warnings[0]
    assert "outside the allowed folders" in warnings[0]
    assert (out[..., :3] == 0).all()


def test_data_uri_image_draws(tmp_path: Path) -> None:
    uri = "data:image/png;base64," + base64.b64encode(_png(2, 1)).decode()
    with SourceResolver(SourcePolicy(), tmp_path) as resolver:
        store = ImageStore(tmp_path, resolve=resolver)
        out = Compositor(make_doc(), images=store).render([_image(uri)])
    assert (out[10:90, 10:190, 0] == 255).all()


def test_decoded_pixel_cap_reads_only_the_header(tmp_path: Path) -> None:
    (tmp_path / "big.png").write_bytes(_png(300, 200))
    store = ImageStore(tmp_path, max_pixels=300 * 200 - 1)
    with pytest.raises(MediaDecodeError) as info:
        store.get("big.png")
    assert str(info.value) == (
        "image 'big.png' is 300×200 = 60000 px; the limit is 59999 (Limits.max_media_pixels)"
    )
    assert ImageStore(tmp_path, max_pixels=300 * 200).get("big.png").width() == 300


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` but whose data is a few bytes (truncated)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_header_is_refused(tmp_path: Path) -> None:
    # the header claims 60000×60000 (14.4 GB as RGBA): refused before a pixel is decoded
    (tmp_path / "bomb.png").write_bytes(bomb_png(60000, 60000))
    warnings: list[str] = []
    compositor = Compositor(make_doc(), base_dir=tmp_path, on_warning=warnings.append, max_media_pixels=2**26)
    out = compositor.render([_image("bomb.png")])
    assert "60000×60000 = 3600000000 px; the limit is 67108864 (Limits.max_media_pixels)" in warnings[0]
    assert np.all(out[..., :3] == 0)

"""Image layers: decode once, fit into the frame, draw with the reference's sampler (spec 02 §8).

Decoding goes through Skia's codecs (PNG with alpha, JPEG, WebP, GIF first frame), which apply
EXIF orientation as Chrome does; decoded images are cached by resolved path for the lifetime
of the store (one render). Tier 1 (`drawImage` under a scale+translate canvas transform) is not
antialiased and picks Mitchell only when both CTM scales exceed 1, else bilinear with linear
mipmaps; tier 3 (CSS `<img>` painting) is antialiased and decides on the total scale.
Video pictures come from the render's MediaLibrary (media/). Sources are turned into files by a
``resolve(source) -> Path`` function, by default a `SourceResolver` confined to the document's folder
(media/sources.py: allowed roots, data: URIs, network policy). Decoded sizes are capped by
`max_pixels` (`Limits.max_media_pixels`), checked from the file header before any pixel is decoded.
Imports numpy, skia, errors, media and stdlib.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import skia

from vfnative.errors import AssetError, MediaDecodeError, MissingAssetError
from vfnative.media.library import MediaLibrary
from vfnative.media.sources import SourceResolver

__all__ = [
    "ImageStore",
    "fit_dims",
    "sampling_for_scale",
]

_MITCHELL = skia.SamplingOptions(skia.CubicResampler.Mitchell())
_TRILINEAR = skia.SamplingOptions(skia.FilterMode.kLinear, skia.MipmapMode.kLinear)


def fit_dims(width: int, height: int, mw: float, mh: float, fit: object) -> tuple[float, float]:
    """The media fit box (ow', oh') of spec 02 §3.1; any fit but contain/cover stretches to W×H."""
    if mw <= 0 or mh <= 0:
        return float(width), float(height)
    if fit == "contain":
        return min(width, height * mw / mh), min(height, width * mh / mw)
    if fit == "cover":
        return max(width, height * mw / mh), max(height, width * mh / mw)
    return float(width), float(height)


def sampling_for_scale(sx: float, sy: float) -> skia.SamplingOptions:
    """Chrome's 'high' image quality: Mitchell when (sx, sy) upscale on both axes, else trilinear.

    `sx, sy` decide the filter (tier 1: the canvas CTM scale only; tier 3: the total scale).
    Trilinear stays trilinear even when nothing is minified: plain bilinear would be 3-4×
    faster on skia-python's N32 path, but it rounds differently from the raster pipeline Chrome
    uses (−0.6 dB on image-fit, −4 dB on blend-modes), so parity wins.
    """
    if abs(sx) > 1.0 and abs(sy) > 1.0:
        return _MITCHELL
    return _TRILINEAR


def _check_pixels(width: int, height: int, max_pixels: int | None, what: str, source: str) -> None:
    if max_pixels is not None and width * height > max_pixels:
        raise MediaDecodeError(
            f"{what} {source!r} is {width}×{height} = {width * height} px; the limit is {max_pixels} "
            "(Limits.max_media_pixels)",
            source=source,
        )


_DECODED = (skia.Codec.Result.kSuccess, skia.Codec.Result.kIncompleteInput, skia.Codec.Result.kErrorInInput)
"""Codec results Skia's own image generator accepts (a truncated file shows what was decoded)."""


def _decode_once(codec: skia.Codec, encoded: skia.Image) -> skia.Image | None:
    """`encoded.makeRasterImage()` without its second copy: the lazy image's decode also leaves a
    full-size bitmap in Skia's resource cache, ~15 MB for a 2400×1600 photo. Decoding with the same
    codec into the lazy image's own ImageInfo (colour type, alpha type, colour space) gives the same
    pixels in one buffer, shared by the image. EXIF-rotated files keep Skia's path (it orients)."""
    if codec.getOrigin() != skia.EncodedOrigin.kTopLeft_EncodedOrigin:
        return encoded.makeRasterImage()
    info = encoded.imageInfo()
    bitmap = skia.Bitmap()
    if not bitmap.tryAllocPixels(info):
        return encoded.makeRasterImage()
    pixels = np.asarray(bitmap)  # a writable view of the bitmap's pixels
    result = codec.getPixels(info, pixels, bitmap.rowBytes())
    del pixels
    if result not in _DECODED:
        return encoded.makeRasterImage()
    bitmap.setImmutable()
    return skia.Image.MakeFromBitmap(bitmap)  # shares the immutable bitmap's pixels


class ImageStore:
    """Decoded still images keyed by source; failures are cached too (one error per source).

    `resolve` turns a source into a file (default: a `SourceResolver` with the default policy over
    `base_dir`, i.e. files inside the document's folder only); `max_pixels` caps width × height.
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        resolve: Callable[[str], Path] | None = None,
        max_pixels: int | None = None,
    ) -> None:
        self.base_dir = base_dir
        self._resolve = resolve if resolve is not None else SourceResolver(base_dir=base_dir)
        self.max_pixels = max_pixels
        self._images: dict[str, skia.Image | Exception] = {}

    def resolve(self, source: str) -> Path:
        """A document `source` → a local file, under the store's source policy (raises AssetError)."""
        return self._resolve(source)

    def get(self, source: str) -> skia.Image:
        """The decoded image (raster-backed, with mipmaps); raises AssetError subclasses."""
        cached = self._images.get(source)
        if isinstance(cached, Exception):
            raise cached
        if cached is not None:
            return cached
        try:
            image = self._decode(source)
        except AssetError as exc:
            self._images[source] = exc
            raise
        self._images[source] = image
        return image

    def _decode(self, source: str) -> skia.Image:
        path = self.resolve(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise MissingAssetError(f"image not found: {path}", source=source) from exc
        except OSError as exc:
            raise MediaDecodeError(f"cannot read image {path}: {exc}", source=source) from exc
        skdata = skia.Data.MakeWithCopy(data)
        try:
            codec = skia.Codec.MakeFromData(skdata)  # reads the header only
        except RuntimeError:  # skia-python: "Failed to make codec"
            codec = None
        if codec is None:
            raise MediaDecodeError(f"cannot decode image {path}", source=source)
        size = codec.dimensions()
        _check_pixels(size.width(), size.height(), self.max_pixels, "image", source)
        encoded = skia.Image.MakeFromEncoded(skdata)
        if encoded is None:
            raise MediaDecodeError(f"cannot decode image {path}", source=source)
        raster = _decode_once(codec, encoded)
        if raster is None or raster.width() <= 0 or raster.height() <= 0:
            raise MediaDecodeError(f"image has no pixels: {path}", source=source)
        if raster.alphaType() == skia.kUnpremul_AlphaType:
            raise MediaDecodeError(f"unexpected unpremultiplied image: {path}", source=source)
        mipmapped = raster.withDefaultMipmaps()
        return mipmapped if mipmapped is not None else raster

    def __len__(self) -> int:
        return sum(1 for v in self._images.values() if not isinstance(v, Exception))

    def __repr__(self) -> str:
        return f"<ImageStore {len(self)} images base_dir={self.base_dir}>"


class VideoStore:
    """Video pictures as Skia images, from the render's `MediaLibrary`: one decoder per source,
    shared by every layer that shows it, its decoded pictures in the library's byte-bounded cache.

    A source that fails to open is remembered by the library, so each layer reports it once and is
    skipped for the rest of the render (the reference disables it). The Skia image wraps the cached
    (read-only) pixels without a copy; the last one per layer is kept so that a layer showing the
    same picture again (slow speed, a held last frame) reuses it.
    """

    def __init__(self, media: MediaLibrary | Callable[[str], Path], *, max_pixels: int | None = None) -> None:
        self.media = media if isinstance(media, MediaLibrary) else MediaLibrary(media)
        self.max_pixels = max_pixels
        self._last: dict[str, tuple[object, skia.Image]] = {}

    def frame(self, layer_path: str, source: str, source_time: float) -> skia.Image:
        """The frame of `source` shown at `source_time`, as an opaque BGRA skia image."""
        decoder = self.media.video(source)
        _check_pixels(decoder.width, decoder.height, self.max_pixels, "video", source)
        pixels = decoder.frame_at(source_time, pixel_format="bgra")
        last = self._last.get(layer_path)
        if last is not None and last[0] is pixels:
            return last[1]
        image = skia.Image.fromarray(
            pixels, colorType=skia.kBGRA_8888_ColorType, alphaType=skia.kOpaque_AlphaType, copy=False
        )
        self._last[layer_path] = (pixels, image)  # keeps the pixels alive as long as the image
        return image

    def close(self) -> None:
        self._last.clear()
        self.media.close()

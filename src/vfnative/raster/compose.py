"""Draw one frame: clear to the background, then composite each active layer in paint order.

Follows spec 02 §1.4 / §11. Every layer is placed by one projective matrix (raster/transform),
draws its box decorations and content in box-local coordinates, and is isolated in a saveLayer
whenever opacity or a blend mode must act on its flattened result. Groups draw their children
onto a private transparent W×H surface (one per nesting depth, reused) and are then composited
like a W×H image. Image and group layers with a simple transform take the reference's tier-1
path (non-AA, CTM-based sampler), everything else tier 3.

Raster holds no timing logic: it reads resolved `LayerFrame.props` (timeline/scene.py contract).
Features not drawn yet warn once per feature per Compositor via `on_warning`, never silently.
Imports raster.*, the scene contract, model colour parsing, types and errors.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import skia

from vfnative.errors import AssetError, RenderError, VfnativeError
from vfnative.raster.blend import blend_mode, clamp_opacity, filter_parts, layer_paint
from vfnative.raster.box import Decorations, decorations, paint_decorations, paint_outline
from vfnative.raster.media import ImageStore, VideoStore, fit_dims, sampling_for_scale
from vfnative.raster.retain import RetainedLayers, RetainStats
from vfnative.raster.shapes import draw_shape, shape_bounds_outset, shape_geometry
from vfnative.raster.surface import RasterSurface, to_rgba8
from vfnative.raster.transform import as_vector, css_round, layer_matrix, rotation_zxy, scale_xyz
from vfnative.timeline.scene import LayerFrame
from vfnative.timeline.timecode import LayerClock
from vfnative.types import PremulRGBA8

if TYPE_CHECKING:
    from vfnative.media.library import MediaLibrary
    from vfnative.model.document import VideoJSON
    from vfnative.raster.effects import EffectCall

__all__ = ["Compositor", "to_rgba8"]

log = logging.getLogger(__name__)

_SRC_OVER = skia.BlendMode.kSrcOver

_FILTER_DEFAULTS: tuple[tuple[str, float], ...] = (
    ("filterBlur", 0.0),
    ("filterBrightness", 1.0),
    ("filterContrast", 1.0),
    ("filterGrayscale", 0.0),
    ("filterHueRotate", 0.0),
    ("filterInvert", 0.0),
    ("filterSaturate", 1.0),
    ("filterSepia", 0.0),
)


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """Read a camelCase document field from a model object (snake_case attribute) or a dict."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
    value = getattr(obj, snake, None)
    if value is None:
        value = getattr(obj, name, None)
    if value is None:
        extra = getattr(obj, "model_extra", None)
        if extra:
            value = extra.get(name)
    return default if value is None else value


def _setting(layer: Any, name: str, default: Any = None) -> Any:
    return _attr(_attr(layer, "settings"), name, default)


def _num(value: Any, default: float = 0.0) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return default
    return f if math.isfinite(f) else default


def _filters_active(props: Mapping[str, Any]) -> list[str]:
    """Names of filter props that differ from their identity value."""
    return [name for name, default in _FILTER_DEFAULTS if _num(props.get(name), default) != default]


def _enabled_effects(layer: Any) -> list[Any]:
    effects = _attr(layer, "effects") or []
    return [e for e in effects if _attr(e, "enabled", True) is not False]


def _background(doc: Any) -> skia.Color4f:
    """The document background as a Skia colour (empty/unparsable → opaque black, spec 02 §1.1)."""
    raw = _attr(doc, "backgroundColor")
    if isinstance(raw, tuple) and len(raw) == 4:
        color = raw
    else:
        color = None
        if isinstance(raw, str) and raw.strip():
            try:
                from vfnative.model.color import parse_color

                color = parse_color(raw)
            except Exception:  # noqa: BLE001 - an unparsable colour leaves the default
                color = None
    if color is None:
        return skia.Color4f(0.0, 0.0, 0.0, 1.0)
    r, g, b, a = color
    return skia.Color4f(float(r), float(g), float(b), min(max(float(a), 0.0), 1.0))


def _default_text_painter(width: int, height: int, on_warning: Callable[[str], None] | None) -> object | None:
    """The text engine's painter (installed fonts) if it is importable; None → text is skipped."""
    try:
        from vfnative.fonts.registry import FontRegistry
        from vfnative.raster.text import TextPainter
    except ImportError:
        return None
    registry = FontRegistry(on_warning=on_warning)
    return TextPainter(registry, width=width, height=height, on_warning=on_warning)


def _map_subrect(part: skia.Rect, full: skia.Rect, dest: skia.Rect) -> skia.Rect:
    """Where `part` of an image lands when the whole image `full` is drawn into `dest`."""
    if part is full:
        return dest
    kx = dest.width() / full.width()
    ky = dest.height() / full.height()
    return skia.Rect.MakeLTRB(
        dest.left() + part.left() * kx, dest.top() + part.top() * ky,
        dest.left() + part.right() * kx, dest.top() + part.bottom() * ky,
    )  # fmt: skip


def _opaque_bounds(pixels: npt.NDArray[np.uint8], pad: int = 2) -> skia.Rect | None:
    """Bounding box of the non-transparent pixels (premultiplied: alpha 0 ⇒ all 0), padded.

    The padding keeps the sampling footprint (bilinear/cubic/mip) of edge pixels inside the
    subset, so drawing the subset equals drawing the whole bitmap.
    """
    words = pixels.view(np.uint32).reshape(pixels.shape[0], pixels.shape[1])
    rows = np.flatnonzero(words.any(axis=1))
    if rows.size == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1]) + 1
    cols = np.flatnonzero(words[top:bottom].any(axis=0))
    left, right = int(cols[0]), int(cols[-1]) + 1
    h, w = pixels.shape[:2]
    return skia.Rect.MakeLTRB(
        max(0, left - pad), max(0, top - pad), min(w, right + pad), min(h, bottom + pad)
    )


class Compositor:
    """Draws scenes (lists of LayerFrame) of one document into one reused W×H surface.

    `render` returns a view of the surface pixels — (H, W, 4) uint8 RGBA, premultiplied — that
    stays valid until the next `render` call; use `to_rgba8` for a straight-alpha copy.
    Decoded images and shape paths are cached for the Compositor's lifetime. `effect_threads` is how
    many threads share each large effect pass (raster/effects.py: bands of rows, same pixels).
    """

    def __init__(
        self,
        doc: VideoJSON,
        *,
        base_dir: Path | None = None,
        on_warning: Callable[[str], None] | None = None,
        text_painter: object | None = None,
        media: MediaLibrary | None = None,
        images: ImageStore | None = None,
        max_media_pixels: int | None = None,
        retain: bool = True,
        effect_threads: int = 1,
    ) -> None:
        self.doc = doc
        self.effect_threads = max(1, int(effect_threads))
        self.width = int(_attr(doc, "width"))
        self.height = int(_attr(doc, "height"))
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self._on_warning = on_warning
        self._background = _background(doc)
        self._surface = RasterSurface(self.width, self.height)
        self._group_surfaces: list[RasterSurface] = []
        self._effect_surfaces: list[RasterSurface] = []
        # images: the render's store (its source policy and pixel cap), or one over base_dir
        self._images = (
            images if images is not None else ImageStore(self.base_dir, max_pixels=max_media_pixels)
        )
        self._videos = VideoStore(
            media if media is not None else self._images.resolve, max_pixels=max_media_pixels
        )
        self._warned: set[str] = set()
        self._text = (
            text_painter
            if text_painter is not None
            else _default_text_painter(self.width, self.height, self._emit)
        )
        self._full = skia.Rect.MakeWH(self.width, self.height)
        # retained mode (raster/retain.py): layer pictures, damage-only redraws, a cached static base;
        # the same pixels as drawing every layer every frame, for a fraction of the work
        self._retained = RetainedLayers(self.width, self.height, self._background) if retain else None

    # ------------------------------------------------------------------ public

    @property
    def last_damage(self) -> list[tuple[int, int, int, int]] | None:
        """Pixel boxes (left, top, right, bottom) the last render changed; [] = none, None = anywhere."""
        return self._retained.last_damage if self._retained is not None else None

    @property
    def retain_stats(self) -> RetainStats | None:
        """Reuse counters of the retained mode (None when `retain=False`)."""
        return self._retained.stats if self._retained is not None else None

    @property
    def surface(self) -> RasterSurface:
        """The frame surface (its `bgra` is what `render_bgra` returns)."""
        return self._surface

    def render(self, scene: Sequence[LayerFrame]) -> PremulRGBA8:
        """Draw one frame; (H, W, 4) premultiplied RGBA in a buffer reused by the next call.

        The RGBA view costs one SIMD swizzle (≈1.5 ms at 1080p); `render_bgra` avoids it.
        """
        self.render_bgra(scene)
        return self._surface.rgba()

    def render_bgra(
        self, scene: Sequence[LayerFrame], before_write: Callable[[], None] | None = None
    ) -> npt.NDArray[np.uint8]:
        """Draw one frame and return the surface's own pixels: premultiplied **BGRA**, no copy.

        For encoders that take BGRA directly (PyAV `VideoFrame.from_ndarray(a, format="bgra")`).
        Valid until the next render call; read it, never write to it (in retained mode the next
        frame only redraws what changed on top of these pixels). `before_write` is called once just
        before the surface is first written (not at all if this frame leaves it as it is): a reader
        of the previous frame's pixels on another thread (`Muxer.fence`) can finish there.
        """
        surface = self._surface
        if self._retained is not None:
            self._retained.draw(surface, scene, self._draw_top_layer, before_write)
        else:
            if before_write is not None:
                before_write()
            surface.clear(self._background)
            self._draw_layers(surface.canvas, scene, 0)
        return surface.bgra

    def _draw_top_layer(self, canvas: skia.Canvas, lf: LayerFrame) -> None:
        self._draw_layer(canvas, lf, 0)

    def warn(self, feature: str, message: str) -> None:
        """Report a degraded feature once per Compositor (i.e. once per render of a document)."""
        if feature in self._warned:
            return
        self._warned.add(feature)
        self._emit(message)

    def _emit(self, message: str) -> None:
        if self._on_warning is not None:
            self._on_warning(message)
        else:
            log.warning("%s", message)

    def __repr__(self) -> str:
        return f"<Compositor {self.width}x{self.height} images={len(self._images)}>"

    # ------------------------------------------------------------------ layers

    def _draw_layers(self, canvas: skia.Canvas, layers: Sequence[LayerFrame], depth: int) -> None:
        for lf in layers:
            self._draw_layer(canvas, lf, depth)

    def _draw_layer(self, canvas: skia.Canvas, lf: LayerFrame, depth: int) -> None:
        try:
            self._draw_layer_checked(canvas, lf, depth)
        except VfnativeError:
            raise
        except (ArithmeticError, ValueError, TypeError, MemoryError) as exc:
            # a bug or an input no test foresaw: name the layer and frame instead of a bare traceback
            raise RenderError(f"{lf.path}: drawing failed: {type(exc).__name__}: {exc}", path=lf.path,
                              frame=lf.frame) from exc  # fmt: skip

    def _draw_layer_checked(self, canvas: skia.Canvas, lf: LayerFrame, depth: int) -> None:
        props = lf.props
        if props.get("visible", True) is False:
            return  # intent (spec 01 §2.7), not the export quirk Q1
        opacity = clamp_opacity(props.get("opacity", 1.0))
        if opacity <= 0.0:
            return  # a fully transparent layer leaves the backdrop unchanged under every mode
        if _enabled_effects(lf.layer) or "__effects" in props:
            # imported here: the effect kernels load numba (~0.2 s, ~60 MB) and most documents have none
            from vfnative.raster.effects import resolve_effects

            calls = resolve_effects(lf.layer, props)
            if calls:
                self._draw_with_effects(canvas, lf, depth, calls)
                return
        self._draw_layer_body(canvas, lf, depth, opacity)

    def _draw_layer_body(self, canvas: skia.Canvas, lf: LayerFrame, depth: int, opacity: float) -> None:
        kind = str(_attr(lf.layer, "type", ""))
        if kind == "shape":
            self._draw_shape(canvas, lf, opacity)
        elif kind == "image":
            self._draw_image(canvas, lf, opacity)
        elif kind in ("text", "captions"):
            self._draw_text(canvas, lf, opacity)
        elif kind == "group":
            self._draw_group(canvas, lf, opacity, depth)
        elif kind == "video":
            self._draw_video(canvas, lf, opacity)
        else:
            self.warn(f"type:{kind}", f"{lf.path}: layer type {kind!r} is not drawn")

    def _draw_with_effects(
        self, canvas: skia.Canvas, lf: LayerFrame, depth: int, calls: list[EffectCall]
    ) -> None:
        """Rasterise the layer alone on a transparent W×H surface, run its effects, then composite.

        The reference runs effects on the layer's full-canvas bitmap after its transform, opacity
        and filters, and blends the result once (spec 01 §4.4, spec 03 §B.0.1): so the isolated
        pass draws with blend mode normal, and the blend mode applies when the result meets the
        backdrop. Effects are time-dependent (`u_time` = frame / fps of the layer's timeline).
        """
        while len(self._effect_surfaces) <= depth:
            self._effect_surfaces.append(RasterSurface(self.width, self.height))
        scratch = self._effect_surfaces[depth]
        scratch.clear(skia.Color4f(0.0, 0.0, 0.0, 0.0))
        isolated = replace(lf, props={**lf.props, "blendMode": "normal"})
        self._draw_layer_body(scratch.canvas, isolated, depth, clamp_opacity(lf.props.get("opacity", 1.0)))
        pixels = scratch.rgba()
        alpha = pixels[..., 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        if rows.size == 0 and not _needs_empty_input(calls):
            return
        bounds = None
        if rows.size:
            cols = np.flatnonzero(alpha.any(axis=0))
            bounds = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
        from vfnative.raster.effects import apply_effects

        fps = float(_attr(self.doc, "fps", 30.0))
        out = apply_effects(pixels, calls, time_s=lf.frame / fps, width=self.width, height=self.height,
                            bounds=bounds, on_warning=lambda m: self.warn(f"effect:{m}", f"{lf.path}: {m}"),
                            threads=self.effect_threads)  # fmt: skip
        image = skia.Image.fromarray(
            np.ascontiguousarray(out), colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType
        )
        paint = skia.Paint(BlendMode=blend_mode(lf.props.get("blendMode")))
        canvas.drawImage(image, 0, 0, skia.SamplingOptions(), paint)

    def _warn_decorations(self, lf: LayerFrame, deco: Decorations) -> None:
        for feature in deco.unsupported:
            self.warn(feature, f"{feature} is not drawn yet (first: {lf.path})")

    # ------------------------------------------------------------------ generic box layer

    def _begin(
        self,
        canvas: skia.Canvas,
        lf: LayerFrame,
        box_w: float,
        box_h: float,
        offset_x: float,
        offset_y: float,
        opacity: float,
        bounds: skia.Rect | None,
        deco: Decorations,
    ) -> int | None:
        """Concat the layer matrix and open its isolation layer (filters, opacity, blend mode).

        `bounds` (box-local, None = unknown) limits the layer; it is widened by the shadow and
        outline overflow and dropped under perspective or a filter (blur reaches past it).
        Returns the save count to restore to when done, or None when nothing can show.
        """
        placement = layer_matrix(lf.props, box_w, box_h, offset_x, offset_y, self.width, self.height)
        if not placement.matrix.isFinite():
            return None
        restore_to: int = canvas.save()
        canvas.concat(placement.matrix)
        image_filter, color_filter = filter_parts(lf.props)
        paint = layer_paint(opacity, blend_mode(lf.props.get("blendMode")), image_filter, color_filter)
        if paint is not None:
            if bounds is not None and deco.overflow > 0:
                bounds = bounds.makeOutset(deco.overflow, deco.overflow)
            usable = bounds is not None and placement.affine and image_filter is None
            canvas.saveLayer(bounds if usable else None, paint)
        return restore_to

    def _static_offset(self, w: float, h: float) -> tuple[float, float]:
        return css_round((self.width - w) / 2.0), css_round((self.height - h) / 2.0)

    # ------------------------------------------------------------------ shapes

    def _draw_shape(self, canvas: skia.Canvas, lf: LayerFrame, opacity: float) -> None:
        props = lf.props
        shape_type = str(_setting(lf.layer, "shapeType", "rectangle"))
        geom = shape_geometry(shape_type, props)
        w, h = geom.width, geom.height
        deco = decorations(props, w, h)
        self._warn_decorations(lf, deco)
        bt, br, bb, bl = deco.widths
        content = skia.Rect.MakeLTRB(bl, bt, max(bl, w - br), max(bt, h - bb))
        pad = shape_bounds_outset(geom)
        bounds = skia.Rect.MakeLTRB(-pad, -pad, max(w, 1.0) + pad, max(h, 1.0) + pad)
        bx, by = self._static_offset(w, h)
        restore_to = self._begin(canvas, lf, w, h, bx, by, opacity, bounds, deco)
        if restore_to is None:
            return
        paint_decorations(canvas, deco)
        draw_shape(canvas, geom, props, content)
        paint_outline(canvas, deco)
        canvas.restoreToCount(restore_to)

    # ------------------------------------------------------------------ text

    def _draw_text(self, canvas: skia.Canvas, lf: LayerFrame, opacity: float) -> None:
        painter = self._text
        if painter is None:
            self.warn("text", f"text layers are skipped: no text engine available (first: {lf.path})")
            return
        props = lf.props
        if str(_attr(lf.layer, "type", "")) == "captions" and not props.get("text"):
            return
        try:
            box = painter.measure(props)  # type: ignore[attr-defined]
        except AssetError as exc:
            self.warn(f"text:{lf.path}", f"{lf.path}: text layer skipped: {exc}")
            return
        w = float(getattr(box, "width", getattr(box, "w", 0.0)))
        h = float(getattr(box, "height", getattr(box, "h", 0.0)))
        text_align = props.get("textAlign", "center")
        vertical = props.get("verticalAlign", "middle")
        if text_align in ("left", "justify"):
            bx = self.width / 2.0
        elif text_align == "right":
            bx = self.width / 2.0 - w
        else:
            bx = (self.width - w) / 2.0
        if vertical == "top":
            by = self.height / 2.0
        elif vertical == "bottom":
            by = self.height / 2.0 - h
        else:
            by = (self.height - h) / 2.0
        deco = decorations(props, w, h)
        self._warn_decorations(lf, deco)
        # The text's own ink bounds the isolation layer: unbounded, a translucent text (every fade)
        # would allocate and composite a whole-frame layer (~2 ms at 1080p) for a few glyphs.
        ink = getattr(painter, "ink_bounds", None)
        bounds = ink(props, box) if ink is not None else None
        restore_to = self._begin(canvas, lf, w, h, css_round(bx), css_round(by), opacity, bounds, deco)
        if restore_to is None:
            return
        paint_decorations(canvas, deco)
        painter.paint(canvas, props, box)  # type: ignore[attr-defined]
        paint_outline(canvas, deco)
        canvas.restoreToCount(restore_to)

    # ------------------------------------------------------------------ images and groups

    def _draw_image(self, canvas: skia.Canvas, lf: LayerFrame, opacity: float) -> None:
        source = _setting(lf.layer, "source")
        if not source:
            self.warn(f"image:{lf.path}", f"{lf.path}: image layer has no source; skipped")
            return
        try:
            image = self._images.get(str(source))
        except AssetError as exc:
            self.warn(f"image:{lf.path}", f"{lf.path}: image {source!r} skipped: {exc}")
            return
        self._draw_media(canvas, lf, opacity, image, lf.props.get("fit", "contain"))

    def _draw_video(self, canvas: skia.Canvas, lf: LayerFrame, opacity: float) -> None:
        source = _setting(lf.layer, "source")
        if not source:
            self.warn(f"video:{lf.path}", f"{lf.path}: video layer has no source; skipped")
            return
        s = lf.layer.settings
        clock = LayerClock(float(s.start_time), float(s.source_duration), float(s.source_start), float(s.speed),
                           float(self.doc.fps))  # fmt: skip
        try:
            image = self._videos.frame(lf.path, str(source), clock.source_time(lf.frame))
        except AssetError as exc:
            self.warn(f"video:{lf.path}", f"{lf.path}: video {source!r} skipped: {exc}")
            return
        self._draw_media(canvas, lf, opacity, image, lf.props.get("fit", "cover"))

    def _draw_group(self, canvas: skia.Canvas, lf: LayerFrame, opacity: float, depth: int) -> None:
        while len(self._group_surfaces) <= depth:
            self._group_surfaces.append(RasterSurface(self.width, self.height))
        surface = self._group_surfaces[depth]
        surface.clear(None)
        if not lf.children:
            return
        self._draw_layers(surface.canvas, lf.children, depth + 1)
        src = _opaque_bounds(surface.bgra)
        if src is None:
            return  # the children drew nothing visible
        image = surface.snapshot()
        self._draw_media(canvas, lf, opacity, image, "cover", src)
        del image  # drop the snapshot before the surface is drawn into again (no copy-on-write)

    def _tier1(self, props: Mapping[str, Any], deco: Decorations, fit: Any) -> bool:
        """`isSimpleTransform` of spec 02 §1.5 (filters already checked by the caller)."""
        rz, rx, ry = rotation_zxy(props.get("rotation", 0.0))
        if rz or rx or ry:
            return False
        if as_vector(props.get("position"), (0.5, 0.5, 0.0))[2] != 0.0:
            return False
        if fit not in ("contain", "cover"):
            return False
        if props.get("boxShadow") or any(deco.widths) or deco.rounded or deco.background is not None:
            return False
        return not _num(props.get("outlineWidth"))

    def _draw_media(
        self,
        canvas: skia.Canvas,
        lf: LayerFrame,
        opacity: float,
        image: skia.Image,
        fit: Any,
        src: skia.Rect | None = None,
    ) -> None:
        """Place a bitmap as the reference places image/video/group media (tier 1 or tier 3).

        `src` optionally names the only non-transparent part of the bitmap: drawing just that
        part gives the same pixels (everything else is transparent) for a fraction of the cost.
        """
        props = lf.props
        mw, mh = image.width(), image.height()
        ow, oh = fit_dims(self.width, self.height, mw, mh, fit)
        deco_probe = decorations(props, ow, oh)
        mode = blend_mode(props.get("blendMode"))
        # the tier is picked from the transform and decorations alone, with or without effects
        simple = self._tier1(props, deco_probe, fit) and not _filters_active(props)
        if simple:
            self._draw_tier1(canvas, props, image, ow, oh, opacity, mode, src)
            return
        # tier 3: a CSS box of the fit size plus borders (content-box unless innerBorder)
        widths = deco_probe.widths
        bt, br, bb, bl = widths
        if props.get("innerBorder"):
            w, h = ow, oh
        else:
            w, h = ow + bl + br, oh + bt + bb
        deco = decorations(props, w, h) if (w, h) != (ow, oh) else deco_probe
        self._warn_decorations(lf, deco)
        bx, by = self._static_offset(w, h)
        bounds = skia.Rect.MakeWH(w + 1.0, h + 1.0)
        restore_to = self._begin(canvas, lf, w, h, bx, by, opacity, bounds, deco)
        if restore_to is None:
            return
        paint_decorations(canvas, deco)
        content = skia.Rect.MakeLTRB(bl, bt, max(bl, w - br), max(bt, h - bb))
        dest = skia.Rect.MakeLTRB(
            css_round(content.left()),
            css_round(content.top()),
            css_round(content.right()),
            css_round(content.bottom()),
        )
        if not dest.isEmpty():
            clipped = deco.rounded
            if clipped:
                canvas.save()
                canvas.clipRRect(deco.inner, skia.ClipOp.kIntersect, True)
            total = canvas.getTotalMatrix()
            sx = math.hypot(total.getScaleX(), total.getSkewY()) * dest.width() / mw
            sy = math.hypot(total.getSkewX(), total.getScaleY()) * dest.height() / mh
            sampling = sampling_for_scale(sx, sy)
            paint = skia.Paint()
            paint.setAntiAlias(True)
            full = skia.Rect.MakeWH(mw, mh)
            part = full if src is None else src
            canvas.drawImageRect(
                image, part, _map_subrect(part, full, dest), sampling, paint,
                skia.Canvas.kFast_SrcRectConstraint,
            )  # fmt: skip
            if clipped:
                canvas.restore()
        paint_outline(canvas, deco)
        canvas.restoreToCount(restore_to)

    def _draw_tier1(
        self,
        canvas: skia.Canvas,
        props: Mapping[str, Any],
        image: skia.Image,
        ow: float,
        oh: float,
        opacity: float,
        mode: skia.BlendMode,
        src: skia.Rect | None = None,
    ) -> None:
        """`drawTier1`: setTransform(sx, 0, 0, sy, tx, ty); drawImage(media, 0, 0, ow', oh')."""
        sx, sy, _ = scale_xyz(props.get("scale", 1.0))
        if sx == 0.0 or sy == 0.0:
            return
        p0, p1, _ = as_vector(props.get("position"), (0.5, 0.5, 0.0))
        a0, a1, _ = as_vector(props.get("anchor"), (0.5, 0.5, 0.0))
        tx = p0 * self.width - a0 * ow * sx
        ty = p1 * self.height - a1 * oh * sy
        paint = skia.Paint()
        paint.setAntiAlias(False)
        if opacity < 1.0:
            paint.setAlphaf(opacity)
        if mode != _SRC_OVER:
            paint.setBlendMode(mode)
        canvas.save()
        canvas.setMatrix(skia.Matrix.MakeAll(sx, 0.0, tx, 0.0, sy, ty, 0.0, 0.0, 1.0))
        full = skia.Rect.MakeWH(image.width(), image.height())
        part = full if src is None else src
        canvas.drawImageRect(
            image, part, _map_subrect(part, full, skia.Rect.MakeWH(ow, oh)),
            sampling_for_scale(sx, sy),
            paint, skia.Canvas.kFast_SrcRectConstraint,
        )  # fmt: skip
        canvas.restore()


def _needs_empty_input(calls: Sequence[EffectCall]) -> bool:
    """Whether an effect can draw on a fully transparent layer (the additive output quirk).

    Conservative: run the passes whenever unsure; a transparent input costs one pass.
    """
    return True

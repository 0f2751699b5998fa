"""Retained-mode drawing: per-layer Skia pictures, damage regions and a cached static base.

Owns the reuse of work across frames, for the Compositor's top-level layers:

* Each layer is recorded once into a `skia.Picture` (device space, with an R-tree, so the picture's
  cull rect is the tight, conservative bounds of everything it draws: strokes, shadows, blur
  outsets, filters). The picture is reused for as long as the layer's `LayerFrame` is unchanged: same
  document layer, equal resolved props, same frame for time-dependent layers (video, effects that read
  the clock), same children for groups. Replaying a picture skips the Python drawing code (text shaping, box maths,
  mask building) entirely.
* Damage: the pixels that can differ from the previous frame are the old and new bounds of the
  layers that changed, appeared or disappeared. Only those boxes are redrawn (the layers touching
  them replayed on a scratch surface, the boxes copied back); a frame with no damage is not drawn
  at all (the surface still holds it).
* Static base: when the bottom layers of the stack stay unchanged, background + those layers are
  drawn once into a second surface; a redraw then copies base pixels instead of replaying them (a
  full-frame photo with a colour filter costs ~50 ms to draw and ~1 ms to copy).

Exactness: every layer is *always* drawn through its picture, never under a clip, and every redraw
of a pixel replays, in paint order, every layer that can touch it over an exact copy of what lies
below. So a pixel's
value does not depend on which frames were drawn before: an incremental render equals a fresh one,
and a chunk rendered in another process equals the same frames of a single-process render
(tests/perf/test_retained_raster.py checks both on every fixture).

Imports skia, numpy, raster.surface, raster.effects_time (which effects read the clock; no numba) and
the scene contract only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import skia

from vfnative.raster.effects_time import effects_use_time
from vfnative.raster.surface import RasterSurface
from vfnative.timeline.scene import LayerFrame, Percent

__all__ = ["RetainStats", "RetainedLayers"]

log = logging.getLogger(__name__)

PaintLayer = Callable[[skia.Canvas, LayerFrame], None]
"""Draws one layer (in device space, no clip) onto a canvas: `Compositor._draw_layer` at depth 0."""


_PAD = 2
"""Pixels added around a picture's cull rect (anti-aliasing fringes; the R-tree bounds are already
conservative, this is a safety margin)."""
_FULL_REDRAW = 0.5
"""Redraw everything once the damage covers this fraction of the frame (clipping stops paying)."""
_MAX_BASES = 3
"""Static bases kept at once (W·H·4 bytes each): typically a costly background (a photo with
filters) and deeper ones with titles that come and go on top of it; a deeper base is built from a
copy of the one below it."""
_GROUP_PICTURES = 4
"""Group layers whose pictures are kept between frames. A group's picture holds a full-frame
snapshot of its children (W·H·4 bytes, 8.3 MB at 1080p); further groups are re-recorded when needed."""


@dataclass
class RetainStats:
    """Counters for one compositor (benchmarks print them)."""

    frames: int = 0
    frames_reused: int = 0
    """Frames with no damage: nothing was drawn."""
    frames_full: int = 0
    """Frames redrawn entirely (first frame, reordered layers, or damage over half the frame)."""
    frames_partial: int = 0
    layers_recorded: int = 0
    layers_reused: int = 0
    base_builds: int = 0
    overlay_builds: int = 0
    overlay_extends: int = 0
    """Overlay bases grown in place by drawing only newly settled layers onto them."""
    damage_px: int = 0
    """Pixels redrawn by partial frames, summed."""


@dataclass
class _Entry:
    ident: tuple[str, int]
    lf: LayerFrame
    picture: skia.Picture | None
    bounds: skia.IRect
    changed: bool = True
    is_group: bool = False


@dataclass
class _Base:
    """Background + the bottom `count` layers, drawn once into `surface`."""

    surface: RasterSurface
    layers: list[_Entry] = field(default_factory=list)


def _time_dependent(lf: LayerFrame) -> bool:
    """True when the layer draws something different at another frame with the same props.

    Video does; so does a layer with an effect that reads the clock (`u_time`). Effects that do not
    (colorCorrection, bloom, vignette, ...) are a function of the layer's pixels and resolved
    params, which equal props already pin down: such a layer's picture, effect output included, is
    reused (a static graded photo is graded once, not every frame).
    """
    layer = lf.layer
    if getattr(layer, "type", None) == "video":
        return True
    names: list[object] = [
        getattr(e, "effect", None)
        for e in getattr(layer, "effects", None) or ()
        if getattr(e, "enabled", True) is not False
    ]
    injected = lf.props.get("__effects")
    if injected:
        names.extend(e[0] if isinstance(e, tuple | list) and len(e) == 2 else None for e in injected)
    return effects_use_time(names)


def _props_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a is b:
        return True
    try:
        if a != b:
            return False
    except Exception:  # noqa: BLE001 - an uncomparable value: treat as changed
        return False
    # a CSS percentage equals the same number of px as a float; tell them apart where they occur
    ra, rb = a.get("borderRadius"), b.get("borderRadius")
    if ra is not None and ra is not rb:
        items_a = ra if isinstance(ra, tuple) else (ra,)
        items_b = rb if isinstance(rb, tuple) else (rb,)
        if [isinstance(v, Percent) for v in items_a] != [isinstance(v, Percent) for v in items_b]:
            return False
    return True


def same_layer_frame(a: LayerFrame, b: LayerFrame) -> bool:
    """True when `a` and `b` draw the same pixels: same layer, equal props, children and (if it
    matters) frame."""
    if a is b:
        return True
    if a.layer is not b.layer or a.path != b.path:
        return False
    if not _props_equal(a.props, b.props):
        return False
    if a.frame != b.frame and _time_dependent(a):
        return False
    if len(a.children) != len(b.children):
        return False
    return all(same_layer_frame(x, y) for x, y in zip(a.children, b.children, strict=True))


class RetainedLayers:
    """Draws scenes into one surface, reusing layer pictures and redrawing only damaged pixels.

    One instance per frame surface; `draw` must be the only thing that writes to that surface
    (callers read `surface.bgra` and must not modify it). After an exception the next frame is
    redrawn in full.
    """

    def __init__(self, width: int, height: int, background: skia.Color4f) -> None:
        self.width = width
        self.height = height
        self.background = background
        self.stats = RetainStats()
        self._frame = skia.IRect.MakeWH(width, height)
        self._frame_rect = skia.Rect.MakeWH(width, height)
        self._prev: list[_Entry] | None = None
        self._bases: list[_Base] = []
        """Static bases, shallowest first; each one's layers are a prefix of the next one's."""
        self._spare: RasterSurface | None = None
        self.last_damage: list[tuple[int, int, int, int]] | None = None
        """Where the last `draw` changed the surface: None = anywhere (a full redraw), [] = nowhere,
        else (left, top, right, bottom) pixel boxes. Encoders use it to convert only those pixels."""
        self._prev_stable = 0
        self._overlay: _Base | None = None
        """A base of *every* unchanged layer that no changing layer below it overlaps (not only a
        prefix): partial frames then replay only what moves, not the static cards it moves over."""
        self._overlay_candidate: tuple[tuple[str, int], ...] | None = None
        self._scratch: RasterSurface | None = None
        self._before_write: Callable[[], None] | None = None
        """The current `draw`'s hook, until it has been called."""

    def __repr__(self) -> str:
        s = self.stats
        return (
            f"<RetainedLayers {self.width}x{self.height} frames={s.frames} reused={s.frames_reused} "
            f"partial={s.frames_partial} full={s.frames_full}>"
        )

    def reset(self) -> None:
        """Forget the previous frame and the base (the next frame is drawn in full)."""
        self._prev = None
        self._bases = []
        self._prev_stable = 0
        self._overlay = None
        self._overlay_candidate = None

    # ------------------------------------------------------------------ recording

    def _record(self, lf: LayerFrame, paint_layer: PaintLayer) -> tuple[skia.Picture, skia.IRect]:
        recorder = skia.PictureRecorder()
        canvas = recorder.beginRecording(self._frame_rect, skia.RTreeFactory()())
        paint_layer(canvas, lf)
        picture = recorder.finishRecordingAsPicture()
        self.stats.layers_recorded += 1
        cull = picture.cullRect()
        if cull.isEmpty():
            return picture, skia.IRect.MakeEmpty()
        bounds = cull.roundOut().makeOutset(_PAD, _PAD)
        if not bounds.intersect(self._frame):
            return picture, skia.IRect.MakeEmpty()
        return picture, bounds

    def _picture(self, entry: _Entry, paint_layer: PaintLayer) -> skia.Picture:
        if entry.picture is None:  # an evicted group picture: record it again (same pixels)
            entry.picture, _ = self._record(entry.lf, paint_layer)
        return entry.picture

    def _entries(self, scene: Sequence[LayerFrame], paint_layer: PaintLayer) -> list[_Entry]:
        prev = {e.ident: e for e in self._prev} if self._prev is not None else {}
        entries = []
        for lf in scene:
            ident = (lf.path, id(lf.layer))
            old = prev.get(ident)
            is_group = getattr(lf.layer, "type", None) == "group"
            if old is not None and same_layer_frame(lf, old.lf):
                entry = _Entry(ident, lf, old.picture, old.bounds, False, is_group)
                self.stats.layers_reused += 1
            else:
                picture, bounds = self._record(lf, paint_layer)
                entry = _Entry(ident, lf, picture, bounds, True, is_group)
            entries.append(entry)
        return entries

    # ------------------------------------------------------------------ damage

    def _damage(self, entries: list[_Entry]) -> list[skia.IRect] | None:
        """Rectangles holding every pixel that can differ from the previous frame; None = everything."""
        prev = self._prev
        if prev is None:
            return None
        rects: list[skia.IRect] = []
        now = {e.ident for e in entries}
        before = {e.ident: e for e in prev}
        for e in entries:
            if e.changed:
                rects.append(e.bounds)
                old = before.get(e.ident)
                if old is not None:
                    rects.append(old.bounds)
        rects.extend(e.bounds for e in prev if e.ident not in now)
        # layers present in both frames must keep their relative order
        common_now = [e.ident for e in entries if e.ident in before]
        common_before = [e.ident for e in prev if e.ident in now]
        if common_now != common_before:
            return None
        return [
            skia.IRect.MakeLTRB(r.left(), r.top(), r.right(), r.bottom()) for r in rects if not r.isEmpty()
        ]

    @staticmethod
    def _merge(boxes: list[skia.IRect]) -> list[skia.IRect]:
        """Merge overlapping boxes (bounding-box union) until they are disjoint."""
        boxes = list(boxes)
        merged = True
        while merged:
            merged = False
            i = 0
            while i < len(boxes):
                j = i + 1
                while j < len(boxes):
                    if skia.IRect.Intersects(boxes[i], boxes[j]):
                        boxes[i].join(boxes.pop(j))
                        merged = True
                    else:
                        j += 1
                i += 1
        return boxes

    # ------------------------------------------------------------------ base

    def _stable_prefix(self, entries: list[_Entry]) -> int:
        prev = self._prev
        if prev is None:
            return 0
        n = 0
        for e, p in zip(entries, prev, strict=False):
            if e.changed or e.ident != p.ident:
                break
            n += 1
        return n

    def _usable_base(self, entries: list[_Entry]) -> _Base | None:
        """The deepest base whose layers are this frame's bottom layers (deeper, stale ones dropped)."""
        usable: _Base | None = None
        for i, base in enumerate(self._bases):
            k = len(base.layers)
            if k <= len(entries) and all(
                b.ident == e.ident and same_layer_frame(b.lf, e.lf)
                for b, e in zip(base.layers, entries, strict=False)
            ):
                usable = base
                continue
            for stale in self._bases[i:]:
                self._spare = stale.surface
            del self._bases[i:]
            break
        return usable

    def _build_base(
        self, entries: list[_Entry], count: int, below: _Base | None, paint_layer: PaintLayer
    ) -> _Base:
        """A base of `count` layers, drawn on top of a copy of `below` when there is one."""
        if len(self._bases) >= _MAX_BASES:  # keep the shallowest (longest-lived) and the deepest
            self._spare = self._bases.pop(-2 if len(self._bases) > 1 else -1).surface
        surface = self._spare if self._spare is not None else RasterSurface(self.width, self.height)
        self._spare = None
        canvas = surface.canvas
        canvas.restoreToCount(1)
        canvas.resetMatrix()
        start = 0
        if below is not None:
            np.copyto(surface.bgra, below.surface.bgra)
            start = len(below.layers)
        else:
            surface.clear(self.background)
        for e in entries[start:count]:
            canvas.drawPicture(self._picture(e, paint_layer))
        base = _Base(surface, list(entries[:count]))
        self._bases.append(base)
        self.stats.base_builds += 1
        return base

    # ------------------------------------------------------------------ drawing

    def draw(
        self,
        surface: RasterSurface,
        scene: Sequence[LayerFrame],
        paint_layer: PaintLayer,
        before_write: Callable[[], None] | None = None,
    ) -> None:
        """Bring `surface` to this frame's pixels (it holds the previous frame's, or garbage if first).

        `before_write` is called once just before the first write to `surface` (after the layer
        pictures are recorded and the damage is known), and not at all when nothing is written: an
        encoder still reading the previous frame's pixels waits there, overlapping the recording.
        """
        self.last_damage = None
        self._before_write = before_write
        try:
            self._draw(surface, scene, paint_layer)
        except BaseException:
            self.reset()
            raise
        finally:
            self._before_write = None

    def _draw(self, surface: RasterSurface, scene: Sequence[LayerFrame], paint_layer: PaintLayer) -> None:
        stats = self.stats
        stats.frames += 1
        entries = self._entries(scene, paint_layer)
        damage = self._damage(entries)
        stable = self._stable_prefix(entries)
        below = self._usable_base(entries)
        if stable > (len(below.layers) if below else 0) and self._prev_stable >= stable:
            below = self._build_base(entries, stable, below, paint_layer)  # a deeper static prefix: cache it
        self._prev_stable = stable
        k = len(below.layers) if below is not None else 0
        area = self.width * self.height
        boxes = self._merge(damage) if damage else damage
        if boxes is not None and not boxes:
            stats.frames_reused += 1
            self.last_damage = []
        else:
            damaged = sum(b.width() * b.height() for b in boxes) if boxes is not None else area
            base = below.surface.bgra if below is not None else None
            # The overlay base holds, composited, every layer that nothing else reaches under: valid
            # for the whole frame, so full redraws start from it too (cards sliding in over a grid).
            overlay = self._usable_overlay(entries, k, paint_layer)
            rest = entries[k:]
            if overlay is not None:
                base = overlay.surface.bgra
                members = {e.ident for e in overlay.layers}
                rest = [e for e in entries if e.ident not in members]
            if boxes is None or damaged > _FULL_REDRAW * area:
                stats.frames_full += 1
                self._about_to_write()
                canvas = surface.canvas
                canvas.restoreToCount(1)
                canvas.resetMatrix()
                if base is not None:
                    np.copyto(surface.bgra, base)
                else:
                    surface.clear(self.background)
                for e in rest:
                    if not e.bounds.isEmpty():
                        canvas.drawPicture(self._picture(e, paint_layer))
            else:
                stats.frames_partial += 1
                stats.damage_px += damaged
                self._draw_boxes(surface, boxes, base, rest, paint_layer)
                self.last_damage = [(b.left(), b.top(), b.right(), b.bottom()) for b in boxes]
        self._evict_groups(entries)
        self._prev = entries

    # ------------------------------------------------------------------ overlay base

    @staticmethod
    def _settled(entries: Sequence[_Entry]) -> list[_Entry]:
        """Unchanged layers that no changed (or skipped) layer below them overlaps, bottom first.

        Drawn alone, in order, over the background, they give exactly the pixels of a full frame
        wherever no other layer reaches: every other layer is above each of them it overlaps.
        """
        settled: list[_Entry] = []
        moving: list[skia.IRect] = []
        for e in entries:
            if e.bounds.isEmpty():
                continue
            if not e.changed and not any(skia.IRect.Intersects(e.bounds, m) for m in moving):
                settled.append(e)
            else:
                moving.append(e.bounds)
        return settled

    def _overlay_holds(self, entries: Sequence[_Entry]) -> bool:
        """Whether the overlay's layers are all here, unchanged, with nothing else below overlapping."""
        overlay = self._overlay
        if overlay is None:
            return False
        members = {e.ident: e for e in overlay.layers}
        order = [e.ident for e in overlay.layers]
        found = 0
        moving: list[skia.IRect] = []
        for e in entries:
            member = members.get(e.ident)
            if member is None:
                if not e.bounds.isEmpty():
                    moving.append(e.bounds)
                continue
            if order[found] != e.ident:  # members restacked among themselves
                return False
            if not same_layer_frame(member.lf, e.lf) or any(
                skia.IRect.Intersects(e.bounds, m) for m in moving
            ):
                return False
            found += 1
        return found == len(members)

    def _usable_overlay(self, entries: list[_Entry], k: int, paint_layer: PaintLayer) -> _Base | None:
        """The overlay base for this frame, (re)built once the settled set has held for a
        frame and holds more layers than the prefix base (`k`); None when the prefix base will do."""
        holds = self._overlay_holds(entries)
        settled = self._settled(entries)
        idents = tuple(e.ident for e in settled)
        stable = idents == self._overlay_candidate
        self._overlay_candidate = idents
        current = len(self._overlay.layers) if holds and self._overlay is not None else 0
        if stable and len(settled) > max(current, k):
            overlay = self._overlay
            members = {e.ident for e in overlay.layers} if overlay is not None else set()
            if holds and overlay is not None and members <= set(idents):
                # Grow it in place: draw only the newly settled layers. Exact, because while the
                # overlay holds no non-member below a member overlaps it, so each new layer is above
                # every member it overlaps and drawing it last keeps the stacking order.
                canvas = overlay.surface.canvas
                canvas.restoreToCount(1)
                canvas.resetMatrix()
                for e in settled:
                    if e.ident not in members:
                        canvas.drawPicture(self._picture(e, paint_layer))
                overlay.layers = list(settled)
                self.stats.overlay_extends += 1
                return overlay
            surface = overlay.surface if overlay is not None else RasterSurface(self.width, self.height)
            self._overlay = None
            surface.clear(self.background)
            canvas = surface.canvas
            for e in settled:
                canvas.drawPicture(self._picture(e, paint_layer))
            self._overlay = _Base(surface, list(settled))
            self.stats.overlay_builds += 1
            return self._overlay
        if holds and current > k:
            return self._overlay
        return None

    def _draw_boxes(
        self,
        surface: RasterSurface,
        boxes: list[skia.IRect],
        base: np.ndarray[Any, Any] | None,
        entries: Sequence[_Entry],
        paint_layer: PaintLayer,
    ) -> None:
        """Redraw `boxes` of `surface`: on a scratch surface, lay the base (or the background) in the
        boxes, replay every layer touching a box *unclipped*, and copy the boxes back.

        Why not a clip: a clip that cuts through a layer can change its pixels inside the clip, not
        only hide the rest (Skia sizes blur masks of box shadows from the clip bounds, and projective
        geometry is drawn relative to it: ±1 differences). Unclipped, every layer is drawn exactly
        as in a full frame; the pixels it leaves outside the boxes on the scratch are never copied.
        """
        scratch = self._scratch
        if scratch is None:
            scratch = self._scratch = RasterSurface(self.width, self.height)
        canvas = scratch.canvas
        canvas.restoreToCount(1)
        canvas.resetMatrix()
        for box in boxes:
            y0, y1, x0, x1 = box.top(), box.bottom(), box.left(), box.right()
            if base is not None:
                scratch.bgra[y0:y1, x0:x1] = base[y0:y1, x0:x1]
            else:
                canvas.save()
                canvas.clipRect(skia.Rect.Make(box))
                canvas.clear(self.background)
                canvas.restore()
        for e in entries:
            if any(skia.IRect.Intersects(box, e.bounds) for box in boxes):
                canvas.drawPicture(self._picture(e, paint_layer))
        self._about_to_write()  # only the copy-back below writes to `surface`
        for box in boxes:
            y0, y1, x0, x1 = box.top(), box.bottom(), box.left(), box.right()
            surface.bgra[y0:y1, x0:x1] = scratch.bgra[y0:y1, x0:x1]

    def _about_to_write(self) -> None:
        hook, self._before_write = self._before_write, None
        if hook is not None:
            hook()

    def _evict_groups(self, entries: list[_Entry]) -> None:
        kept = 0
        base_idents = {e.ident for b in self._bases for e in b.layers}
        for e in reversed(entries):  # keep the top-most groups (most likely to be redrawn)
            if not e.is_group or e.picture is None:
                continue
            if e.ident in base_idents or kept >= _GROUP_PICTURES:
                e.picture = None
            else:
                kept += 1

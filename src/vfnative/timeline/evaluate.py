"""Batch evaluation: every property of every layer for a block of frames, in one numba pass.

`evaluate(timeline, frames)` fills a `PropBlock` (frames × columns, float64). The layout (which
column holds what) is compiled once per timeline by `compile_layout`: per layer an `active` and a
`frame` column, then one slot per property — numbers (one column per array item, in a single
unit), colours (4 columns, straight RGBA, NaN = no colour) or step values (an index into the
slot's table of written values). `scene_from_block` turns one row back into LayerFrames; the
scalar evaluator in scalar.py is the reference it must agree with.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from vfnative.model.properties import PropDef
from vfnative.timeline.easing import cubic_bezier, easing_id, poly_ease
from vfnative.timeline.resolve import Raw, caption_index, finalize_all, raw_static, value_mode
from vfnative.timeline.scalar import _text_em
from vfnative.timeline.scene import LayerFrame
from vfnative.timeline.timecode import js_round_array
from vfnative.timeline.transitions import apply_transitions, transition_progress
from vfnative.timeline.values import (
    Component,
    EmContext,
    finalize,
    oklab_color,
    oklab_value,
    pad_components,
    to_px,
)
from vfnative.types import PropBlock

if TYPE_CHECKING:
    from vfnative.timeline.plan import LayerPlan, Timeline

__all__ = ["BlockLayout", "compile_layout", "evaluate", "scene_from_block"]

_MODE_NUM, _MODE_COLOR, _MODE_STEP, _MODE_OKLAB = 0, 1, 2, 3
"""`_MODE_OKLAB`: a colour track with a CSS Color 4 keyframe (lab, lch, oklab, oklch, color()); its
rows hold (L, a, b, alpha) and it is interpolated in Oklab, as browsers interpolate such colours
(spec 01 §3.5.3), then drawn in sRGB (`model.color.oklab_to_srgb`)."""
_SEG_POLY, _SEG_CSS = 0, 1


@dataclass(frozen=True)
class Slot:
    """Where one property of one layer lives in the block, and how to read it back."""

    name: str
    pdef: PropDef
    mode: int
    col: int
    width: int
    units: tuple[str, ...] = ()
    is_array: bool = False
    table: tuple[Any, ...] = ()


@dataclass(frozen=True)
class LayerSlots:
    plan: LayerPlan
    active_col: int
    frame_col: int
    slots: tuple[Slot, ...]
    caption_slot: Slot | None


@dataclass(frozen=True)
class BlockLayout:
    """The compiled column layout plus the packed keyframe arrays the kernel reads."""

    columns: int
    layers: tuple[LayerSlots, ...]
    tr_layer: npt.NDArray[np.int64]
    tr_col: npt.NDArray[np.int64]
    tr_width: npt.NDArray[np.int64]
    tr_mode: npt.NDArray[np.int64]
    tr_kf0: npt.NDArray[np.int64]
    tr_nkf: npt.NDArray[np.int64]
    tr_val0: npt.NDArray[np.int64]
    kf_time: npt.NDArray[np.float64]
    kf_ease: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    seg_mode: npt.NDArray[np.int64]


class _Packer:
    def __init__(self) -> None:
        self.tracks: list[tuple[int, int, int, int, int, int, int]] = []
        self.kf_time: list[float] = []
        self.kf_ease: list[int] = []
        self.values: list[float] = []
        self.seg_mode: list[int] = []

    def add(self, layer: int, col: int, width: int, mode: int, times: list[float], eases: list[int],
            rows: list[list[float]], segs: list[list[int]]) -> None:  # fmt: skip
        self.tracks.append((layer, col, width, mode, len(self.kf_time), len(times), len(self.values)))
        self.kf_time.extend(times)
        self.kf_ease.extend(eases)
        for row, seg in zip(rows, segs, strict=True):
            self.values.extend(row)
            self.seg_mode.extend(seg)


def _written(
    plan: LayerPlan, name: str, pdef: PropDef, animations: dict[str, Any]
) -> list[tuple[float, Any, str | None]] | None:
    """The keyframes (time, value, easing) a property resolves from, or None if it has none.

    `animations`: the layer's last animation with keyframes per property (`_animations`).
    """
    chosen = animations.get(name)
    if chosen is not None:
        kfs = sorted(chosen.keyframes, key=lambda k: k.time)
        return [(float(k.time), k.value, k.easing) for k in kfs]
    if name in plan.layer.properties:
        return [(0.0, plan.layer.properties[name], None)]
    if pdef.default is not None:
        return [(0.0, pdef.default, None)]
    return None


def _animations(plan: LayerPlan) -> dict[str, Any]:
    """Per property, the layer's last animation that has keyframes (the one that wins)."""
    return {anim.property: anim for anim in plan.layer.animations if anim.keyframes}


@dataclass(frozen=True)
class _Track:
    """One property's compiled keyframes: what `_Packer.add` packs and its `Slot` (but the column)."""

    mode: int
    width: int
    times: list[float]
    eases: list[int]
    rows: list[list[float]]
    segs: list[list[int]]
    units: tuple[str, ...] = ()
    is_array: bool = False
    table: tuple[Any, ...] = ()


def _compile_track(pdef: PropDef, written: list[tuple[float, Any, str | None]], em: Callable[[], float],
                   timeline: Timeline) -> _Track:  # fmt: skip
    """`written` keyframes packed for the kernel; `em` gives the layer's static em (mixed units)."""
    times = [w[0] for w in written]
    eases = [easing_id(w[2]) for w in written]
    mode = value_mode(pdef)
    if mode == "step":
        table: list[Any] = []
        rows: list[list[float]] = []
        for _, value, _ in written:
            idx = next((i for i, t in enumerate(table) if type(t) is type(value) and t == value), None)
            if idx is None:
                table.append(value)
                idx = len(table) - 1
            rows.append([float(idx)])
        return _Track(_MODE_STEP, 1, times, eases, rows, [[0]] * len(rows), table=tuple(table))
    if mode == "color":
        oklab = [oklab_value(value, pdef) for _, value, _ in written]
        if any(o is not None and not o[1] for o in oklab):  # a Color 4 keyframe: Oklab interpolation
            rows = [[np.nan] * 4 if o is None else list(o[0]) for o in oklab]
            return _Track(_MODE_OKLAB, 4, times, eases, rows, [[0] * 4] * len(rows))
        rows = []
        for _, value, _ in written:
            c = raw_static(value, pdef)[1]
            rows.append([np.nan] * 4 if c is None else list(c))
        return _Track(_MODE_COLOR, 4, times, eases, rows, [[0] * 4] * len(rows))
    raws = [raw_static(w[1], pdef) for w in written]
    width = max(len(r[1]) for r in raws)
    is_array = any(r[2] for r in raws)
    comps: list[list[Component]] = [pad_components(r[1], width, pdef) for r in raws]
    units: list[str] = []
    for c in range(width):
        column_units = {kf[c][1] for kf in comps}
        units.append(column_units.pop() if len(column_units) == 1 else "px")
    ctx = timeline.em_context(em())
    rows = []
    segs = []
    for k, kf in enumerate(comps):
        row, seg = [], []
        for c in range(width):
            n, unit = kf[c]
            row.append(float(to_px((n, unit), pdef, ctx)) if units[c] == "px" and unit != "px" else n)
            nxt = comps[k + 1][c][1] if k + 1 < len(comps) else unit
            seg.append(_SEG_POLY if nxt == unit else _SEG_CSS)
        rows.append(row)
        segs.append(seg)
    return _Track(_MODE_NUM, width, times, eases, rows, segs, tuple(units), is_array)


def compile_layout(timeline: Timeline) -> BlockLayout:
    """Lay out the block's columns and pack every property's keyframes (once per timeline)."""
    cached = timeline.cache.get("block_layout")
    if isinstance(cached, BlockLayout):
        return cached
    packer = _Packer()
    col = 0
    layers: list[LayerSlots] = []
    # most slots hold a property's schema default: compiled once per (definition, layer em); the
    # definition is kept in the value so its id() stays unique while the dict lives
    defaults: dict[tuple[int, float], tuple[PropDef, _Track]] = {}
    for plan in timeline.all_layers:
        active_col, frame_col = col, col + 1
        col += 2
        slots: list[Slot] = []
        caption_slot = None
        if plan.visual:
            animations = _animations(plan)
            em = functools.cache(lambda plan=plan: _text_em(plan, timeline))  # once, when a number needs it
            for name, pdef in plan.definitions.items():
                track: _Track | None
                # `_written`'s last case (no animation, no static value): the default's one keyframe
                if name not in animations and name not in plan.layer.properties and pdef.default is not None:
                    key = (id(pdef), em() if value_mode(pdef) == "num" else 0.0)
                    hit = defaults.get(key)
                    if hit is None:
                        hit = defaults[key] = (
                            pdef,
                            _compile_track(pdef, [(0.0, pdef.default, None)], em, timeline),
                        )
                    track = hit[1]
                else:
                    written = _written(plan, name, pdef, animations)
                    track = _compile_track(pdef, written, em, timeline) if written is not None else None
                if track is None:
                    continue
                packer.add(plan.index, col, track.width, track.mode, track.times, track.eases, track.rows,
                           track.segs)  # fmt: skip
                slots.append(Slot(name, pdef, track.mode, col, track.width, track.units, track.is_array,
                                  track.table))  # fmt: skip
                col += track.width
            if plan.type == "captions" and getattr(plan.layer.settings, "captions", None):
                caption_slot = Slot("text", plan.definitions["text"], _MODE_STEP, col, 1)
                col += 1
        layers.append(LayerSlots(plan, active_col, frame_col, tuple(slots), caption_slot))
    tr = np.array(packer.tracks, dtype=np.int64).reshape(-1, 7)
    layout = BlockLayout(
        columns=col,
        layers=tuple(layers),
        tr_layer=np.ascontiguousarray(tr[:, 0]),
        tr_col=np.ascontiguousarray(tr[:, 1]),
        tr_width=np.ascontiguousarray(tr[:, 2]),
        tr_mode=np.ascontiguousarray(tr[:, 3]),
        tr_kf0=np.ascontiguousarray(tr[:, 4]),
        tr_nkf=np.ascontiguousarray(tr[:, 5]),
        tr_val0=np.ascontiguousarray(tr[:, 6]),
        kf_time=np.array(packer.kf_time, dtype=np.float64),
        kf_ease=np.array(packer.kf_ease, dtype=np.int64),
        values=np.array(packer.values, dtype=np.float64),
        seg_mode=np.array(packer.seg_mode, dtype=np.int64),
    )
    timeline.cache["block_layout"] = layout
    return layout


def _eval_tracks(  # type: ignore[no-untyped-def]  # numba kernel: typed by its caller, evaluate()
    source_times,
    tr_layer,
    tr_col,
    tr_width,
    tr_mode,
    tr_kf0,
    tr_nkf,
    tr_val0,
    kf_time,
    kf_ease,
    values,
    seg_mode,
    out,
):
    n_frames = out.shape[0]
    for t in range(tr_layer.shape[0]):
        layer, col, width, mode = tr_layer[t], tr_col[t], tr_width[t], tr_mode[t]
        k0, nk, v0 = tr_kf0[t], tr_nkf[t], tr_val0[t]
        for i in range(n_frames):
            s = source_times[layer, i]
            j = 0
            while j < nk and kf_time[k0 + j] <= s:
                j += 1
            if j == nk or j == 0 or kf_time[k0 + j - 1] == s or mode == 2:
                a = nk - 1 if j == nk else (0 if j == 0 else j - 1)
                base = v0 + a * width
                for c in range(width):
                    out[i, col + c] = values[base + c]
                continue
            a = j - 1
            ta, tb = kf_time[k0 + a], kf_time[k0 + j]
            u = (s - ta) / (tb - ta)
            ease = kf_ease[k0 + a]
            va, vb = v0 + a * width, v0 + j * width
            if mode == 1 or mode == 3:
                ca, cb = values[va + 3], values[vb + 3]
                if ease == 4 or np.isnan(ca) or np.isnan(cb):
                    for c in range(4):
                        out[i, col + c] = values[va + c]
                    continue
                p = _css_ease_kernel(ease, u)  # noqa: F821 - bound when numba compiles
                alpha = ca + (cb - ca) * p
                if alpha <= 0.0:
                    for c in range(4):
                        out[i, col + c] = 0.0
                    continue
                for c in range(3):
                    pre = values[va + c] * ca + (values[vb + c] * cb - values[va + c] * ca) * p
                    if mode == 3:  # Oklab: unbounded a, b; drawn after conversion to sRGB
                        out[i, col + c] = pre / alpha
                    else:
                        x = min(1.0, max(0.0, pre / alpha))
                        out[i, col + c] = np.floor(x * 255.0 + 0.5) / 255.0
                out[i, col + 3] = min(1.0, max(0.0, alpha))
                continue
            for c in range(width):
                na, nb = values[va + c], values[vb + c]
                if ease == 4:
                    out[i, col + c] = na
                elif seg_mode[va + c] == 0:
                    out[i, col + c] = na + (nb - na) * _poly_ease_kernel(ease, u)  # noqa: F821 - bound when numba compiles
                else:
                    out[i, col + c] = na + (nb - na) * _css_ease_kernel(ease, u)  # noqa: F821 - bound when numba compiles


_numba_kernel: Any = None
_css_ease_kernel: Any  # bound by _numba_eval_tracks before numba compiles _eval_tracks
_poly_ease_kernel: Any


def _numba_eval_tracks() -> Any:
    """`_eval_tracks` compiled by numba (built, or loaded from numba's cache, on first use)."""
    global _numba_kernel
    if _numba_kernel is None:
        from numba import njit

        from vfnative.timeline.easing import compile_kernels

        kernels = compile_kernels()
        # the kernel calls these by their global names; numba resolves them when it compiles
        globals()["_css_ease_kernel"] = kernels["_css_ease_kernel"]
        globals()["_poly_ease_kernel"] = kernels["_poly_ease_kernel"]
        _numba_kernel = njit(cache=True, nogil=True)(_eval_tracks)
    return _numba_kernel


PYTHON_TRACK_WORK = 50_000
"""Animated (track, frame) pairs per batch up to which `evaluate` runs `_eval_tracks_python` instead of
the numba kernel. Most documents animate a few dozen properties: evaluating them in Python costs
well under a millisecond per frame, while the first numba call of a process initialises LLVM and
numba's typing (~0.8 s and ~60 MB even with a warm cache). Static properties are always filled
with numpy. Larger workloads go to numba."""


def _css_ease_python(ease: int, u: float) -> float:
    """`_css_ease_kernel` in plain Python (the same operations, so the same floats)."""
    if ease == 0:
        return u
    if ease == 4:
        return 0.0
    if ease == 1:
        return cubic_bezier(0.42, 0.0, 1.0, 1.0, u)
    if ease == 2:
        return cubic_bezier(0.0, 0.0, 0.58, 1.0, u)
    return cubic_bezier(0.42, 0.0, 0.58, 1.0, u)


@dataclass(frozen=True)
class _TrackSplit:
    """Static tracks packed for one numpy assignment; the animated ones by index."""

    static_cols: npt.NDArray[np.int64]
    static_values: npt.NDArray[np.float64]
    animated: npt.NDArray[np.int64]


def _track_split(timeline: Timeline, layout: BlockLayout) -> _TrackSplit:
    cached = timeline.cache.get("track_split")
    if isinstance(cached, _TrackSplit):
        return cached
    cols: list[int] = []
    vals: list[float] = []
    for t in np.flatnonzero(layout.tr_nkf == 1):
        col, width, v0 = int(layout.tr_col[t]), int(layout.tr_width[t]), int(layout.tr_val0[t])
        cols.extend(range(col, col + width))
        vals.extend(float(v) for v in layout.values[v0 : v0 + width])
    split = _TrackSplit(np.array(cols, dtype=np.int64), np.array(vals, dtype=np.float64),
                        np.flatnonzero(layout.tr_nkf > 1).astype(np.int64))  # fmt: skip
    timeline.cache["track_split"] = split
    return split


def _eval_tracks_python(source_times: npt.NDArray[np.float64], layout: BlockLayout, split: _TrackSplit,
                        out: npt.NDArray[np.float64]) -> None:  # fmt: skip
    """`_eval_tracks` without numba, with the same arithmetic (tests check it bit for bit).

    A track with one keyframe holds its value at every time: those columns are set in one numpy
    assignment. Animated tracks run the kernel's loop body in Python.
    """
    if split.static_cols.size:
        out[:, split.static_cols] = split.static_values
    kf_time, kf_ease, values, seg_mode = layout.kf_time, layout.kf_ease, layout.values, layout.seg_mode
    n_frames = out.shape[0]
    for t in split.animated.tolist():
        layer, col, width, mode = (int(layout.tr_layer[t]), int(layout.tr_col[t]), int(layout.tr_width[t]),
                                   int(layout.tr_mode[t]))  # fmt: skip
        k0, nk, v0 = int(layout.tr_kf0[t]), int(layout.tr_nkf[t]), int(layout.tr_val0[t])
        times = kf_time[k0 : k0 + nk].tolist()
        row_times = source_times[layer].tolist()
        for i in range(n_frames):
            s = row_times[i]
            j = 0
            while j < nk and times[j] <= s:
                j += 1
            if j == nk or j == 0 or times[j - 1] == s or mode == 2:
                a = nk - 1 if j == nk else (0 if j == 0 else j - 1)
                base = v0 + a * width
                out[i, col : col + width] = values[base : base + width]
                continue
            a = j - 1
            ta, tb = times[a], times[j]
            u = (s - ta) / (tb - ta)
            ease = int(kf_ease[k0 + a])
            va, vb = v0 + a * width, v0 + j * width
            if mode == 1 or mode == 3:
                ca, cb = float(values[va + 3]), float(values[vb + 3])
                if ease == 4 or math.isnan(ca) or math.isnan(cb):
                    out[i, col : col + 4] = values[va : va + 4]
                    continue
                p = _css_ease_python(ease, u)
                alpha = ca + (cb - ca) * p
                if alpha <= 0.0:
                    out[i, col : col + 4] = 0.0
                    continue
                for c in range(3):
                    pa, pb = float(values[va + c]), float(values[vb + c])
                    pre = pa * ca + (pb * cb - pa * ca) * p
                    if mode == 3:
                        out[i, col + c] = pre / alpha
                    else:
                        x = min(1.0, max(0.0, pre / alpha))
                        out[i, col + c] = math.floor(x * 255.0 + 0.5) / 255.0
                out[i, col + 3] = min(1.0, max(0.0, alpha))
                continue
            for c in range(width):
                na, nb = float(values[va + c]), float(values[vb + c])
                if ease == 4:
                    out[i, col + c] = na
                elif seg_mode[va + c] == 0:
                    out[i, col + c] = na + (nb - na) * poly_ease(ease, u)
                else:
                    out[i, col + c] = na + (nb - na) * _css_ease_python(ease, u)


def evaluate(timeline: Timeline, frames: range, *, kernel: str = "auto") -> PropBlock:
    """Resolve every animated property for a block of frames.

    Batched so the numba kernel sees contiguous float64 arrays; raster reads one row per frame.
    Layer windows use JS rounding (timecode.js_round_array), group children get group-local frames.
    `kernel` is ``"auto"`` (Python for small workloads, see `PYTHON_TRACK_WORK`), ``"numba"`` or
    ``"python"``; all give the same floats.
    """
    layout = compile_layout(timeline)
    f = np.arange(frames.start, frames.stop, frames.step, dtype=np.int64)
    n = f.shape[0]
    block = np.zeros((n, max(1, layout.columns)), dtype=np.float64)
    source_times = np.zeros((len(timeline.all_layers), n), dtype=np.float64)
    local_frames: list[npt.NDArray[np.int64]] = []
    actives: list[npt.NDArray[np.bool_]] = []
    for ls in layout.layers:
        plan = ls.plan
        if plan.parent < 0:
            lf = f
            parent_active = np.ones(n, dtype=np.bool_)
        else:
            lf = js_round_array(source_times[plan.parent] * timeline.fps)
            parent_active = actives[plan.parent]
        clock = plan.clock
        active = parent_active & (lf >= clock.start_frame) & (lf < clock.end_frame) & plan.enabled
        source_times[plan.index] = clock.source_times(lf)
        local_frames.append(lf)
        actives.append(active)
        block[:, ls.active_col] = active
        block[:, ls.frame_col] = lf
        if ls.caption_slot is not None:
            captions = getattr(plan.layer.settings, "captions", None) or []
            block[:, ls.caption_slot.col] = [caption_index(captions, x / timeline.fps) for x in lf]
    if layout.tr_layer.shape[0]:
        split = _track_split(timeline, layout)
        if kernel == "python" or (kernel == "auto" and split.animated.size * n <= PYTHON_TRACK_WORK):
            _eval_tracks_python(source_times, layout, split, block)
        else:
            _numba_eval_tracks()(source_times, layout.tr_layer, layout.tr_col, layout.tr_width, layout.tr_mode,
                         layout.tr_kf0, layout.tr_nkf, layout.tr_val0, layout.kf_time, layout.kf_ease,
                         layout.values, layout.seg_mode, block)  # fmt: skip
    return block


def _decode(ls: LayerSlots, row: npt.NDArray[np.float64], timeline: Timeline) -> dict[str, Any]:
    raw = _raw_values(ls, row)
    apply_transitions(
        ls.plan.layer, int(row[ls.frame_col]), timeline.fps, timeline.width, raw, timeline.height
    )
    return finalize_all(ls.plan.definitions, raw, timeline.em_context(), ls.plan.is_text)


def _raw_values(ls: LayerSlots, row: npt.NDArray[np.float64]) -> dict[str, Raw]:
    """The layer's raw values in one block row, before transitions."""
    raw: dict[str, Raw] = {slot.name: _raw_slot(slot, row) for slot in ls.slots}
    if ls.caption_slot is not None:
        raw["text"] = _raw_caption(ls, row)
    return raw


def _raw_slot(slot: Slot, row: npt.NDArray[np.float64]) -> Raw:
    if slot.mode == _MODE_STEP:
        return ("step", slot.table[int(row[slot.col])])
    if slot.mode == _MODE_COLOR:
        v = row[slot.col : slot.col + 4]
        return ("color", None if np.isnan(v[3]) else (float(v[0]), float(v[1]), float(v[2]), float(v[3])))
    if slot.mode == _MODE_OKLAB:
        v = row[slot.col : slot.col + 4]
        return (
            "color",
            None if np.isnan(v[3]) else oklab_color((float(v[0]), float(v[1]), float(v[2]), float(v[3]))),
        )
    comps = [(float(row[slot.col + c]), slot.units[c]) for c in range(slot.width)]
    return ("num", comps, slot.is_array)


def _raw_caption(ls: LayerSlots, row: npt.NDArray[np.float64]) -> Raw:
    assert ls.caption_slot is not None
    captions = getattr(ls.plan.layer.settings, "captions", None) or []
    k = int(row[ls.caption_slot.col])
    return ("step", captions[k].caption if k >= 0 else "")


@dataclass(frozen=True)
class _Decoded:
    """One layer's decoded columns: their bytes, raw values and props without transitions."""

    key: bytes
    raw: dict[str, Raw]
    props: dict[str, Any]


def _with_transitions(ls: LayerSlots, base: _Decoded, frame: int, timeline: Timeline) -> dict[str, Any]:
    """`base.props` with the layer's transitions at `frame` applied: only the values a transition
    replaced are finalised again (the same calls `finalize_all` makes, so the same props)."""
    raw = dict(base.raw)
    apply_transitions(ls.plan.layer, frame, timeline.fps, timeline.width, raw, timeline.height)
    changed = [k for k, v in raw.items() if base.raw.get(k) is not v]
    return _refinalize(ls, base.props, raw, changed, timeline)


def _refinalize(
    ls: LayerSlots, props: dict[str, Any], raw: dict[str, Raw], changed: list[str], timeline: Timeline
) -> dict[str, Any]:
    """`props` (finalised from an earlier raw) brought to `raw`, which differs from it in `changed`
    only: the same calls `finalize_all` makes for those names, so the same props."""
    if not changed:
        return props
    ctx = timeline.em_context()
    if "fontSize" in changed:
        return finalize_all(ls.plan.definitions, raw, ctx, ls.plan.is_text)
    if ls.plan.is_text and "fontSize" in props:
        ctx = EmContext(root_em=ctx.root_em, shape_unit=ctx.shape_unit, em=float(props["fontSize"]))
    props = dict(props)
    for name in changed:
        value = raw[name]
        if value[0] != "num":
            props[name] = value[1]
            continue
        definition = ls.plan.definitions.get(name)
        if definition is not None:  # as finalize_all: a property the layer type lacks is dropped
            props[name] = finalize(definition, value[1], value[2], ctx)
    return props


def _redecode(lr: _LayerRow, base: _Decoded, key: bytes, row: npt.NDArray[np.float64],
              timeline: Timeline) -> _Decoded:  # fmt: skip
    """The layer decoded from `row`, whose columns (`key`) differ from `base.key`: only the slots
    whose bytes changed are read and finalised again (most of a layer's slots hold defaults)."""
    ls = lr.ls
    raw = dict(base.raw)
    changed = []
    for slot, a, b in lr.slot_bytes:
        if key[a:b] != base.key[a:b]:
            raw[slot.name] = _raw_slot(slot, row)
            changed.append(slot.name)
    if lr.caption_bytes is not None:
        a, b = lr.caption_bytes
        if key[a:b] != base.key[a:b]:
            raw["text"] = _raw_caption(ls, row)
            changed.append("text")
    return _Decoded(key, raw, _refinalize(ls, base.props, raw, changed, timeline))


def _transition_window(layer: Any) -> tuple[float, float, float, float] | None:
    """(start_time, duration, d_in, d_out) for `transition_progress`, or None without transitions."""
    t_in, t_out = layer.transition_in, layer.transition_out
    if t_in is None and t_out is None:
        return None
    s = layer.settings
    duration = 0.0 if s.speed == 0 else s.source_duration / abs(s.speed)
    d_in = float(t_in.duration) if t_in is not None else 0.0
    d_out = float(t_out.duration) if t_out is not None else 0.0
    return float(s.start_time), duration, d_in, d_out


def _in_window(window: tuple[float, float, float, float], frame: int, fps: float) -> bool:
    """True while an in/out transition acts on the layer at `frame` (props then depend on the frame)."""
    p_in, p_out = transition_progress(*window, frame, fps)
    return p_in < 0 or p_out > 0


def _layer_spans(layout: BlockLayout) -> tuple[tuple[int, int], ...]:
    """Per layer, the block columns its props are decoded from (slots and caption index; not the
    active/frame columns)."""
    starts = [ls.active_col for ls in layout.layers] + [layout.columns]
    return tuple((ls.frame_col + 1, starts[i + 1]) for i, ls in enumerate(layout.layers))


class _LayerRow(NamedTuple):
    """What `scene_from_block` reads for one layer, gathered once per timeline."""

    ls: LayerSlots
    key_start: int
    """Byte offsets in the row of the columns the layer's props decode from (the memo key)."""
    key_stop: int
    window: tuple[float, float, float, float] | None
    children: tuple[int, ...]
    """Indices (into the rows) of the layer's children, in order."""
    slot_bytes: tuple[tuple[Slot, int, int], ...]
    """Each slot and its byte range within the memo key."""
    caption_bytes: tuple[int, int] | None


def _layer_rows(timeline: Timeline, layout: BlockLayout) -> tuple[_LayerRow, ...]:
    cached = timeline.cache.get("scene_rows")
    if isinstance(cached, tuple):
        return cached
    spans = _layer_spans(layout)  # once per timeline: the rows are cached
    itemsize = np.dtype(np.float64).itemsize

    def in_key(slot: Slot, start: int) -> tuple[int, int]:
        return (slot.col - start) * itemsize, (slot.col - start + slot.width) * itemsize

    rows = tuple(
        _LayerRow(
            ls,
            spans[i][0] * itemsize,
            spans[i][1] * itemsize,
            _transition_window(ls.plan.layer),
            tuple(c.index for c in ls.plan.children),
            tuple((slot, *in_key(slot, spans[i][0])) for slot in ls.slots),
            in_key(ls.caption_slot, spans[i][0]) if ls.caption_slot is not None else None,
        )  # fmt: skip
        for i, ls in enumerate(layout.layers)
    )
    timeline.cache["scene_rows"] = rows
    return rows


def scene_from_block(timeline: Timeline, block: PropBlock, row: int) -> list[LayerFrame]:
    """The LayerFrames of one block row: same result as `scalar.scene_at` for that frame.

    A layer whose columns hold the same values as in the last row decoded (and that no transition
    acts on) gets the *same* props mapping back without decoding it again; raster treats identical
    props as "unchanged" and reuses the layer's picture. During a transition only the values it
    replaces are finalised again. Props mappings are shared: never mutate one.
    """
    layout = compile_layout(timeline)
    layer_rows = _layer_rows(timeline, layout)
    memo: dict[int, _Decoded] = timeline.cache.setdefault("scene_memo", {})
    values = block[row]
    packed = values.tobytes()  # one copy of the row: each layer's memo key is a slice of it
    cells = values.tolist()  # Python floats: cheaper to index than the numpy row
    fps = timeline.fps

    def build(index: int) -> LayerFrame | None:
        lr = layer_rows[index]
        ls = lr.ls
        if not ls.plan.visual or cells[ls.active_col] == 0.0:
            return None
        children = tuple(c for c in map(build, lr.children) if c is not None) if lr.children else ()
        key = packed[lr.key_start : lr.key_stop]
        hit = memo.get(index)
        if hit is None:
            raw = _raw_values(ls, values)
            props = finalize_all(ls.plan.definitions, dict(raw), timeline.em_context(), ls.plan.is_text)
            hit = memo[index] = _Decoded(key, raw, props)
        elif hit.key != key:
            hit = memo[index] = _redecode(lr, hit, key, values, timeline)
        frame = int(cells[ls.frame_col])
        props_now = hit.props
        if lr.window is not None and _in_window(lr.window, frame, fps):
            props_now = _with_transitions(ls, hit, frame, timeline)
        plan = ls.plan
        return LayerFrame(layer=plan.layer, path=plan.path, props=props_now, frame=frame, children=children)

    return [lf for lf in (build(p.index) for p in timeline.roots) if lf is not None]

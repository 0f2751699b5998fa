"""The scalar reference evaluator: one layer, one frame, written straight from spec 01 §3.

Used for single frames (`render_frame`) and as the oracle the batch evaluator is tested against.
Plain Python; no numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vfnative.model.properties import PropDef
from vfnative.timeline.easing import EASE_STEP, css_ease, easing_id, poly_ease
from vfnative.timeline.resolve import Raw, caption_index, finalize_all, raw_static, value_mode
from vfnative.timeline.scene import LayerFrame
from vfnative.timeline.timecode import js_round
from vfnative.timeline.transitions import apply_transitions
from vfnative.timeline.values import Component, oklab_color, oklab_value, pad_components, to_px

if TYPE_CHECKING:
    from vfnative.model.animation import Keyframe
    from vfnative.timeline.plan import LayerPlan, Timeline
    from vfnative.timeline.values import EmContext
    from vfnative.types import Color

__all__ = ["resolve_raw", "scene_at"]

OklabAlpha = tuple[float, float, float, float]


def _interp_oklab(a: OklabAlpha | None, b: OklabAlpha | None, u: float, ease: int) -> Color | None:
    """Premultiplied interpolation in Oklab (a pair with a CSS Color 4 colour), drawn in sRGB; the
    batch evaluator's `_MODE_OKLAB` does the same operations."""
    if a is None or b is None or ease == EASE_STEP:
        return None if a is None else oklab_color(a)
    p = css_ease(ease, u)
    alpha = a[3] + (b[3] - a[3]) * p
    if alpha <= 0.0:
        return oklab_color((0.0, 0.0, 0.0, 0.0))
    chans = [(a[c] * a[3] + (b[c] * b[3] - a[c] * a[3]) * p) / alpha for c in range(3)]
    return oklab_color((chans[0], chans[1], chans[2], min(1.0, max(0.0, alpha))))


def _interp_color(a: Color | None, b: Color | None, u: float, ease: int) -> Color | None:
    if a is None or b is None or ease == EASE_STEP:
        return a
    p = css_ease(ease, u)
    alpha = a[3] + (b[3] - a[3]) * p
    if alpha <= 0.0:
        return (0.0, 0.0, 0.0, 0.0)
    chans = []
    for c in range(3):
        pre = a[c] * a[3] + (b[c] * b[3] - a[c] * a[3]) * p
        chans.append(js_round(min(1.0, max(0.0, pre / alpha)) * 255.0) / 255.0)
    return (chans[0], chans[1], chans[2], min(1.0, max(0.0, alpha)))


def _interp_num(
    a: list[Component], b: list[Component], a_units: list[str], b_units: list[str], u: float, ease: int
) -> list[Component]:
    """Componentwise: polynomial easing within one unit, CSS easing (in px) across units."""
    out: list[Component] = []
    for (na, ua), (nb, _), wa, wb in zip(a, b, a_units, b_units, strict=True):
        if ease == EASE_STEP:
            out.append((na, ua))
        elif wa == wb:
            out.append((na + (nb - na) * poly_ease(ease, u), ua))
        else:
            out.append((na + (nb - na) * css_ease(ease, u), ua))
    return out


def _lookup(keyframes: list[Keyframe], s: float, pdef: PropDef, ctx: EmContext) -> Raw:
    """`interpolateKeyframes`: hold before/after, exact hits, step for non-animatables."""
    kfs = sorted(keyframes, key=lambda k: k.time)  # stable: equal times keep array order
    raws = [raw_static(k.value, pdef) for k in kfs]
    width, is_array = 1, False
    written_units: list[list[str]] = []
    if raws[0][0] == "num":
        width = max(len(r[1]) for r in raws)
        is_array = any(r[2] for r in raws)
        padded = [pad_components(r[1], width, pdef) for r in raws]
        written_units = [[c[1] for c in kf] for kf in padded]
        # A component whose keyframes use different units is animated in px (the browser resolves
        # both ends to px; em uses the font size at rest so the batch evaluator can precompute it).
        mixed = [len({kf[c][1] for kf in padded}) > 1 for c in range(width)]
        raws = [
            ("num", [(float(to_px(x, pdef, ctx)), "px") if mixed[c] and x[1] != "px" else x
                     for c, x in enumerate(kf)], is_array)
            for kf in padded
        ]  # fmt: skip
    oklab: list[tuple[OklabAlpha, bool] | None] = []
    if raws[0][0] == "color":
        oklab = [oklab_value(k.value, pdef) for k in kfs]
        if any(o is not None and not o[1] for o in oklab):  # a CSS Color 4 keyframe: the track is in Oklab
            raws = [("color", None if o is None else oklab_color(o[0])) for o in oklab]
        else:
            oklab = []
    j = next((i for i, k in enumerate(kfs) if k.time > s), len(kfs))
    if j == len(kfs):
        return raws[-1]
    if j == 0:
        return raws[0]
    a, b = kfs[j - 1], kfs[j]
    if a.time == s or value_mode(pdef) == "step":
        return raws[j - 1]
    u = (s - a.time) / (b.time - a.time)
    ease = easing_id(a.easing)
    if oklab:
        ends = [None if o is None else o[0] for o in (oklab[j - 1], oklab[j])]
        return ("color", _interp_oklab(ends[0], ends[1], u, ease))
    if raws[0][0] == "color":
        return ("color", _interp_color(raws[j - 1][1], raws[j][1], u, ease))
    interp = _interp_num(raws[j - 1][1], raws[j][1], written_units[j - 1], written_units[j], u, ease)
    return ("num", interp, is_array)


def resolve_raw(plan: LayerPlan, s: float, ctx: EmContext) -> dict[str, Raw]:
    """Animations, then static properties, then defaults (spec 01 §3.1), as raw values."""
    defs = plan.definitions
    raw: dict[str, Raw] = {}
    for anim in plan.layer.animations:
        pdef = defs.get(anim.property)
        if pdef is not None and anim.keyframes:
            raw[anim.property] = _lookup(list(anim.keyframes), s, pdef, ctx)
    for name, value in plan.layer.properties.items():
        pdef = defs.get(name)
        if pdef is not None and name not in raw:
            raw[name] = raw_static(value, pdef)
    for name, pdef in defs.items():
        if name not in raw and pdef.default is not None:
            raw[name] = raw_static(pdef.default, pdef)
    return raw


def _text_em(plan: LayerPlan, timeline: Timeline) -> float:
    """The static em used to convert mixed-unit keyframes to px (font size at rest)."""
    if not plan.is_text:
        return timeline.root_em
    from vfnative.timeline.values import finalize

    pdef = plan.definitions["fontSize"]
    written: Any = plan.layer.properties.get("fontSize", pdef.default)
    for anim in plan.layer.animations:
        if anim.property == "fontSize" and anim.keyframes:
            written = sorted(anim.keyframes, key=lambda k: k.time)[0].value
    raw = raw_static(written, pdef)
    return float(finalize(pdef, raw[1], raw[2], timeline.em_context()))


def _layer_frame(plan: LayerPlan, timeline: Timeline, frame: int) -> LayerFrame | None:
    if not plan.enabled or not plan.visual or not plan.clock.active(frame):
        return None
    s = plan.clock.source_time(frame)
    ctx = timeline.em_context(_text_em(plan, timeline))
    raw = resolve_raw(plan, s, ctx)
    if plan.type == "captions":
        captions = getattr(plan.layer.settings, "captions", None)
        if captions:
            k = caption_index(captions, frame / timeline.fps)
            raw["text"] = ("step", captions[k].caption if k >= 0 else "")
    apply_transitions(plan.layer, frame, timeline.fps, timeline.width, raw, timeline.height)
    props = finalize_all(plan.definitions, raw, timeline.em_context(), plan.is_text)
    children: tuple[LayerFrame, ...] = ()
    if plan.children:
        local = js_round(s * timeline.fps)
        kids = (_layer_frame(c, timeline, local) for c in plan.children)
        children = tuple(k for k in kids if k is not None)
    return LayerFrame(layer=plan.layer, path=plan.path, props=props, frame=frame, children=children)


def scene_at(timeline: Timeline, frame: int) -> list[LayerFrame]:
    """The active layers of one project frame, in paint order, with resolved properties."""
    frames = (_layer_frame(p, timeline, frame) for p in timeline.roots)
    return [f for f in frames if f is not None]

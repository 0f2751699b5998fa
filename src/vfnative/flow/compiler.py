"""Replay a flow program into VideoJSON data, number for number as @videoflow/core 1.2 does.

The output is the contract: a Python script and its TypeScript twin must compile to equal JSON
(layer ids aside), so every rule here is the core's `compile()`, re-derived and written down:

* Time is an integer frame pointer `t`. `wait` adds `round(seconds * fps)`; a layer starts at
  `round(startTime * fps)` or at `t`; a bounded layer ends `round(sourceDuration / |speed| * fps)`
  frames later (|speed| 0 counts as 1); `remove` ends it at `t` (+ `after`).
* Keyframe times are source seconds. `set` and `animate` map `t` onto the layer's source clock
  (`sourceStart + elapsed * |speed|`, counted back from the end for reverse speed); `animate`
  outside the layer's window anchors at source 0 (spec 01 §10 item 20). The end keyframe is
  `duration * |speed|` source seconds later (earlier when reversed) and carries easing 'step'.
* Float arithmetic happens in the core's order (`(t - start) / fps * |speed|`, then
  `sourceStart + that`), so e.g. 2.3 + 0.8 comes out as 3.0999999999999996 in both.
* Project length = max(final `t`, ends of bounded top-level layers). Unbounded top-level layers
  end there; unbounded group children end with their group; children are clamped to it.
* A property with one keyframe is written as a static value, two or more as an animation;
  'linear' easings are left out. Layers are stably sorted by `index`; groups hold their children.
* `parallel` branches and media probes interleave like the core's `async` walk (see `microtasks`),
  which decides the order of layers added in different branches.

Settings, transitions and effects are serialised like `serializeLayer` (spec 01 §1.3): the base
settings always, `speed`/`sourceStart` only when not 1/0, type-specific keys only when the author
gave them. Imports `flow.*`, `model.properties`, `timeline.timecode`, `errors` and, lazily for
probing, `media.decode`.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from vfnative.errors import DocumentError, VfnativeError
from vfnative.flow.actions import Action, AddLayer, Animate, Group, Parallel, Remove, Set, Wait
from vfnative.flow.microtasks import AsyncGen, Job, JobQueue
from vfnative.flow.timeparse import JS_WHITESPACE, parse_time, time_to_frames
from vfnative.model.properties import property_table
from vfnative.timeline.timecode import js_round

__all__ = [
    "UNDEFINED",
    "CompileOptions",
    "MediaProber",
    "compile_flow",
    "default_prober",
    "js_string",
    "js_truthy",
    "settings_keys",
]

log = logging.getLogger(__name__)

MediaProber = Callable[[str], float]
"""`source -> duration in seconds`, NaN when unknown (the core then treats the layer as unbounded)."""


class _Undefined:
    """JavaScript `undefined`: a value the core would drop from its JSON output (unlike null)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()

_BASE_SETTINGS = ("name", "enabled", "startTime", "sourceDuration", "speed", "sourceStart",
                  "mediaDuration", "sourceEnd", "transitionIn", "transitionOut")  # fmt: skip
_EXTRA_SETTINGS: dict[str, tuple[str, ...]] = {
    "image": ("source", "mediaDuration", "sourceEnd"),
    "video": ("source", "mediaDuration", "sourceEnd"),
    "audio": ("source", "mediaDuration", "sourceEnd"),
    "captions": ("captions", "maxCharsPerLine", "maxLines"),
    "shape": ("shapeType",),
}
"""The core's `settingsKeys` per layer class: written to the JSON only when the author gave them."""

_EFFECT_PATH = re.compile(r"effects\.([a-zA-Z_][\w-]*)(?:\[(\d+)\])?\.([a-zA-Z_]\w*)", re.ASCII)
_MEDIA_TYPES = ("video", "audio")


def settings_keys(layer_type: str) -> tuple[str, ...]:
    """Every setting (camelCase) a layer type accepts: the base timing settings plus its own."""
    extra = tuple(k for k in _EXTRA_SETTINGS.get(layer_type, ()) if k not in _BASE_SETTINGS)
    return _BASE_SETTINGS + extra


@dataclass(frozen=True)
class CompileOptions:
    """The project settings the compiler reads."""

    name: str
    width: int
    height: int
    fps: float
    background_color: str
    easing: str
    auto_detect_durations: bool = True
    probe: MediaProber | None = None


@dataclass
class _Keyframe:
    time: float
    value: Any
    easing: str


@dataclass
class _Timings:
    source_duration: float | None
    media_duration: float | None
    source_end: float | None


@dataclass
class _Layer:
    """One layer being compiled. `start`/`end` are timeline frames (group-local for children)."""

    id: str
    type: str
    start: int
    end: int | None
    speed: float
    source_start: float
    settings: dict[str, Any]
    declared_effects: Any
    index: int
    parent: str | None
    media_duration: float | None = None
    source_end: float | None = None
    transition_in: dict[str, Any] | None = None
    transition_out: dict[str, Any] | None = None
    effects: list[dict[str, Any]] | None = None
    properties: dict[str, list[_Keyframe]] = field(default_factory=dict)
    children: list[str] | None = None


def compile_flow(actions: list[Action], options: CompileOptions) -> dict[str, Any]:
    """The VideoJSON data (plain dicts and lists, camelCase keys) for a flow program."""
    return _Compiler(options).run(actions)


class _Compiler:
    def __init__(self, options: CompileOptions) -> None:
        self.opts = options
        self.fps = options.fps
        self.queue = JobQueue()
        self.layers: dict[str, _Layer] = {}
        """Insertion order is the core's `compiled` Map order: it decides the JSON order."""
        self.probes: dict[str, Job[float]] = {}
        self.prober = options.probe or default_prober(None)

    # ------------------------------------------------------------------ driver

    def run(self, actions: list[Action]) -> dict[str, Any]:
        self._start_probes(actions)
        total = self.queue.run(self.queue.spawn(self._series(actions, 0, None)))

        project = total
        for layer in self.layers.values():
            if layer.parent is None and layer.end is not None:
                project = max(project, layer.end)
        self._close_open_layers(project)

        top = [layer for layer in self.layers.values() if layer.parent is None]
        top.sort(key=lambda layer: layer.index)
        fps = self.fps
        return {
            "name": self.opts.name,
            "duration": project / fps,
            "width": self.opts.width,
            "height": self.opts.height,
            "fps": fps,
            "backgroundColor": self.opts.background_color,
            "layers": [self._serialize(layer) for layer in top],
        }

    def _close_open_layers(self, project: int) -> None:
        """The core's three finishing passes, in its order (each walks layers in insertion order)."""
        for layer in self.layers.values():
            if layer.end is not None:
                continue
            parent = self.layers.get(layer.parent) if layer.parent else None
            if parent is not None and parent.end is not None:
                layer.end = parent.end - parent.start
            else:
                layer.end = project
        # A group still open after that pass would take its children's extent; the pass above
        # closes every layer, so this mirrors dead code in the core and never fires.
        for layer in self.layers.values():
            if layer.type != "group" or layer.end is not None or not layer.children:
                continue
            ends = [c.end for c in map(self.layers.get, layer.children) if c and c.end is not None]
            layer.end = layer.start + max([0, *ends]) if ends else project
        for layer in self.layers.values():
            parent = self.layers.get(layer.parent) if layer.parent else None
            if parent is None or parent.end is None or layer.end is None:
                continue
            layer.end = min(layer.end, parent.end - parent.start)

    # ------------------------------------------------------------------ media probes

    def _start_probes(self, actions: Iterable[Action]) -> None:
        """Probe each media source once, before the walk, like the core's pre-pass.

        The result settles as outside I/O: only after every pending promise job has run.
        """
        for action in actions:
            if isinstance(action, Parallel):
                for branch in action.branches:
                    self._start_probes(branch)
            elif isinstance(action, Group):
                self._start_probes(action.actions)
            elif isinstance(action, AddLayer):
                s = action.settings
                if action.type not in _MEDIA_TYPES or not self.opts.auto_detect_durations:
                    continue
                if s.get("sourceDuration") is not None or s.get("mediaDuration") is not None:
                    continue
                source = s.get("source")
                if not isinstance(source, str) or not source or source in self.probes:
                    continue
                # A failed probe (ffprobe quits at once) settles before real ones; `.catch()` on
                # the probe promise adds one job turn before awaiters see the value.
                duration = self.prober(source)
                rank = 1 if math.isfinite(duration) and duration > 0 else 0
                self.probes[source] = self.queue.outside(duration, rank=rank).then(lambda value: value)

    def _media_timings(self, action: AddLayer) -> AsyncGen[_Timings]:
        """sourceDuration / mediaDuration / unresolved sourceEnd, in source seconds (core order)."""
        s = action.settings
        fps = self.fps
        source_start = parse_time(s["sourceStart"], fps) if s.get("sourceStart") is not None else 0
        source_end = parse_time(s["sourceEnd"], fps) if s.get("sourceEnd") is not None else 0
        if s.get("sourceDuration") is not None:
            media = parse_time(s["mediaDuration"], fps) if s.get("mediaDuration") is not None else None
            return _Timings(parse_time(s["sourceDuration"], fps), media, None)
        if action.type not in _MEDIA_TYPES:
            return _Timings(None, None, None)
        if s.get("mediaDuration") is not None:
            media = parse_time(s["mediaDuration"], fps)
            return _Timings(max(0, media - source_start - source_end), media, None)
        source = s.get("source")
        if isinstance(source, str) and source:
            probed = math.nan
            pending = self.probes.get(source)
            if pending is not None:
                probed = yield pending
            if math.isfinite(probed) and probed > 0:
                return _Timings(max(0, probed - source_start - source_end), probed, None)
        return _Timings(None, None, source_end if s.get("sourceEnd") is not None else None)

    # ------------------------------------------------------------------ the walk

    def _series(self, actions: list[Action], t: int, parent: str | None) -> AsyncGen[int]:
        """Walk one branch from pointer `t`; returns the pointer at its end."""
        fps = self.fps
        for action in actions:
            if isinstance(action, Wait):
                t += time_to_frames(action.duration, fps)
            elif isinstance(action, Parallel):
                if not action.branches:
                    continue  # the core would move the pointer to -Infinity (Math.max())
                jobs = [self.queue.spawn(self._series(b, t, parent)) for b in action.branches]
                ends: list[int] = yield self.queue.all(jobs)
                t = max(ends)
            elif isinstance(action, Group):
                t = yield from self._group(action, t, parent)
            elif isinstance(action, AddLayer):
                t = yield from self._add_layer(action, t, parent)
            elif isinstance(action, Remove):
                self._remove(action, t)
            elif isinstance(action, Set):
                self._set(action, t)
            else:
                t = self._animate(action, t)
        return t

    def _register(self, layer: _Layer) -> None:
        self.layers[layer.id] = layer
        if layer.parent is not None:
            siblings = self.layers[layer.parent].children
            if siblings is not None:
                siblings.append(layer.id)

    def _group(self, action: Group, t: int, parent: str | None) -> AsyncGen[int]:
        s, fps = action.settings, self.fps
        start = time_to_frames(s["startTime"], fps) if s.get("startTime") is not None else t
        layer = _Layer(
            id=action.id, type="group", start=start, end=None, speed=1, source_start=0,
            settings=s, declared_effects=action.properties.get("effects"), index=action.index,
            parent=parent, children=[],
            transition_in=_transition(s.get("transitionIn"), fps),
            transition_out=_transition(s.get("transitionOut"), fps),
            effects=_effects(action.properties.get("effects")),
        )  # fmt: skip
        self._register(layer)
        for prop, value in action.properties.items():
            if prop != "effects":
                layer.properties[prop] = [_Keyframe(0, value, "step")]

        # Children run on their own clock: the pointer restarts at 0 inside the group.
        child_end: int = yield self.queue.spawn(self._series(action.actions, 0, action.id))

        if s.get("sourceDuration") is not None:
            layer.end = start + time_to_frames(s["sourceDuration"], fps)
        elif layer.children:
            ends = [c.end for c in map(self.layers.get, layer.children) if c and c.end is not None]
            layer.end = start + max([0, *ends]) if ends else None
        group_end = layer.end if layer.end is not None else start + child_end
        wait_for = action.wait_for if action.wait_for is not None else "finish"
        return group_end if wait_for == "finish" else t + time_to_frames(wait_for, fps)

    def _add_layer(self, action: AddLayer, t: int, parent: str | None) -> AsyncGen[int]:
        s, fps = action.settings, self.fps
        source_start = parse_time(s["sourceStart"], fps) if s.get("sourceStart") is not None else 0
        speed = s["speed"] if s.get("speed") is not None else 1
        start = time_to_frames(s["startTime"], fps) if s.get("startTime") is not None else t

        timings: _Timings = yield self.queue.spawn(self._media_timings(action))
        end: int | None = None
        if timings.source_duration is not None:
            end = start + js_round((timings.source_duration / _abs_or_one(speed)) * fps)

        layer = _Layer(
            id=action.id, type=action.type, start=start, end=end, speed=speed,
            source_start=source_start, settings=s,
            declared_effects=action.properties.get("effects"), index=action.index, parent=parent,
            media_duration=timings.media_duration, source_end=timings.source_end,
            transition_in=_transition(s.get("transitionIn"), fps),
            transition_out=_transition(s.get("transitionOut"), fps),
            effects=_effects(action.properties.get("effects")),
        )  # fmt: skip
        self._register(layer)
        for prop, value in action.properties.items():
            if prop != "effects":
                layer.properties[prop] = [_Keyframe(source_start, value, "step")]

        wait_for = action.wait_for
        if js_truthy(wait_for):
            if wait_for == "finish":
                if end is not None:
                    t = end
            else:
                t += time_to_frames(wait_for, fps)  # type: ignore[arg-type]  # truthy Time
        return t

    def _layer(self, layer_id: str) -> _Layer:
        layer = self.layers.get(layer_id)
        if layer is None:
            # The core fails the same way when a parallel branch touches a layer that another
            # branch adds: that layer is registered only after its own turn comes.
            raise DocumentError(f"layer {layer_id} is not on the timeline yet when this action runs")
        return layer

    def _remove(self, action: Remove, t: int) -> None:
        layer = self._layer(action.id)
        at = t + time_to_frames(action.after, self.fps)
        if layer.end is not None and layer.end < at:
            raise DocumentError(
                f"layer {action.id} cannot be removed at frame {at}: it already ended at frame {layer.end}"
            )
        layer.end = at

    def _source_time(self, layer: _Layer, t: int) -> float:
        """Source seconds shown at timeline frame `t` (the core's `flowFrameToSourceSec`)."""
        fps = self.fps
        speed_abs = abs(layer.speed)
        elapsed = (t - layer.start) / fps * speed_abs
        if layer.speed < 0:
            duration = (layer.end - layer.start) / fps * speed_abs if layer.end is not None else 0
            return layer.source_start + duration - elapsed
        return layer.source_start + elapsed

    def _set(self, action: Set, t: int) -> None:
        layer = self._layer(action.id)
        at = self._source_time(layer, t)
        for prop, value in action.values.items():
            _put(layer.properties.setdefault(prop, []), _Keyframe(at, value, "step"))

    def _animate(self, action: Animate, t: int) -> int:
        layer = self._layer(action.id)
        fps = self.fps
        anchor = t + time_to_frames(action.delay, fps)
        outside = anchor < layer.start or (layer.end is not None and anchor >= layer.end)
        start_at = 0 if outside else self._source_time(layer, anchor)
        frames = time_to_frames(action.duration, fps)
        span = (frames / fps) * _abs_or_one(layer.speed)
        end_at = start_at - span if layer.speed < 0 else start_at + span
        easing = action.easing or self.opts.easing or "easeInOut"

        for prop in dict.fromkeys([*action.start, *action.end]):
            keyframes = layer.properties.setdefault(prop, [])
            begin = action.start.get(prop)
            if begin is None:
                begin = self._last_value(keyframes, start_at, prop, layer)
            finish = action.end.get(prop)
            if finish is None:
                finish = begin
            _put(keyframes, _Keyframe(start_at, begin, easing))
            _put(keyframes, _Keyframe(end_at, finish, "step"))
        return anchor + frames if action.wait else t

    def _last_value(self, keyframes: list[_Keyframe], at: float, prop: str, layer: _Layer) -> Any:
        """The value in force at source time `at`: the last keyframe at or before it, else a default.

        With no keyframes yet, an effect path reads the declared effect's param, anything else the
        property default of the layer type (the core's `_getLastValue`).
        """
        if not keyframes:
            match = _EFFECT_PATH.fullmatch(prop)
            if match:
                name, index, param = match.group(1), int(match.group(2) or 0), match.group(3)
                seen = 0
                declared = layer.declared_effects
                for effect in declared if isinstance(declared, list) else ():
                    if isinstance(effect, dict) and effect.get("effect") == name:
                        if seen == index:
                            params = effect.get("params")
                            return params.get(param, UNDEFINED) if isinstance(params, dict) else UNDEFINED
                        seen += 1
                return UNDEFINED
            definition = property_table(layer.type).get(prop)
            if definition is None or definition.default is None:
                return UNDEFINED
            return copy.deepcopy(definition.default)
        last = keyframes[0]
        for keyframe in keyframes:
            if keyframe.time > at:
                break
            last = keyframe
        return last.value

    # ------------------------------------------------------------------ output

    def _serialize(self, layer: _Layer) -> dict[str, Any]:
        fps = self.fps
        static: dict[str, Any] = {}
        animations: list[dict[str, Any]] = []
        for prop, keyframes in layer.properties.items():
            if len(keyframes) == 1:
                if keyframes[0].value is not UNDEFINED:
                    static[prop] = keyframes[0].value
                continue
            animations.append({"property": prop, "keyframes": [_keyframe_json(k) for k in keyframes]})

        assert layer.end is not None  # every layer is closed by `_close_open_layers`
        start_s = layer.start / fps
        source_duration = (layer.end / fps - start_s) * _abs_or_one(layer.speed)

        settings: dict[str, Any] = {
            "enabled": layer.settings["enabled"] if layer.settings.get("enabled") is not None else True,
            "startTime": start_s,
            "sourceDuration": source_duration,
            "name": layer.settings["name"] if js_truthy(layer.settings.get("name")) else self._name(layer),
        }
        if layer.speed != 1:
            settings["speed"] = layer.speed
        if layer.source_start > 0:
            settings["sourceStart"] = layer.source_start
        if layer.media_duration is not None:
            settings["mediaDuration"] = layer.media_duration
        if layer.source_end is not None:
            settings["sourceEnd"] = layer.source_end
        for key in _EXTRA_SETTINGS.get(layer.type, ()):
            if key not in ("mediaDuration", "sourceEnd") and layer.settings.get(key) is not None:
                settings[key] = layer.settings[key]

        out: dict[str, Any] = {
            "id": layer.id,
            "type": layer.type,
            "settings": settings,
            "properties": static,
            "animations": animations,
        }
        if layer.transition_in:
            out["transitionIn"] = layer.transition_in
        if layer.transition_out:
            out["transitionOut"] = layer.transition_out
        if layer.effects:
            out["effects"] = layer.effects
        if layer.type == "group" and layer.children:
            children = [self.layers[c] for c in layer.children]
            children.sort(key=lambda child: child.index)
            out["children"] = [self._serialize(child) for child in children]
        return out

    def _name(self, layer: _Layer) -> str:
        """A display name when none was given: the text (30 UTF-16 units), the file name, or the type."""
        if layer.type in ("text", "captions"):
            keyframes = layer.properties.get("text")
            if keyframes:
                value = keyframes[0].value
                raw = js_string("" if value is None or value is UNDEFINED else value).strip(JS_WHITESPACE)
                if raw:
                    units = raw.encode("utf-16-le", "surrogatepass")
                    if len(units) > 60:
                        return units[:60].decode("utf-16-le", "surrogatepass") + "\u2026"
                    return raw
            return "Captions" if layer.type == "captions" else "Text"
        source = layer.settings.get("source")
        if js_truthy(source):
            base = re.split(r"[?#]", re.split(r"[/\\]", js_string(source))[-1])[0]
            if base:
                return base
        return layer.type[:1].upper() + layer.type[1:]


# --------------------------------------------------------------------------- helpers


def _put(keyframes: list[_Keyframe], keyframe: _Keyframe) -> None:
    """Replace any keyframe at the same time, append, keep sorted (stable, like the core)."""
    keyframes[:] = [k for k in keyframes if k.time != keyframe.time]
    keyframes.append(keyframe)
    keyframes.sort(key=lambda k: k.time)


def _keyframe_json(keyframe: _Keyframe) -> dict[str, Any]:
    out: dict[str, Any] = {"time": keyframe.time}
    if keyframe.value is not UNDEFINED:
        out["value"] = keyframe.value
    if js_truthy(keyframe.easing) and keyframe.easing != "linear":
        out["easing"] = keyframe.easing
    return out


def _abs_or_one(speed: float) -> float:
    """`Math.abs(speed) || 1`: a frozen (0) or NaN speed counts as 1 for lengths."""
    speed_abs = abs(speed)
    return speed_abs if js_truthy(speed_abs) else 1


def _transition(spec: Any, fps: float) -> dict[str, Any] | None:
    """A transition as the JSON holds it: duration in seconds (0.2 when not given)."""
    if not isinstance(spec, dict) or not js_truthy(spec.get("transition")):
        return None
    duration = parse_time(spec["duration"], fps) if spec.get("duration") is not None else 0.2
    out: dict[str, Any] = {"transition": js_string(spec["transition"]), "duration": duration}
    if js_truthy(spec.get("easing")):
        out["easing"] = spec["easing"]
    if js_truthy(spec.get("params")):
        out["params"] = dict(spec["params"]) if isinstance(spec["params"], dict) else spec["params"]
    return out


def _effects(raw: Any) -> list[dict[str, Any]] | None:
    """Declared effects as the core writes them: `{effect, params?}` (it drops `enabled`)."""
    if not isinstance(raw, list) or not raw:
        return None
    out: list[dict[str, Any]] = []
    for entry in raw:
        if not isinstance(entry, dict) or not isinstance(entry.get("effect"), str):
            continue
        effect: dict[str, Any] = {"effect": entry["effect"]}
        params = entry.get("params")
        if js_truthy(params):
            effect["params"] = dict(params) if isinstance(params, dict) else params
        out.append(effect)
    return out or None


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: only undefined, null, false, 0, NaN and '' are false ([] and {} are true)."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, int | float):
        return value == value and value != 0
    if isinstance(value, str):
        return value != ""
    return True


def js_string(value: Any) -> str:
    """JavaScript `String(value)` for JSON-like values (used where the core stringifies)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _js_number(float(value)) if abs(value) >= 1e21 else str(value)
    if isinstance(value, float):
        return _js_number(value)
    if isinstance(value, list | tuple):
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    return "[object Object]"


def _js_number(x: float) -> str:
    """ECMAScript Number::toString: shortest round-trip digits, exponent form outside [1e-7, 1e21)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(x))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k = len(digits)
    n = int(exponent) + k  # value = 0.d1..dk * 10**n
    if k <= n <= 21:
        body = digits + "0" * (n - k)
    elif 0 < n <= 21:
        body = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        body = digits[0] + ("." + digits[1:] if k > 1 else "") + ("e+" if e > 0 else "e-") + str(abs(e))
    return sign + body


def default_prober(base_dir: str | os.PathLike[str] | None) -> MediaProber:
    """Probe with PyAV, relative paths against `base_dir` (default: the working directory).

    Mirrors the core's ffprobe call: the container duration, printed to the microsecond (as
    ffprobe's `format.duration` is) and read back. Failure or a missing file gives NaN and a
    warning, and the layer stays unbounded, as in the core.
    """
    root = Path(base_dir) if base_dir is not None else None

    def probe(source: str) -> float:
        from vfnative.media.decode import probe_duration

        target: str | Path = source
        if "://" not in source and not source.startswith("data:"):
            path = Path(source)
            target = path if path.is_absolute() or root is None else root / path
            if not Path(target).exists():
                log.warning("cannot probe %s: file not found; its duration stays open", target)
                return math.nan
        try:
            return float(f"{probe_duration(target):.6f}")
        except VfnativeError as exc:
            log.warning("cannot probe %s: %s; its duration stays open", target, exc)
            return math.nan

    return probe

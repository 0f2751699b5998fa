"""Lenient loading: what the reference ignores, vfnative ignores too, with one warning per path.

The reference renderer reads the keys it knows and never looks at the rest: app metadata at the
top level, a `glowAmount` on a text layer, `width` on an image, a field a newer compiler adds. It
renders an easing name it does not know as linear (ease-in-out for colours, spec 01 §3.3) and
instantiates a layer of unknown `type` as a bare base layer that draws nothing (spec 01 §1.4).

`relax(data)` makes the same decisions on the parsed JSON before validation:

* unknown keys are removed (document, track, layer, settings, caption, properties, animation,
  keyframe, transition, effect), each reported once with its path;
* an animation of a property the layer type does not have is dropped (the reference skips it);
* a layer of unknown type is dropped (with its children);
* unknown easing names stay in place (the timeline renders them as the reference does) and are
  reported; `Easing` validators let them through when validation runs with `LENIENT_CONTEXT`.

Dropped list items shift the indices after them; `Relaxed.original_loc` maps a location in the
relaxed data back to the document's own, so validation errors still name the author's path.

Strict mode skips this pass: every case above is then the `DocumentError` issue of the same path.
What stays an error in both modes is a value of the wrong type for a known field or property.

Imports `model.animation`, `model.layers`, `model.document` and `errors`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from vfnative.errors import DocumentIssue, format_docpath
from vfnative.model.animation import (
    KNOWN_EASINGS,
    LENIENT_CONTEXT,
    Animation,
    EffectSpec,
    Keyframe,
    Loc,
    TransitionSpec,
    describe_value,
)
from vfnative.model.document import Track, VideoJSON
from vfnative.model.layers import (
    LAYER_CLASSES,
    LAYER_TYPES,
    CaptionEntry,
    parse_effect_path,
    unknown_property,
)
from vfnative.model.properties import property_table

__all__ = ["LENIENT_CONTEXT", "MAX_REPORTED", "Leniency", "Relaxed", "relax"]

MAX_REPORTED = 100
"""Warnings listed one by one; past this many, one more line counts the rest (a template with a
stray key in each of 10 000 keyframes should not print 10 000 lines)."""

IGNORED = "ignored, as the reference ignores it"
SKIPPED_LAYER = "the layer is skipped, as the reference skips it"
SKIPPED_ANIMATION = "the animation is skipped, as the reference skips it"
LINEAR = "rendered as linear (ease-in-out for colours), as the reference does"


@dataclass(frozen=True)
class Leniency:
    """One thing the reference tolerates: where, what (the strict-mode message) and what is done instead."""

    loc: Loc
    problem: str
    outcome: str

    @property
    def path(self) -> str:
        return format_docpath(self.loc)

    def warning(self) -> str:
        """`layers[0].properties.glowAmount: unknown property for a text layer; ignored, as ...`"""
        return f"{self.path}: {self.problem}; {self.outcome}"

    def issue(self) -> DocumentIssue:
        """The strict-mode `DocumentError` issue for the same path."""
        return DocumentIssue(self.path, self.problem)


@dataclass
class Relaxed:
    """The relaxed JSON data, what was tolerated on the way, and how to map locations back."""

    data: dict[str, Any]
    tolerated: list[Leniency] = field(default_factory=list)
    kept: dict[Loc, list[int]] = field(default_factory=dict)
    """For each list that lost items (keyed by its location in the relaxed data): the original
    index of every kept item."""

    def original_loc(self, loc: Iterable[str | int]) -> Loc:
        """A location in the relaxed data as a location in the document as written."""
        new_prefix: list[str | int] = []
        out: list[str | int] = []
        for part in loc:
            if isinstance(part, int):
                kept = self.kept.get(tuple(new_prefix))
                out.append(kept[part] if kept is not None and 0 <= part < len(kept) else part)
            else:
                out.append(part)
            new_prefix.append(part)
        return tuple(out)

    def warnings(self) -> tuple[str, ...]:
        """One line per tolerated path (at most `MAX_REPORTED`, then a count of the rest)."""
        lines = [t.warning() for t in self.tolerated[:MAX_REPORTED]]
        rest = len(self.tolerated) - MAX_REPORTED
        if rest > 0:
            lines.append(
                f"<document>: {rest} more unknown keys, easings or layer types ignored "
                "(--strict lists every one)"
            )
        return tuple(lines)


def _keys(model: type[BaseModel]) -> frozenset[str]:
    """The JSON keys a model accepts: its camelCase aliases and (populate_by_name) its field names."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
    return frozenset(names)


_ROOT_KEYS = _keys(VideoJSON)
_TRACK_KEYS = _keys(Track)
_ANIMATION_KEYS = _keys(Animation)
_KEYFRAME_KEYS = _keys(Keyframe)
_TRANSITION_KEYS = _keys(TransitionSpec)
_EFFECT_KEYS = _keys(EffectSpec)
_CAPTION_KEYS = _keys(CaptionEntry)
_LAYER_KEYS = {kind: _keys(cls) for kind, cls in LAYER_CLASSES.items()}
_SETTINGS_KEYS = {
    kind: _keys(cls.model_fields["settings"].annotation)  # type: ignore[arg-type]
    for kind, cls in LAYER_CLASSES.items()
}


def _unknown_field(key: str, valid: Iterable[str]) -> str:
    """`unknown field`, with the closest valid key when there is one (as the strict message has)."""
    camel = sorted(k for k in valid if "_" not in k)
    close = difflib.get_close_matches(key, camel, n=1, cutoff=0.6)
    return f"unknown field (did you mean '{close[0]}'?)" if close else "unknown field"


def relax(data: Mapping[str, Any]) -> Relaxed:
    """Remove what the reference ignores from parsed VideoJSON (a new structure; `data` is not changed).

    Anything that is not shaped as expected (a list where an object belongs, a layer without a
    string `type`) is left alone for validation to report.
    """
    walker = _Walker()
    root = walker.obj(data, (), _ROOT_KEYS)
    layers = root.get("layers")
    if isinstance(layers, list):
        root["layers"] = walker.layers(layers, ("layers",), ("layers",))
    tracks = root.get("tracks")
    if isinstance(tracks, list):
        root["tracks"] = [
            walker.obj(t, ("tracks", i), _TRACK_KEYS) if isinstance(t, dict) else t
            for i, t in enumerate(tracks)
        ]
    return Relaxed(root, walker.tolerated, walker.kept)


class _Walker:
    def __init__(self) -> None:
        self.tolerated: list[Leniency] = []
        self.kept: dict[Loc, list[int]] = {}

    def note(self, loc: Loc, problem: str, outcome: str = IGNORED) -> None:
        self.tolerated.append(Leniency(loc, problem, outcome))

    def obj(self, value: Mapping[str, Any], loc: Loc, valid: frozenset[str]) -> dict[str, Any]:
        """A copy of `value` without the keys not in `valid` (each one noted)."""
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in valid:
                out[key] = item
            else:
                self.note((*loc, key), _unknown_field(str(key), valid))
        return out

    def easing(self, container: Mapping[str, Any], loc: Loc) -> None:
        name = container.get("easing")
        if isinstance(name, str) and name not in KNOWN_EASINGS:
            close = difflib.get_close_matches(name, sorted(KNOWN_EASINGS), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.note((*loc, "easing"), f"unknown easing {describe_value(name)}{hint}", LINEAR)

    def layers(self, items: list[Any], loc: Loc, new_loc: Loc) -> list[Any]:
        out: list[Any] = []
        kept: list[int] = []
        for i, item in enumerate(items):
            kind = item.get("type") if isinstance(item, dict) else None
            if isinstance(kind, str) and kind not in LAYER_TYPES:
                self.note((*loc, i, "type"), f"unknown layer type {describe_value(kind)}", SKIPPED_LAYER)
                continue
            if isinstance(kind, str):
                item = self.layer(item, kind, (*loc, i), (*new_loc, len(out)))
            out.append(item)
            kept.append(i)
        if len(out) != len(items):
            self.kept[new_loc] = kept
        return out

    def layer(self, value: dict[str, Any], kind: str, loc: Loc, new_loc: Loc) -> dict[str, Any]:
        layer = self.obj(value, loc, _LAYER_KEYS[kind])
        settings = layer.get("settings")
        if isinstance(settings, dict):
            settings = layer["settings"] = self.obj(settings, (*loc, "settings"), _SETTINGS_KEYS[kind])
            captions = settings.get("captions")
            if isinstance(captions, list):
                settings["captions"] = [
                    self.obj(c, (*loc, "settings", "captions", i), _CAPTION_KEYS)
                    if isinstance(c, dict)
                    else c
                    for i, c in enumerate(captions)
                ]
        properties = layer.get("properties")
        if isinstance(properties, dict):
            table = property_table(kind)
            layer["properties"] = {}
            for key, item in properties.items():
                if key in table or parse_effect_path(key) is not None:
                    layer["properties"][key] = item
                else:
                    self.note((*loc, "properties", key), unknown_property(kind, key))
        animations = layer.get("animations")
        if isinstance(animations, list):
            layer["animations"] = self.animations(
                animations, kind, (*loc, "animations"), (*new_loc, "animations")
            )
        for edge in ("transitionIn", "transitionOut", "transition_in", "transition_out"):
            spec = layer.get(edge)
            if isinstance(spec, dict):
                layer[edge] = self.obj(spec, (*loc, edge), _TRANSITION_KEYS)
                self.easing(layer[edge], (*loc, edge))
        effects = layer.get("effects")
        if isinstance(effects, list):
            layer["effects"] = [
                self.obj(e, (*loc, "effects", i), _EFFECT_KEYS) if isinstance(e, dict) else e
                for i, e in enumerate(effects)
            ]
        children = layer.get("children")
        if isinstance(children, list):
            layer["children"] = self.layers(children, (*loc, "children"), (*new_loc, "children"))
        return layer

    def animations(self, items: list[Any], kind: str, loc: Loc, new_loc: Loc) -> list[Any]:
        table = property_table(kind)
        out: list[Any] = []
        kept: list[int] = []
        for j, item in enumerate(items):
            if isinstance(item, dict):
                name = item.get("property")
                if isinstance(name, str) and name not in table and parse_effect_path(name) is None:
                    self.note(
                        (*loc, j, "property"), unknown_property(kind, name, quoted=True), SKIPPED_ANIMATION
                    )
                    continue
                item = self.obj(item, (*loc, j), _ANIMATION_KEYS)
                self.easing(item, (*loc, j))
                keyframes = item.get("keyframes")
                if isinstance(keyframes, list):
                    item["keyframes"] = [
                        self.keyframe(k, (*loc, j, "keyframes", i)) for i, k in enumerate(keyframes)
                    ]
            out.append(item)
            kept.append(j)
        if len(out) != len(items):
            self.kept[new_loc] = kept
        return out

    def keyframe(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, dict):
            return value
        keyframe = self.obj(value, loc, _KEYFRAME_KEYS)
        self.easing(keyframe, loc)
        return keyframe

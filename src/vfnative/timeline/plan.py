"""The Timeline: frame count, each layer's window and clock, paint order (spec 01 §2, §5, §6).

Built once per document; everything per-frame reads it. Imports model and timecode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vfnative.model.properties import RENDERABLE_TYPES, PropDef, property_table
from vfnative.timeline.timecode import LayerClock, frame_count
from vfnative.timeline.values import EmContext

if TYPE_CHECKING:
    from vfnative.model.document import VideoJSON
    from vfnative.model.layers import Layer

__all__ = ["LayerPlan", "Timeline", "build_timeline", "sort_by_track"]


def sort_by_track(layers: list[Layer]) -> list[tuple[int, Layer]]:
    """Paint order: layers without `track` first (array order), then by ascending track (stable).

    Returns (original index, layer) pairs so paths keep naming the document position.
    """
    indexed = list(enumerate(layers))
    untracked = [(i, layer) for i, layer in indexed if layer.track is None]
    tracked = [(i, layer) for i, layer in indexed if layer.track is not None]
    tracked.sort(key=lambda pair: pair[1].track)  # type: ignore[arg-type, return-value]
    return untracked + tracked


@dataclass(eq=False)
class LayerPlan:
    """One layer's static plan: clock, enablement, definitions, children in paint order."""

    layer: Layer
    path: str
    index: int
    """Position in `Timeline.all_layers` (parents before children)."""
    parent: int
    """Index of the enclosing group's plan, -1 at top level."""
    clock: LayerClock
    enabled: bool
    """settings.enabled truthy and, at top level, its track not disabled."""
    definitions: dict[str, PropDef]
    children: list[LayerPlan] = field(default_factory=list)

    @property
    def type(self) -> str:
        return str(self.layer.type)

    @property
    def visual(self) -> bool:
        return self.type in RENDERABLE_TYPES

    @property
    def is_text(self) -> bool:
        return self.type in ("text", "captions")

    def __repr__(self) -> str:
        return (
            f"<LayerPlan {self.path} {self.type} frames=[{self.clock.start_frame}, {self.clock.end_frame})>"
        )


@dataclass(eq=False)
class Timeline:
    """Everything about a document's time that does not change per frame."""

    doc: VideoJSON
    fps: float
    width: int
    height: int
    frame_count: int
    roots: list[LayerPlan]
    """Top-level layers in paint order (bottom first)."""
    all_layers: list[LayerPlan]
    """Every layer, depth first, parents before their children."""
    warnings: list[str] = field(default_factory=list)
    """Problems found while planning that the reference tolerates (unknown transitions...)."""
    cache: dict[str, Any] = field(default_factory=dict)
    """Per-timeline derived data (e.g. the batch layout), built on first use."""

    @property
    def root_em(self) -> float:
        return self.width / 100.0

    @property
    def shape_unit(self) -> float:
        return min(self.width, self.height) / 100.0

    def em_context(self, em: float | None = None) -> EmContext:
        root = self.root_em
        return EmContext(root_em=root, shape_unit=self.shape_unit, em=root if em is None else em)

    def __repr__(self) -> str:
        return (
            f"<Timeline {self.width}x{self.height}@{self.fps:g} frames={self.frame_count} "
            f"layers={len(self.all_layers)}>"
        )


def _enabled_top(layer: Layer, doc: VideoJSON) -> bool:
    if not layer.settings.enabled:
        return False
    tracks = doc.tracks or []
    if layer.track is not None and 0 <= layer.track < len(tracks):
        return tracks[layer.track].enabled is not False
    return True


_EFFECT_PATH = re.compile(r"^effects\.[A-Za-z_][\w-]*(\[\d+\])?\.[A-Za-z_]\w*$")


def _effect_path_def(name: str, sample: Any) -> PropDef:
    """A definition for an animated effect parameter (spec 01 §3.7: no unit handling).

    Numbers and number arrays interpolate, colour strings interpolate as colours, anything else
    (booleans, option strings) is held step-wise — the reference would produce NaN between such
    keyframes, and is only well defined at the keyframes themselves.
    """
    from vfnative.model.color import is_color_like

    if isinstance(sample, bool) or not isinstance(sample, int | float | list | str):
        return PropDef(name, None, "enum", animatable=False)
    if isinstance(sample, str):
        if is_color_like(sample):
            return PropDef(name, None, "color")
        return PropDef(name, None, "enum", animatable=False)
    if isinstance(sample, list) and not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in sample
    ):
        return PropDef(name, None, "enum", animatable=False)
    return PropDef(name, None, "vector")


def _definitions(layer: Layer) -> dict[str, PropDef]:
    """The type's property table plus one definition per *animated* effect parameter path."""
    table = property_table(str(layer.type))
    extra = {
        anim.property: _effect_path_def(anim.property, anim.keyframes[0].value)
        for anim in layer.animations
        if anim.keyframes and _EFFECT_PATH.match(anim.property)
    }
    return {**table, **extra} if extra else table


def _check_layer(lp: LayerPlan, warnings: list[str]) -> None:
    """Warn about what the reference skips silently, naming the layer."""
    from vfnative.timeline.transitions import KNOWN_TRANSITIONS, NOT_YET

    for key in ("transition_in", "transition_out"):
        spec = getattr(lp.layer, key)
        if spec is None:
            continue
        name = spec.transition
        where = f"{lp.path}.{'transitionIn' if key == 'transition_in' else 'transitionOut'}"
        if name in NOT_YET:
            warnings.append(
                f"{where}: transition '{name}' is not implemented yet; the layer shows without it"
            )
        elif name not in KNOWN_TRANSITIONS:
            warnings.append(f"{where}: unknown transition '{name}' is skipped (as the reference does)")


def build_timeline(doc: VideoJSON) -> Timeline:
    """Plan a validated document: windows, clocks, paint order, group nesting."""
    all_layers: list[LayerPlan] = []

    def plan(layers: list[Layer], prefix: str, parent: int) -> list[LayerPlan]:
        out: list[LayerPlan] = []
        for i, layer in sort_by_track(layers):
            s = layer.settings
            clock = LayerClock(
                start_time=float(s.start_time),
                source_duration=float(s.source_duration),
                source_start=float(s.source_start),
                speed=float(s.speed),
                fps=float(doc.fps),
            )
            enabled = _enabled_top(layer, doc) if parent < 0 else bool(s.enabled)
            lp = LayerPlan(
                layer=layer,
                path=f"{prefix}[{i}]",
                index=len(all_layers),
                parent=parent,
                clock=clock,
                enabled=enabled,
                definitions=_definitions(layer),
            )
            all_layers.append(lp)
            _check_layer(lp, warnings)
            children = getattr(layer, "children", None)
            if children:
                lp.children = plan(list(children), f"{lp.path}.children", lp.index)
            out.append(lp)
        return out

    warnings: list[str] = []
    roots = plan(list(doc.layers), "layers", -1)
    return Timeline(
        doc=doc,
        fps=float(doc.fps),
        width=int(doc.width),
        height=int(doc.height),
        frame_count=frame_count(float(doc.duration), float(doc.fps)),
        roots=roots,
        all_layers=all_layers,
        warnings=warnings,
    )

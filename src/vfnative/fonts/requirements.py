"""The font settings a document uses: every (family, weight, style) its text can be drawn with.

What `vfnative fonts check` lists and `--fetch-fonts` downloads. Walks text and captions layers,
inside groups too, and reads each one's ``fontFamily``, ``fontStyle`` and every ``fontWeight`` it
can take: the static value and each keyframe value (an animated weight passes through the values
between them, which a variable face draws and a static family snaps from). Text transitions
animate opacity, position and clipping, never the font, so a layer's own properties are the whole
story. Imports `model` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from vfnative.model.document import VideoJSON

__all__ = ["FontRequirement", "font_requirements"]

_DEFAULT_FAMILY = "Noto Sans"
_DEFAULT_WEIGHT = 600.0
"""The reference's default `fontWeight` (spec 01, text properties)."""
_WEIGHT_KEYWORDS = {"normal": 400.0, "bold": 700.0, "lighter": 100.0, "bolder": 900.0}
_TEXT_TYPES = frozenset({"text", "captions"})


@dataclass(frozen=True)
class FontRequirement:
    """One family in one style, with the weights the document asks of it and where."""

    family: str
    style: str
    weights: tuple[float, ...]
    """Distinct weights, ascending: static values and keyframe values."""
    animated: bool
    """True when a layer animates `fontWeight` between these weights (a variable face interpolates)."""
    layers: tuple[str, ...] = field(default=())
    """Ids of the layers that use it, in document order."""


def _weight(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _WEIGHT_KEYWORDS:
            return _WEIGHT_KEYWORDS[text]
        try:
            return float(text)
        except ValueError:
            return None
    return None


def _family(props: Mapping[str, Any]) -> str:
    raw = props.get("fontFamily")
    name = str(raw).strip().strip("\"'").strip() if raw is not None else ""
    return name or _DEFAULT_FAMILY


def _text_layers(layers: Iterable[Any]) -> Iterator[Any]:
    for layer in layers:
        if getattr(layer, "type", None) in _TEXT_TYPES:
            yield layer
        yield from _text_layers(getattr(layer, "children", None) or ())


def font_requirements(doc: VideoJSON) -> list[FontRequirement]:
    """Every (family, style) the document's text uses, with its weights, in first-use order."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for layer in _text_layers(doc.layers):
        props = layer.properties or {}
        family = _family(props)
        style = str(props.get("fontStyle") or "normal").strip().lower()
        style = "italic" if style in ("italic", "oblique") else "normal"
        weights: set[float] = set()
        static = _weight(props.get("fontWeight", _DEFAULT_WEIGHT))
        animated = False
        for animation in layer.animations or ():
            if animation.property != "fontWeight":
                continue
            values = {w for w in (_weight(k.value) for k in animation.keyframes) if w is not None}
            weights |= values
            animated = animated or len(values) > 1
        if static is not None and (not weights or "fontWeight" in props):
            weights.add(static)
        key = (family.casefold(), style)
        entry = found.setdefault(key, {"family": family, "weights": set(), "animated": False, "layers": []})
        entry["weights"] |= weights or {_DEFAULT_WEIGHT}
        entry["animated"] = entry["animated"] or animated
        entry["layers"].append(str(layer.id))
    return [
        FontRequirement(
            family=e["family"],
            style=style,
            weights=tuple(sorted(e["weights"])),
            animated=bool(e["animated"]),
            layers=tuple(e["layers"]),
        )
        for (_key, style), e in found.items()
    ]

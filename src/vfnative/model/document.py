"""The VideoJSON root: output size, frame rate, duration, background colour and the layer tree.

Validated once (see `model.load`); later stages read these frozen models and never re-parse JSON.
Imports pydantic and `model.*` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, field_validator
from pydantic_core import PydanticCustomError

from vfnative.errors import DocumentIssue
from vfnative.model.animation import DocModel, JsonInt, describe_value
from vfnative.model.color import parse_color
from vfnative.model.layers import GroupLayer, Layer

__all__ = ["Track", "VideoJSON"]

PositiveInt = Annotated[JsonInt, Field(gt=0)]


class Track(DocModel):
    """Editor row metadata, indexed by `LayerJSON.track`; only `enabled: false` affects rendering."""

    name: str | None = None
    enabled: bool = True


class VideoJSON(DocModel):
    """A compiled VideoFlow project (spec 01 §1.1).

    `base_dir` is not part of the JSON: `model.load` records the folder that relative media
    sources resolve against (the document's folder, or the working directory for JSON text).
    """

    name: str | None = None
    duration: float = Field(gt=0)
    width: PositiveInt
    height: PositiveInt
    fps: float = Field(gt=0)
    background_color: str = "#000000"
    layers: list[Layer]
    tracks: list[Track] | None = None

    _base_dir: Path | None = PrivateAttr(default=None)
    _warnings: tuple[str, ...] = PrivateAttr(default=())
    _tolerated: tuple[DocumentIssue, ...] = PrivateAttr(default=())

    @field_validator("background_color")
    @classmethod
    def _check_background(cls, value: str) -> str:
        """Empty means black (the reference's fallback); anything else must be a CSS colour."""
        if value.strip() and parse_color(value) is None:
            raise PydanticCustomError(
                "color",
                "expected a CSS colour (#rrggbb, rgb(), hsl(), hwb(), lab(), lch(), oklab(), oklch(), color() or a colour name); got {got}",
                {"got": describe_value(value)},
            )
        return value

    @property
    def base_dir(self) -> Path | None:
        """The folder relative `source` paths resolve against; None if the document was built in code."""
        return self._base_dir

    @property
    def warnings(self) -> tuple[str, ...]:
        """What lenient loading ignored, as the reference ignores it: one line per path
        (`layers[0].properties.glowAmount: unknown property for a text layer; ignored, ...`)."""
        return self._warnings

    @property
    def tolerated(self) -> tuple[DocumentIssue, ...]:
        """The same as `DocumentError` issues: what `strict=True` refuses, with the same paths."""
        return self._tolerated

    def to_dict(self) -> dict[str, Any]:
        """The document as JSON-ready data, camelCase keys, only the fields the input had."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def to_json(self, *, indent: int | None = None) -> str:
        """The document as JSON text (camelCase keys, only the fields the input had)."""
        return self.model_dump_json(by_alias=True, exclude_unset=True, indent=indent)

    def walk_layers(self) -> Iterator[tuple[str, Layer]]:
        """Every layer, depth first in document order, with its DocPath (`layers[1].children[0]`)."""
        stack: list[tuple[str, Layer]] = [(f"layers[{i}]", layer) for i, layer in enumerate(self.layers)]
        stack.reverse()
        while stack:
            path, layer = stack.pop()
            yield path, layer
            if isinstance(layer, GroupLayer):
                children = [(f"{path}.children[{i}]", child) for i, child in enumerate(layer.children)]
                stack.extend(reversed(children))

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return (
            f"<VideoJSON{name} {self.width}x{self.height}@{self.fps:g} "
            f"{self.duration:g}s layers={len(self.layers)}>"
        )

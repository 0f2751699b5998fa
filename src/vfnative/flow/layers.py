"""Layer handles returned by `VideoFlow.add_*`: record `set`, `animate`, `remove` on the flow.

A handle holds no timing. Like the core's layer objects, each call appends an action at the
current flow position, and `VideoFlow.compile()` resolves it later; methods return the handle so
calls chain (`title.fade_in().wait ...` is not a thing, but `title.set(...).animate(...)` is).

`set` and `animate` are re-declared on each layer class with that type's TypedDict, so an editor
completes exactly the properties the layer has; the runtime check (`normalize_properties`) is
shared and raises `TypeError` for a name the layer type does not have, with the closest match.

Imports `flow.actions`, `flow.params`, `flow.timeparse`, `model.properties` and `errors`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType, TracebackType
from typing import Any, ClassVar, Protocol, Self

from typing_extensions import Unpack

from vfnative.errors import DocumentError
from vfnative.flow.actions import Action, Animate, Group, Remove, Set
from vfnative.flow.params import (
    AudioProperties,
    CaptionsProperties,
    Easing,
    GroupProperties,
    ImageProperties,
    ShapeProperties,
    TextProperties,
    VideoProperties,
)
from vfnative.flow.timeparse import Time
from vfnative.model.properties import property_table


class FlowRecorder(Protocol):
    """What a layer handle needs from the flow that made it (`VideoFlow` is one).

    A protocol instead of an import of `flow.builder`, which imports this module: handles only
    record actions, they never build documents.
    """

    @property
    def _push_count(self) -> int: ...

    def _push(self, action: Action) -> None: ...

    def _enter_branch(self, actions: list[Action]) -> None: ...

    def _leave_branch(self, actions: list[Action]) -> None: ...


__all__ = [
    "AudioLayer",
    "CaptionsLayer",
    "GroupLayer",
    "ImageLayer",
    "Layer",
    "ShapeLayer",
    "TextLayer",
    "VideoLayer",
    "LAYER_CLASSES",
    "camel_case",
    "is_effect_path",
    "json_ready",
    "normalize_properties",
    "snake_case",
]

_EFFECT_PATH = re.compile(r"effects\.[A-Za-z_][\w-]*(?:\[\d+\])?\.[A-Za-z_]\w*", re.ASCII)


def is_effect_path(key: str) -> bool:
    """`effects.<name>.<param>` or `effects.<name>[<k>].<param>`: an effect parameter, animatable by name."""
    return _EFFECT_PATH.fullmatch(key) is not None


def camel_case(key: str) -> str:
    """`font_size` -> `fontSize`; camelCase names and effect paths pass through unchanged."""
    if "_" not in key or "." in key:
        return key
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_case(key: str) -> str:
    """`fontSize` -> `font_size` (for messages: Python callers think in snake_case)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def json_ready(value: Any) -> Any:
    """A deep copy as JSON data: tuples become lists, mappings dicts.

    Copying at call time means mutating a list after passing it changes nothing; the core keeps
    the caller's object, a surprise nobody relies on.
    """
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    return value


def unknown_name(where: str, key: str, candidates: list[str]) -> TypeError:
    """The TypeError Python raises for a bad keyword, plus the closest valid name."""
    names = sorted({snake_case(c) for c in candidates})
    close = difflib.get_close_matches(snake_case(key), names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return TypeError(f"{where}() got an unexpected keyword argument {key!r}{hint}")


def normalize_properties(layer_type: str, where: str, *sources: Mapping[str, Any] | None) -> dict[str, Any]:
    """Property values keyed by their VideoJSON names, for `set`/`animate` (no settings here).

    None means "not given" and is dropped. Effect paths (`effects.blur.radius`) pass through.
    """
    table = property_table(layer_type)
    out: dict[str, Any] = {}
    for source in sources:
        for key, value in (source or {}).items():
            if value is None:
                continue
            name = camel_case(key)
            if name not in table and not is_effect_path(name):
                raise unknown_name(where, key, list(table))
            out[name] = json_ready(value)
    return out


class Layer:
    """A layer on the flow. Subclasses narrow `set`/`animate` to their own properties."""

    layer_type: ClassVar[str] = ""
    """The VideoJSON `type` of this layer class."""

    def __init__(
        self, flow: FlowRecorder, layer_id: str, properties: dict[str, Any], settings: dict[str, Any]
    ) -> None:
        self._flow = flow
        self.id = layer_id
        self.properties: Mapping[str, Any] = MappingProxyType(properties)
        """The properties given at creation (camelCase, as in the JSON)."""
        self.settings: Mapping[str, Any] = MappingProxyType(settings)
        """The settings given at creation (camelCase, as in the JSON)."""
        self._removed = False

    def __repr__(self) -> str:
        label = self.settings.get("name") or self.properties.get("text") or self.settings.get("source")
        shown = f" {label!r}" if label else ""
        return f"<{type(self).__name__}{shown} id={self.id}>"

    # -- the generic implementations (subclasses add typed signatures) --------------------------

    def _set(self, values: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> Self:
        props = normalize_properties(self.layer_type, "set", values, kwargs)
        self._flow._push(Set(self.id, props))
        return self

    def _animate(
        self,
        start: Mapping[str, Any],
        end: Mapping[str, Any],
        duration: Time,
        easing: str | None,
        delay: Time,
        wait: bool,
    ) -> Self:
        action = Animate(
            self.id,
            normalize_properties(self.layer_type, "animate", start),
            normalize_properties(self.layer_type, "animate", end),
            duration=duration,
            easing=easing,
            wait=wait,
            delay=delay,
        )
        self._flow._push(action)
        return self

    # -- shared by every layer type --------------------------------------------------------------

    def set(self, values: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Self:
        """Set properties at the current flow position (step keyframes: they hold until changed).

        Keyword names are snake_case (`font_size=5`); a dict may use camelCase or effect paths
        (`{"effects.pixelate.size": 8}`).
        """
        return self._set(values, kwargs)

    def animate(
        self,
        start: Mapping[str, Any],
        end: Mapping[str, Any],
        /,
        *,
        duration: Time = "0.25s",
        easing: Easing | str | None = None,
        delay: Time = 0,
        wait: bool = True,
    ) -> Self:
        """Animate from `start` to `end` values, beginning at the flow position.

        A property missing from `start` starts from its value at that moment (or its default);
        missing from `end`, it keeps its start value. `easing` defaults to the project's
        (`easeInOut`). With `wait=True` the flow pointer moves to the end of the animation.
        `delay` (not in the core) starts it that much later without moving the pointer first;
        the JSON equals `wait(delay)` + `animate` inside a `parallel` branch.
        """
        return self._animate(start, end, duration, easing, delay, wait)

    def fade_in(
        self, duration: Time = "300ms", easing: Easing | str | None = None, wait: bool = True
    ) -> Self:
        """Animate opacity 0 -> 1 (and make the layer visible), like the core's `fadeIn`."""
        return self._animate({"opacity": 0, "visible": True}, {"opacity": 1}, duration, easing, 0, wait)

    def fade_out(
        self, duration: Time = "300ms", easing: Easing | str | None = None, wait: bool = True
    ) -> Self:
        """Animate opacity 1 -> 0 and hide the layer at the end, like the core's `fadeOut`."""
        return self._animate({"opacity": 1}, {"opacity": 0, "visible": False}, duration, easing, 0, wait)

    def show(self) -> Self:
        """Set `visible=True` at the flow position."""
        return self._set({"visible": True}, {})

    def hide(self) -> Self:
        """Set `visible=False` at the flow position."""
        return self._set({"visible": False}, {})

    def remove(self, after: Time = 0) -> Self:
        """End the layer at the flow position (or `after` later) without moving the pointer.

        Compiling fails if the layer already ended before that point; removing twice fails now.
        """
        if self._removed:
            raise DocumentError(f"{self!r} was already removed")
        self._removed = True
        self._flow._push(Remove(self.id, after))
        return self


class TextLayer(Layer):
    """A text box. `set`/`animate` accept `TextProperties`."""

    layer_type = "text"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: TextProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[TextProperties]
    ) -> Self:
        """Set text properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: TextProperties | Mapping[str, Any], end: TextProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate text properties; see `Layer.animate`."""
        return self._animate(start, end, duration, easing, delay, wait)


class CaptionsLayer(Layer):
    """Timed captions. `set`/`animate` accept `CaptionsProperties`."""

    layer_type = "captions"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self,
        values: CaptionsProperties | Mapping[str, Any] | None = None,
        /,
        **kwargs: Unpack[CaptionsProperties],
    ) -> Self:
        """Set captions properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: CaptionsProperties | Mapping[str, Any], end: CaptionsProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate captions properties; see `Layer.animate`."""
        return self._animate(start, end, duration, easing, delay, wait)


class ImageLayer(Layer):
    """A still image. `set`/`animate` accept `ImageProperties`."""

    layer_type = "image"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: ImageProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[ImageProperties]
    ) -> Self:
        """Set image properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: ImageProperties | Mapping[str, Any], end: ImageProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate image properties; see `Layer.animate`."""
        return self._animate(start, end, duration, easing, delay, wait)


class VideoLayer(Layer):
    """A video clip with its sound. `set`/`animate` accept `VideoProperties`."""

    layer_type = "video"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: VideoProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[VideoProperties]
    ) -> Self:
        """Set video properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: VideoProperties | Mapping[str, Any], end: VideoProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate video properties; see `Layer.animate`."""
        return self._animate(start, end, duration, easing, delay, wait)


class AudioLayer(Layer):
    """Sound only. `set`/`animate` accept `AudioProperties`.

    `fade_in`/`fade_out` raise: the core's versions animate opacity, which an audio layer does
    not have (its JSON would not validate, and the renderer would ignore it anyway).
    """

    layer_type = "audio"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: AudioProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[AudioProperties]
    ) -> Self:
        """Set audio properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: AudioProperties | Mapping[str, Any], end: AudioProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate audio properties; see `Layer.animate`. (Volume steps at keyframes when rendered.)"""
        return self._animate(start, end, duration, easing, delay, wait)

    def fade_in(
        self, duration: Time = "300ms", easing: Easing | str | None = None, wait: bool = True
    ) -> Self:
        """Not available: use `animate({"volume": 0}, {"volume": 1}, ...)`."""
        raise TypeError("fade_in() animates opacity, which an audio layer has not; animate 'volume' instead")

    def fade_out(
        self, duration: Time = "300ms", easing: Easing | str | None = None, wait: bool = True
    ) -> Self:
        """Not available: use `animate({"volume": 1}, {"volume": 0}, ...)`."""
        raise TypeError("fade_out() animates opacity, which an audio layer has not; animate 'volume' instead")

    def show(self) -> Self:
        """Not available: an audio layer has no `visible` property."""
        raise TypeError("show() sets 'visible', which an audio layer has not")

    def hide(self) -> Self:
        """Not available: an audio layer has no `visible` property."""
        raise TypeError("hide() sets 'visible', which an audio layer has not")


class ShapeLayer(Layer):
    """A rectangle, ellipse, polygon or star. `set`/`animate` accept `ShapeProperties`."""

    layer_type = "shape"

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: ShapeProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[ShapeProperties]
    ) -> Self:
        """Set shape properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: ShapeProperties | Mapping[str, Any], end: ShapeProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate shape properties; see `Layer.animate`."""
        return self._animate(start, end, duration, easing, delay, wait)


class GroupLayer(Layer):
    """Layers composited as one; also a context manager that collects its children.

    ``with vf.group(...) as g:`` puts every layer added in the block inside the group, on a clock
    that starts at 0 at the group's start. Enter it right away: the group already sits in the
    flow where `group()` was called.
    """

    layer_type = "group"

    def __init__(self, flow: FlowRecorder, layer_id: str, properties: dict[str, Any], settings: dict[str, Any],
                 action: Group) -> None:  # fmt: skip
        super().__init__(flow, layer_id, properties, settings)
        self._action = action
        self._entered = False
        self._created_at = flow._push_count
        """The flow's action count when the group was added: entering later would misplace children."""

    def set(  # type: ignore[override]  # narrowed per type for editors
        self, values: GroupProperties | Mapping[str, Any] | None = None, /, **kwargs: Unpack[GroupProperties]
    ) -> Self:
        """Set group properties at the flow position (step keyframes)."""
        return self._set(values, kwargs)

    def animate(
        self, start: GroupProperties | Mapping[str, Any], end: GroupProperties | Mapping[str, Any], /, *,
        duration: Time = "0.25s", easing: Easing | str | None = None, delay: Time = 0, wait: bool = True,
    ) -> Self:  # fmt: skip
        """Animate group properties; see `Layer.animate`.

        After a `with` block the flow pointer sits at the group's end, so an animation written
        there anchors at the group's start (the core's rule for a pointer outside the layer).
        """
        return self._animate(start, end, duration, easing, delay, wait)

    def __enter__(self) -> Self:
        if self._entered:
            raise DocumentError(f"{self!r} already has its children; build them in one block")
        if self._flow._push_count != self._created_at:
            raise DocumentError(
                f"enter {self!r} right after creating it (`with vf.group(...) as g:`): "
                "other actions were added to the flow in between"
            )
        self._entered = True
        self._flow._enter_branch(self._action.actions)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._flow._leave_branch(self._action.actions)

    def _build(self, fn: Callable[[GroupLayer], object]) -> None:
        """Run a children callback in the group (the core's `group(props, settings, fn)` form)."""
        with self:
            fn(self)


LAYER_CLASSES: dict[str, type[Layer]] = {
    cls.layer_type: cls
    for cls in (TextLayer, CaptionsLayer, ImageLayer, VideoLayer, AudioLayer, ShapeLayer, GroupLayer)
}

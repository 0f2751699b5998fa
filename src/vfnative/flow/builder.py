"""`VideoFlow`: build a video in Python with the @videoflow/core flow API, compile it to VideoJSON.

    vf = VideoFlow("Demo", width=1280, height=720, fps=30)
    title = vf.add_text("Hello!", font_size=9, font_weight=800)
    title.animate({"opacity": 0}, {"opacity": 1}, duration="0.8s")
    vf.wait("1.5s")
    title.fade_out()
    doc = vf.compile()                  # a validated vfnative.model.VideoJSON
    vf.render("demo.mp4")               # or vfnative.render(doc, "demo.mp4")

The builder only records a flow program (`flow.actions`): each call appends at the current
position, `wait` moves the position, `parallel` and `group` open branches. `compile()` replays it
(`flow.compiler`) into the same JSON the core writes for the same script, ids aside: ids are
random UUID4s, or reproducible ones with `seed=`.

Imports `flow.*`, `model` and `errors`; `api.render` only inside `render`/`render_frame`, the
conveniences that hand the compiled document to the renderer.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, overload

from typing_extensions import Unpack

from vfnative.errors import DocumentError
from vfnative.flow.actions import Action, AddLayer, Group, Parallel, Wait
from vfnative.flow.compiler import CompileOptions, MediaProber, compile_flow, default_prober, settings_keys
from vfnative.flow.layers import (
    AudioLayer,
    CaptionsLayer,
    GroupLayer,
    ImageLayer,
    Layer,
    ShapeLayer,
    TextLayer,
    VideoLayer,
    camel_case,
    is_effect_path,
    json_ready,
    unknown_name,
)
from vfnative.flow.params import (
    AudioOptions,
    Caption,
    CaptionsOptions,
    GroupOptions,
    ImageOptions,
    ProjectDefaults,
    ShapeOptions,
    ShapeType,
    TextOptions,
    VideoOptions,
    WaitFor,
)
from vfnative.flow.timeparse import Time
from vfnative.model import VideoJSON, load
from vfnative.model.properties import property_table

if TYPE_CHECKING:
    from vfnative.api.progress import ProgressCallback
    from vfnative.api.render import CancelLike, RenderReport
    from vfnative.settings import RenderSettings
    from vfnative.types import RGBA8

__all__ = ["ParallelBlock", "VideoFlow"]

L = TypeVar("L", bound=Layer)

_CAPTION_KEYS = {"start_time": "startTime", "end_time": "endTime"}


class _OutsideBranch(list[Action]):
    """The pointer inside `with vf.parallel()` but outside any `p.branch()`: nothing may go here."""


class ParallelBlock:
    """`with vf.parallel() as p:` — each `with p.branch():` block is one branch.

    Branches start at the same flow position; after the block the flow continues from the end of
    the longest one. Actions written in the block but outside a branch are refused.
    """

    def __init__(self, flow: VideoFlow) -> None:
        self._flow = flow
        self._action = Parallel([])
        self._guard = _OutsideBranch()

    def __enter__(self) -> Self:
        self._flow._push(self._action)
        self._flow._enter_branch(self._guard)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._flow._leave_branch(self._guard)

    @contextmanager
    def branch(self) -> Iterator[None]:
        """One branch: its actions run from the position where the parallel block started."""
        if self._flow._pointer is not self._guard:
            raise DocumentError("p.branch() belongs directly inside its `with vf.parallel() as p:` block")
        actions: list[Action] = []
        self._action.branches.append(actions)
        self._flow._enter_branch(actions)
        try:
            yield
        finally:
            self._flow._leave_branch(actions)


class VideoFlow:
    """A video project: size, frame rate and the flow of layers and animations.

    `defaults` holds the project easing (`{"easing": "easeOut"}`; default easeInOut). `seed` makes
    layer ids reproducible. `base_dir` is the folder relative media paths resolve against when
    probing durations and rendering (default: the working directory, as Node's ffprobe sees it).
    `probe` replaces the PyAV duration probe (`source -> seconds`, NaN when unknown).
    """

    def __init__(
        self,
        name: str = "Untitled Video",
        *,
        width: int = 1920,
        height: int = 1080,
        fps: float = 30,
        background_color: str = "#000000",
        defaults: ProjectDefaults | Mapping[str, Any] | None = None,
        seed: int | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        auto_detect_durations: bool = True,
        probe: MediaProber | None = None,
    ) -> None:
        self.name = name
        self.width = width
        self.height = height
        self.fps = fps
        self.background_color = background_color
        given = {camel_case(k): v for k, v in (defaults or {}).items() if v is not None}
        unknown = set(given) - {"easing", "fontFamily"}
        if unknown:
            raise unknown_name("VideoFlow", sorted(unknown)[0], ["easing", "fontFamily"])
        self.defaults: dict[str, Any] = {"easing": "easeInOut", "fontFamily": "Noto Sans", **given}
        """Project defaults, camelCase (as the core keeps them); only `easing` affects the output."""
        self.base_dir = Path(base_dir) if base_dir is not None else None
        self.auto_detect_durations = auto_detect_durations
        self.layers: list[Layer] = []
        """Every layer added, in call order."""
        self.flow: list[Action] = []
        """The recorded flow program (top level)."""
        self._probe = probe
        self._rng = random.Random(seed) if seed is not None else None
        self._pointer: list[Action] = self.flow
        self._stack: list[list[Action]] = []
        self._push_count = 0

    def __repr__(self) -> str:
        return (
            f"<VideoFlow {self.name!r} {self.width}x{self.height}@{self.fps:g} "
            f"layers={len(self.layers)} actions={self._push_count}>"
        )

    # ------------------------------------------------------------------ recording

    def _push(self, action: Action) -> None:
        if isinstance(self._pointer, _OutsideBranch):
            raise DocumentError(
                "inside `with vf.parallel() as p:`, put actions in a `with p.branch():` block"
            )
        self._pointer.append(action)
        self._push_count += 1

    def _enter_branch(self, actions: list[Action]) -> None:
        self._stack.append(self._pointer)
        self._pointer = actions

    def _leave_branch(self, actions: list[Action]) -> None:
        if self._pointer is not actions:  # pragma: no cover - context managers nest properly
            raise DocumentError("flow blocks were closed out of order")
        self._pointer = self._stack.pop()

    def _new_id(self) -> str:
        if self._rng is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    # ------------------------------------------------------------------ flow control

    def wait(self, duration: Time) -> Self:
        """Move the flow position forward (rounded to whole frames)."""
        self._push(Wait(duration))
        return self

    @overload
    def parallel(self) -> ParallelBlock: ...

    @overload
    def parallel(self, *branches: Callable[[], object] | Iterable[Callable[[], object]]) -> Self: ...

    def parallel(
        self, *branches: Callable[[], object] | Iterable[Callable[[], object]]
    ) -> Self | ParallelBlock:
        """Run branches side by side from the current position; continue after the longest.

        Either callables (`vf.parallel(lambda: a.fade_in(), lambda: b.fade_in())`, or one list of
        them, like the core) or, with no argument, a context manager::

            with vf.parallel() as p:
                with p.branch():
                    a.fade_in("600ms")
                with p.branch():
                    vf.wait("200ms")
                    b.fade_in("600ms")
        """
        if not branches:
            return ParallelBlock(self)
        functions: list[Callable[[], object]] = []
        for item in branches:
            functions.extend([item] if callable(item) else item)
        action = Parallel([])
        for fn in functions:
            actions: list[Action] = []
            action.branches.append(actions)
            self._enter_branch(actions)
            try:
                fn()
            finally:
                self._leave_branch(actions)
        self._push(action)
        return self

    # ------------------------------------------------------------------ layers

    def _split(
        self,
        layer_type: str,
        where: str,
        primary: Mapping[str, Any],
        properties: Mapping[str, Any] | None,
        settings: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Sort keyword arguments into properties and settings, keyed by their VideoJSON names."""
        table = property_table(layer_type)
        setting_names = settings_keys(layer_type)
        prop_names = [*table, *(("effects",) if layer_type != "audio" else ())]
        props: dict[str, Any] = {}
        sets: dict[str, Any] = {}

        def put(key: str, value: Any, *, allow_props: bool, allow_settings: bool) -> None:
            if value is None:
                return
            name = camel_case(key)
            if allow_settings and name in setting_names:
                target, value = sets, _setting_value(name, value, where)
            elif allow_props and (name in prop_names or is_effect_path(name)):
                target, value = props, json_ready(value)
            else:
                candidates = [
                    *(prop_names if allow_props else ()),
                    *(setting_names if allow_settings else ()),
                ]
                raise unknown_name(where, key, candidates)
            if name in target:
                raise TypeError(f"{where}() got multiple values for {key!r}")
            target[name] = value

        for key, value in primary.items():
            put(key, value, allow_props=True, allow_settings=True)
        for key, value in (properties or {}).items():
            put(key, value, allow_props=True, allow_settings=False)
        for key, value in (settings or {}).items():
            put(key, value, allow_props=False, allow_settings=True)
        for key, value in kwargs.items():
            put(key, value, allow_props=True, allow_settings=True)
        return props, sets

    def _add(
        self,
        cls: type[L],
        primary: Mapping[str, Any],
        properties: Mapping[str, Any] | None,
        settings: Mapping[str, Any] | None,
        kwargs: Mapping[str, Any],
        wait_for: WaitFor | None,
        index: int | None,
    ) -> L:
        props, sets = self._split(
            cls.layer_type, f"add_{cls.layer_type}", primary, properties, settings, kwargs
        )
        layer = cls(self, self._new_id(), props, sets)
        self.layers.append(layer)
        self._push(AddLayer(layer.id, cls.layer_type, sets, props, wait_for=wait_for, index=index or 0))
        return layer

    def add_text(
        self,
        text: str | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[TextOptions],
    ) -> TextLayer:
        """Add a text layer at the flow position.

        Keywords are text properties (`font_size=9`, `color="#fff"`, ...) and layer settings
        (`source_duration=2`, `start_time="1s"`, `transition_in=...`); `properties=`/`settings=`
        take dicts (camelCase welcome). `wait_for` moves the flow position afterwards: a time, or
        'finish' for the layer's end (no move by default). `index` orders layers back (lower) to
        front (higher); equal indexes keep call order. Without `source_duration` a text lasts
        until the project ends.
        """
        return self._add(TextLayer, {"text": text}, properties, settings, kwargs, wait_for, index)

    def add_captions(
        self,
        captions: Sequence[Caption | Mapping[str, Any] | tuple[str, float, float]] | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[CaptionsOptions],
    ) -> CaptionsLayer:
        """Add a captions layer: `captions` are `(text, start, end)` tuples or `Caption` dicts.

        Caption times are project seconds (group-local inside a group), not relative to the
        layer. Other keywords as for `add_text`.
        """
        return self._add(CaptionsLayer, {"captions": captions}, properties, settings, kwargs, wait_for, index)

    def add_image(
        self,
        source: str | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[ImageOptions],
    ) -> ImageLayer:
        """Add an image (path relative to `base_dir`, or URL). `fit` defaults to 'contain'.

        Without `source_duration` an image lasts until the project ends.
        """
        return self._add(ImageLayer, {"source": source}, properties, settings, kwargs, wait_for, index)

    def add_video(
        self,
        source: str | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[VideoOptions],
    ) -> VideoLayer:
        """Add a video clip. `fit` defaults to 'cover'.

        Its length is `source_duration`, else `media_duration - source_start - source_end`, else
        the probed file length (PyAV), else open-ended. `wait_for="finish"` waits for it.
        """
        return self._add(VideoLayer, {"source": source}, properties, settings, kwargs, wait_for, index)

    def add_audio(
        self,
        source: str | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[AudioOptions],
    ) -> AudioLayer:
        """Add a sound. Its length is found like a video's (see `add_video`)."""
        return self._add(AudioLayer, {"source": source}, properties, settings, kwargs, wait_for, index)

    def add_shape(
        self,
        shape_type: ShapeType | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[ShapeOptions],
    ) -> ShapeLayer:
        """Add a rectangle (default), ellipse, polygon or star; sizes in shape units (min(W, H)/100 px)."""
        return self._add(ShapeLayer, {"shapeType": shape_type}, properties, settings, kwargs, wait_for, index)

    def group(
        self,
        fn: Callable[[GroupLayer], object] | None = None,
        /,
        *,
        properties: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
        wait_for: WaitFor | None = None,
        index: int | None = None,
        **kwargs: Unpack[GroupOptions],
    ) -> GroupLayer:
        """Add a group; its children are the layers added in `fn(group)` or in a `with` block.

        Children run on the group's own clock (the flow position is 0 at the group's start). The
        group starts at the flow position and lasts until its last child ends (or
        `source_duration`); afterwards the flow position moves to its end (`wait_for` overrides:
        a time to move by instead). Both forms::

            with vf.group(position=[0.5, 0.4]) as card:
                vf.add_shape(width=60, height=30)
                vf.add_text("Hello")

            vf.group(lambda g: vf.add_text("Hello"), scale=1.2)
        """
        props, sets = self._split("group", "group", {}, properties, settings, kwargs)
        layer_id = self._new_id()
        action = Group(layer_id, sets, props, [], wait_for=wait_for, index=index or 0)
        self._push(action)
        layer = GroupLayer(self, layer_id, props, sets, action)
        self.layers.append(layer)
        if fn is not None:
            layer._build(fn)
        return layer

    # ------------------------------------------------------------------ output

    def _options(self) -> CompileOptions:
        return CompileOptions(
            name=self.name,
            width=self.width,
            height=self.height,
            fps=self.fps,
            background_color=self.background_color,
            easing=str(self.defaults.get("easing") or "easeInOut"),
            auto_detect_durations=self.auto_detect_durations,
            probe=self._probe or default_prober(self.base_dir),
        )

    def compile_dict(self) -> dict[str, Any]:
        """The VideoJSON as plain data (camelCase keys), exactly what the core's `compile()` returns.

        Not validated, so it also works for documents our model refuses (e.g. zero duration).
        """
        if self._stack:
            raise DocumentError("compile() was called inside a `with` block of this flow")
        return compile_flow(self.flow, self._options())

    def compile(self) -> VideoJSON:
        """Compile and validate: a `VideoJSON` whose media paths resolve against `base_dir`.

        Raises `DocumentError` listing every problem (unknown values, zero-length project, ...).
        """
        return load(self.compile_dict(), base_dir=self.base_dir)

    def render(
        self,
        output: str | os.PathLike[str],
        *,
        settings: RenderSettings | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: CancelLike | None = None,
        **options: Any,
    ) -> RenderReport:
        """Compile and render to an H.264 MP4: `vfnative.render(self.compile(), output, ...)`.

        Other keywords (`font_dirs`, `allow_network`, `allowed_roots`, `strict`, ...) go to
        `vfnative.render` unchanged; relative media resolve against this flow's `base_dir`.
        """
        from vfnative.api.oneshot import render

        return render(
            self.compile(), output, settings=settings, on_progress=on_progress, cancel=cancel, **options
        )

    def render_frame(self, n: int, *, settings: RenderSettings | None = None, **options: Any) -> RGBA8:
        """Compile and draw frame `n` as an (H, W, 4) uint8 array, straight alpha.

        Other keywords go to `vfnative.render_frame` unchanged.
        """
        from vfnative.api.oneshot import render_frame

        return render_frame(self.compile(), n, settings=settings, **options)


def _setting_value(name: str, value: Any, where: str) -> Any:
    """Settings in the shape the core's compiler reads: transitions as dicts, captions camelCase."""
    if name in ("transitionIn", "transitionOut"):
        if isinstance(value, str):
            return {"transition": value}
        if not isinstance(value, Mapping):
            raise TypeError(f"{where}(): {name} takes a preset name or a dict like {{'transition': 'fade'}}")
        return {camel_case(str(k)): json_ready(v) for k, v in value.items() if v is not None}
    if name == "captions":
        return [_caption(entry, where) for entry in value]
    return json_ready(value)


def _caption(entry: Any, where: str) -> dict[str, Any]:
    if isinstance(entry, Mapping):
        return {_CAPTION_KEYS.get(str(k), str(k)): json_ready(v) for k, v in entry.items()}
    if isinstance(entry, tuple | list) and len(entry) == 3:
        text, start, end = entry
        return {"caption": text, "startTime": start, "endTime": end}
    raise TypeError(f"{where}(): a caption is a dict or a (text, start_time, end_time) tuple; got {entry!r}")

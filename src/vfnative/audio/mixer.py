"""The offline audio mix: audio layers and the sound of video layers, at 48 kHz stereo float (spec 04 §1).

Same graph as the reference's Web Audio mixer (`renderMixedAudio`): one source → gain → stereo
panner chain per layer, summed into a ``ceil(duration · sr)``-sample stereo buffer; groups render
their children into a sub-mix that is then played like one source on the parent. Per layer, in
this order (spec 04 §1.5): static ``mute`` and speed 0 silence it; speed < 0 reverses the decoded
buffer; ``pitch`` (read once, at the layer's first frame) runs the granular shifter; the segment
``[sourceStart, sourceStart + sourceDuration]`` plays from ``startTime`` at rate ``|speed|``
(tape-style: speed 2 is an octave up); volume and pan are step automation, sampled per project
frame; the equal-power panner makes it stereo. Nothing is clipped here.

Reference quirks (spec 04 §1.12), and what this mixer does by default (``automation="intent"``):

* Q1/Q2 **fixed**: volume and pan always follow the full property resolution (static value,
  interpolated keyframes, transitions), sampled per frame. The reference reads them this way
  only for layers with a transition; without one it ignores a static volume/pan and plays
  keyframes as steps at keyframe times. ``automation="reference"`` reproduces that.
* Q3 **fixed**: a missing pan is 0 and a missing volume 1 (the reference gives a group with a
  transition pan = +1, hard right; ``"reference"`` reproduces it).
* Q4 **fixed**: a group's sub-mix lasts ``sourceStart + sourceDuration`` so a group with
  ``sourceStart > 0`` keeps its tail.
* Q5–Q7 **kept**: automation steps once per frame (no ramp), a mono source is −3 dB per channel
  at centre, pitch is static and so is ``mute``. Q8: ``audioSource`` is ignored.

Which layers sound: top-level layers need ``enabled`` truthy and an enabled track; group
children sound unless ``enabled`` is explicitly false (the reference's rule, spec 04 §1.3).
A layer whose media is missing or broken was disabled by `MediaLibrary.prepare`; a problem while
scheduling one layer is reported and that layer skipped, never the whole mix.

Imports timeline (plan, scalar resolution, transitions), media (decoded tracks), numpy.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt

from vfnative.audio.dsp import apply_pan, downmix_to_stereo, pitch_shift, play_segment, sample_at, step_values
from vfnative.errors import AssetError
from vfnative.model.properties import property_table
from vfnative.timeline.scalar import resolve_raw
from vfnative.timeline.transitions import apply_transitions

if TYPE_CHECKING:
    from vfnative.media.decode import AudioTrack
    from vfnative.timeline.plan import LayerPlan, Timeline
    from vfnative.timeline.resolve import Raw

__all__ = ["SAMPLE_RATE", "AudioProvider", "Automation", "has_audio", "mix"]

log = logging.getLogger(__name__)

SAMPLE_RATE = 48_000
"""The export mix rate (44.1 kHz fails the reference's WebCodecs encoder probe, so it uses 48 kHz)."""

Automation = Literal["intent", "reference"]
"""How volume/pan automation is read: the documented intent (default) or the reference's quirks."""

_AUDIBLE_TYPES = ("audio", "video")
_AUDIO_DEFS = {k: v for k, v in property_table("audio").items() if k in ("volume", "pan", "pitch")}
_CHANGE = 1e-4
"""A per-frame value closer than this to the last one scheduled is not scheduled (as the reference)."""


class AudioProvider(Protocol):
    """Where decoded audio comes from (a `MediaLibrary`)."""

    def audio(self, source: str) -> AudioTrack | None: ...


def _sounds(plan: LayerPlan, top: bool) -> bool:
    if top:
        return plan.enabled
    settings = plan.layer.settings
    return bool(settings.enabled) or "enabled" not in settings.model_fields_set


def has_audio(plan: LayerPlan, *, top: bool = True) -> bool:
    """Whether a layer, or a group's sounding descendants, can carry audio (by type, as the reference)."""
    if not _sounds(plan, top):
        return False
    if plan.type in _AUDIBLE_TYPES:
        return True
    return plan.type == "group" and any(has_audio(c, top=False) for c in plan.children)


def mix(
    timeline: Timeline,
    media: AudioProvider,
    *,
    sample_rate: int = SAMPLE_RATE,
    automation: Automation = "intent",
    on_warning: Callable[[str], None] | None = None,
) -> npt.NDArray[np.float32] | None:
    """Mix a planned document's audio: (2, ceil(duration · sample_rate)) float32, or None.

    None when the duration is not positive or no sounding layer can carry audio; then the MP4 gets
    no audio stream. If some layer can, the full-length buffer is returned even when every decode
    fails (silence), as the reference does.
    """
    if automation not in ("intent", "reference"):
        raise ValueError(f"automation: expected 'intent' or 'reference'; got {automation!r}")
    duration = float(timeline.doc.duration)
    if not duration > 0:
        return None
    roots = [p for p in timeline.roots if has_audio(p)]
    if not roots:
        return None
    mixer = _Mixer(timeline, media, sample_rate, automation, on_warning)
    out = np.zeros((2, math.ceil(duration * sample_rate - 1e-6)), np.float32)
    for plan in roots:
        mixer.schedule(plan, out)
    return out


class _Mixer:
    def __init__(
        self,
        timeline: Timeline,
        media: AudioProvider,
        sample_rate: int,
        automation: Automation,
        on_warning: Callable[[str], None] | None,
    ) -> None:
        self.timeline = timeline
        self.media = media
        self.sr = sample_rate
        self.automation = automation
        self._warn_to = on_warning
        self._audio_plans: dict[int, LayerPlan] = {}

    def _warn(self, message: str) -> None:
        if self._warn_to is not None:
            self._warn_to(message)
        else:
            log.warning("%s", message)

    # ------------------------------------------------------------------ sources

    def schedule(self, plan: LayerPlan, out: npt.NDArray[np.float32]) -> None:
        """Add one layer's processed sound into `out` (its context); errors skip the layer."""
        try:
            source = self._source(plan)
            if source is not None:
                self._place(plan, source, out)
        except AssetError as exc:
            self._warn(f"{plan.path}: audio skipped: {exc}")
        except Exception as exc:  # noqa: BLE001 - one layer never aborts the mix (spec 04 §1.3)
            log.debug("audio scheduling failed", exc_info=True)
            self._warn(f"{plan.path}: audio skipped: {type(exc).__name__}: {exc}")

    def _source(self, plan: LayerPlan) -> npt.NDArray[np.float32] | None:
        if plan.type == "group":
            return self._submix(plan)
        source = getattr(plan.layer.settings, "source", None)
        if not source:
            return None
        track = self.media.audio(str(source))
        if track is None:
            return None  # a video without an audio stream: silent, as in the reference
        return track.samples

    def _submix(self, plan: LayerPlan) -> npt.NDArray[np.float32] | None:
        clock = plan.clock
        if clock.source_duration <= 0:
            return None
        children = [c for c in plan.children if has_audio(c, top=False)]
        if not children:
            return None
        # Q4 fixed: long enough for the part the group plays, [sourceStart, sourceStart + sourceDuration]
        length = math.ceil((max(0.0, clock.source_start) + clock.source_duration) * self.sr - 1e-6)
        sub = np.zeros((2, max(0, length)), np.float32)
        for child in children:
            self.schedule(child, sub)
        return sub

    # ------------------------------------------------------------------ one layer

    def _place(self, plan: LayerPlan, source: npt.NDArray[np.float32], out: npt.NDArray[np.float32]) -> None:
        layer, clock = plan.layer, plan.clock
        if layer.properties.get("mute") is True:
            return  # only the static property counts (Q7)
        if clock.speed == 0:
            return
        buffer = source[:, ::-1] if clock.speed < 0 else source
        size = buffer.shape[1]
        if clock.speed > 0:
            offset = clock.source_start
        else:
            offset = max(0.0, size / self.sr - (clock.source_start + clock.source_duration))
        pitch = self._pitch(plan)
        if pitch is not None:
            first = max(0, math.floor(offset * self.sr) - 1)
            last = first + math.ceil(clock.source_duration * self.sr) + 3
            buffer = pitch_shift(np.ascontiguousarray(buffer), pitch, span=(first, last))
        n0, block = play_segment(
            buffer,
            start=clock.start_time,
            offset=offset,
            duration=clock.source_duration,
            rate=abs(clock.speed),
            sample_rate=self.sr,
            length=out.shape[1],
        )
        n1 = n0 + block.shape[1]
        if n1 <= n0:
            return
        volume, pan = self._automation(plan, n0, n1)
        if not (isinstance(volume, float) and volume == 1.0):
            block = block * volume
        block = apply_pan(downmix_to_stereo(block), pan)
        out[:, n0:n1] += block

    def _raw_at(self, plan: LayerPlan, frame: int, *, transitions: bool) -> dict[str, Raw]:
        audio_plan = self._audio_plans.get(plan.index)
        if audio_plan is None:  # the layer with only volume/pan/pitch definitions: resolves 3 values, not 40
            audio_plan = dataclasses.replace(plan, definitions=_AUDIO_DEFS, children=[])
            self._audio_plans[plan.index] = audio_plan
        raw = resolve_raw(audio_plan, plan.clock.source_time(frame), self.timeline.em_context())
        if transitions:
            tl = self.timeline
            apply_transitions(plan.layer, frame, tl.fps, tl.width, raw, tl.height)
        return raw

    def _pitch(self, plan: LayerPlan) -> float | None:
        """Pitch at the layer's first frame (keyframes and static, no transitions); None = identity."""
        raw = self._raw_at(plan, plan.clock.start_frame, transitions=False)
        value = _number(raw.get("pitch"), 1.0)
        if not math.isfinite(value) or value <= 0 or abs(value - 1.0) < 1e-3:
            return None
        return min(8.0, max(0.05, value))

    def _automation(
        self, plan: LayerPlan, n0: int, n1: int
    ) -> tuple[float | npt.NDArray[np.float32], float | npt.NDArray[np.float32]]:
        """Per-sample volume and pan over context samples [n0, n1) (scalars when constant)."""
        layer = plan.layer
        has_transition = layer.transition_in is not None or layer.transition_out is not None
        if self.automation == "reference" and not has_transition:
            return self._keyframe_steps(plan, "volume", 1.0, n0, n1), self._keyframe_steps(
                plan, "pan", 0.0, n0, n1
            )
        animated = any(a.property in ("volume", "pan") and a.keyframes for a in layer.animations)
        if not has_transition and not animated:
            raw = self._raw_at(plan, plan.clock.start_frame, transitions=False)
            return _number(raw.get("volume"), 1.0), _number(raw.get("pan"), 0.0)
        missing_pan = 1.0 if self.automation == "reference" else 0.0  # Q3
        clock = plan.clock
        fps = self.timeline.fps
        # frames whose value can still be heard inside [n0, n1): the rest of a long layer is cut off
        last = min(clock.end_frame, math.floor(n1 * fps / self.sr) + 2)
        frames = range(clock.start_frame, max(clock.start_frame, last))
        volumes: list[float] = []
        pans: list[float] = []
        for frame in frames:
            raw = self._raw_at(plan, frame, transitions=True)
            if plan.type == "group" and self.automation == "reference":
                raw.pop("pan", None)
            volumes.append(_number(raw.get("volume"), 1.0))
            pans.append(_number(raw.get("pan"), missing_pan))
        return (
            self._frame_steps(frames, volumes, fps, n0, n1, 1.0),
            self._frame_steps(frames, pans, fps, n0, n1, 0.0),
        )

    def _frame_steps(
        self, frames: range, values: list[float], fps: float, n0: int, n1: int, default: float
    ) -> float | npt.NDArray[np.float32]:
        """`applyAudioKeyframes` path A: a step at f/fps whenever the value moves by >= 1e-4."""
        events: list[int] = []
        kept: list[float] = []
        last: float | None = None
        for frame, value in zip(frames, values, strict=True):
            if not math.isfinite(value):
                continue
            if last is not None and abs(value - last) < _CHANGE:
                continue
            events.append(sample_at(frame / fps, self.sr))
            kept.append(value)
            last = value
        return step_values(np.asarray(events, np.int64), np.asarray(kept, np.float64), n0, n1, default)

    def _keyframe_steps(
        self, plan: LayerPlan, name: str, default: float, n0: int, n1: int
    ) -> float | npt.NDArray[np.float32]:
        """`applyAudioKeyframes` path B (reference mode only): steps at keyframe times, static ignored."""
        clock = plan.clock
        rate = abs(clock.speed)
        events: list[tuple[float, float]] = []
        for anim in plan.layer.animations:
            if anim.property != name:
                continue
            for kf in anim.keyframes:
                rel = float(kf.time) - clock.source_start
                at = clock.start_time + (rel if clock.speed > 0 else clock.source_duration - rel) / rate
                value = _number(("num", [(kf.value, "")], False), math.nan)
                if math.isfinite(at) and at >= 0 and math.isfinite(value):
                    events.append((at, value))
        events.sort(key=lambda e: e[0])
        samples = np.asarray([sample_at(at, self.sr) for at, _ in events], np.int64)
        values = np.asarray([v for _, v in events], np.float64)
        return step_values(samples, values, n0, n1, default)


def _number(raw: Raw | None, default: float) -> float:
    """The first number of a raw resolved value (spec 01 §3 'num'), else `default`."""
    if not raw or raw[0] != "num" or not raw[1]:
        return default
    try:
        return float(raw[1][0][0])
    except (TypeError, ValueError):
        return default

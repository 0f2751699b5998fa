"""The three render primitives a farm job needs, taken from the api when it has them.

* ``render_chunk(doc, frames, out, ...)``: frames ``frames`` of a document as one closed-GOP H.264 MP4
  (its first frame an IDR frame), written atomically. From `vfnative.api.parallel` (issue 7).
* ``stitch(pieces, out, ...)``: chunk MP4s remuxed, without re-encoding, into one MP4 with continuous
  timestamps. From `vfnative.encode.stitch` (issue 7).
* ``render_audio(doc)``: the mixed soundtrack as ``(n, 2)`` float32, or None. From `vfnative`.

Until issue 7 lands, minimal versions live here (`_render_chunk`, `_stitch`); `describe()` says which
implementation each name resolves to, so a job's result records it. They are deliberately small:
the fallback chunk renderer drives `Renderer` frame by frame into a `Muxer`, the fallback stitcher
copies packets with PyAV and shifts their timestamps.
"""

from __future__ import annotations

import inspect
import logging
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = [
    "call_supported",
    "audio_available",
    "count_video_frames",
    "describe",
    "encode_audio",
    "render_audio",
    "render_chunk",
    "stitch",
]

log = logging.getLogger(__name__)


def _external(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError:
        return None
    found = getattr(mod, name, None)
    return found if callable(found) else None


def call_supported(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `func` with only the keyword arguments its signature accepts (the primitives are young APIs)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return func(*args, **kwargs)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return func(*args, **kwargs)
    return func(*args, **{k: v for k, v in kwargs.items() if k in params and v is not None})


# ---------------------------------------------------------------------------------------------- render_chunk


def render_chunk(
    doc: Any,
    frames: range,
    out: Path,
    *,
    settings: Any = None,
    base_dir: str | os.PathLike[str] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    cancel: Any = None,
) -> Any:
    """Render `frames` of `doc` to `out` (atomically) through the api's `render_chunk`, or the fallback."""
    external = _external("vfnative.api.parallel", "render_chunk")
    func = external or _render_chunk
    # strict: media that cannot be used is an AssetError (the job fails once), never a silently empty layer
    return call_supported(func, doc, frames, out, settings=settings, base_dir=base_dir, on_progress=on_progress,
                 cancel=cancel, strict=True)  # fmt: skip


def _render_chunk(
    doc: Any,
    frames: range,
    out: Path,
    *,
    settings: Any = None,
    base_dir: str | os.PathLike[str] | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    cancel: Any = None,
    strict: bool = False,
) -> int:
    """Fallback: the frames a single-process render would draw, encoded as their own MP4 (first frame IDR)."""
    from vfnative.api.render import Renderer, _cancel_check, _Clock
    from vfnative.encode.mux import Muxer
    from vfnative.errors import RenderCancelled

    is_cancelled = _cancel_check(cancel)
    with call_supported(Renderer, doc, settings=settings, base_dir=base_dir, strict=strict) as renderer:
        total = renderer.frame_count
        if frames.step != 1 or not 0 <= frames.start < frames.stop <= total:
            raise ValueError(f"frames: expected a range inside 0..{total}; got {frames}")
        d = renderer.document
        # first_frame: keyframes where the whole render forces them (and an IDR frame first)
        muxer = call_supported(Muxer, out, width=int(d.width), height=int(d.height), fps=float(d.fps),
                      frame_count=len(frames), settings=renderer.settings.encode, pixel_format="bgra",
                      first_frame=frames.start)  # fmt: skip
        with muxer:
            for i, (n, _scene, pixels) in enumerate(renderer._render_scenes(frames, _Clock(), bgra=True)):
                muxer.write(pixels)
                if on_progress is not None:
                    on_progress("render", i + 1, len(frames))
                if is_cancelled():
                    raise RenderCancelled(f"chunk cancelled after frame {n}", frame=n)
            muxer.close()
    return len(frames)


# ---------------------------------------------------------------------------------------------- stitch


def stitch(pieces: Sequence[Path], out: Path, *, audio: Path | None = None) -> Path:
    """Remux `pieces` (in order) and the optional `audio` file's first audio stream into `out`, atomically.

    The api's `stitch` is used for the video when it exists; the audio stream is then added by a
    second remux pass (still no re-encoding).
    """
    external = _external("vfnative.encode.stitch", "stitch")
    if external is None:
        return _stitch(pieces, out, audio=audio)
    if audio is None:
        call_supported(external, list(pieces), out)
        return out
    params = inspect.signature(external).parameters
    if "audio" in params:
        call_supported(external, list(pieces), out, audio=audio)
        return out
    video_only = out.with_name(f".{out.name}.video.mp4")
    try:
        call_supported(external, list(pieces), video_only)
        return _stitch([video_only], out, audio=audio)
    finally:
        video_only.unlink(missing_ok=True)


def _packets(path: Path, kind: str, offset: Fraction) -> Iterator[tuple[Fraction, Any, Any]]:
    """``(time, packet, input_stream)`` for each packet of the first `kind` stream, shifted by `offset` s."""
    import av

    with av.open(str(path)) as container:
        streams = container.streams.video if kind == "video" else container.streams.audio
        stream = streams[0]
        tb = stream.time_base
        if tb is None:
            raise ValueError(f"{path}: the {kind} stream has no time base")
        # a piece's own timeline may start at 0 or at its absolute frame: either way it lands at `offset`
        start = stream.start_time if kind == "video" and stream.start_time is not None else 0
        shift = round(offset / tb) - start
        for packet in container.demux(stream):
            if packet.dts is None:  # the demuxer's end-of-stream marker
                continue
            if packet.pts is not None:
                packet.pts += shift
            packet.dts += shift
            yield Fraction(packet.dts) * tb, packet, stream


def _stitch(pieces: Sequence[Path], out: Path, *, audio: Path | None = None) -> Path:
    """Fallback: copy every video packet of `pieces` into one MP4, each piece's timestamps shifted so
    they continue where the previous piece ended; interleave `audio`'s packets by time."""
    import av

    if not pieces:
        raise ValueError("pieces: expected at least one chunk file")
    with av.open(str(pieces[0])) as first:
        template = first.streams.video[0]
        rate = template.average_rate or template.guessed_rate
        if rate is None:
            raise ValueError(f"{pieces[0]}: the video stream has no frame rate")
        timescale = template.time_base.denominator if template.time_base else None
    offsets: list[Fraction] = []
    start = Fraction(0)
    for piece in pieces:
        offsets.append(start)
        start += Fraction(count_video_frames(piece)) / Fraction(rate)
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    options = {"movflags": "+faststart"}
    if timescale:
        options["video_track_timescale"] = str(timescale)
    try:
        with av.open(str(tmp), "w", format="mp4", options=options) as output:
            with av.open(str(pieces[0])) as first:
                vstream = output.add_stream_from_template(first.streams.video[0])
                vstream.metadata.update(first.streams.video[0].metadata)
            astream = None
            if audio is not None:
                with av.open(str(audio)) as source:
                    astream = output.add_stream_from_template(source.streams.audio[0])
                    astream.metadata.update(source.streams.audio[0].metadata)

            def video() -> Iterator[tuple[Fraction, Any, Any]]:
                for piece, offset in zip(pieces, offsets, strict=True):
                    yield from _packets(piece, "video", offset)

            streams: list[Iterator[tuple[Fraction, Any, Any]]] = [video()]
            targets: list[Any] = [vstream]
            if audio is not None and astream is not None:
                streams.append(_packets(audio, "audio", Fraction(0)))
                targets.append(astream)
            heads: list[tuple[Fraction, Any, Any] | None] = [next(s, None) for s in streams]
            while any(h is not None for h in heads):
                i = min((j for j, h in enumerate(heads) if h is not None), key=lambda j: heads[j][0])  # type: ignore[index]
                _t, packet, _stream = heads[i]  # type: ignore[misc]
                packet.stream = targets[i]
                output.mux(packet)
                heads[i] = next(streams[i], None)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def count_video_frames(path: str | os.PathLike[str]) -> int:
    """Video packets in an MP4 (one per frame for H.264 without field coding), counted by demuxing only."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return sum(1 for packet in container.demux(stream) if packet.dts is not None and packet.size > 0)


# ---------------------------------------------------------------------------------------------- audio


def render_audio(doc: Any, *, settings: Any = None, base_dir: str | os.PathLike[str] | None = None) -> Any:
    """The document's mix from `vfnative.render_audio` ((n, 2) float32, 48 kHz), or None (no audio)."""
    func = _external("vfnative", "render_audio")
    if func is None:
        return None
    return call_supported(func, doc, settings=settings, base_dir=base_dir, strict=True)


def encode_audio(samples: Any, out: Path, *, handler_name: str = "VideoFlow.dev") -> Path:
    """Encode an (n, 2) float32 mix as AAC-LC in an audio-only MP4 at `out`, atomically.

    The same encoder settings and 1024-sample framing from sample 0 as `Muxer`'s audio track, so the
    packets are those a single-process render writes; the stitch task copies them without re-encoding.
    The encoder's priming delay is kept as a negative first timestamp (an MP4 edit list), which a
    remux carries over.
    """
    import av
    import numpy as np

    from vfnative.encode.mux import AUDIO_BITRATE, AUDIO_RATE

    external = _external("vfnative.encode.stitch", "write_audio_piece")
    if external is not None:  # issue 7's encoder for the audio piece takes (2, n) planar samples
        call_supported(
            external,
            np.ascontiguousarray(np.asarray(samples, dtype=np.float32).T),
            out,
            handler_name=handler_name,
        )
        return out
    planar = np.clip(np.asarray(samples, dtype=np.float32).T, -1.0, 1.0)
    if planar.ndim != 2 or planar.shape[0] != 2 or planar.shape[1] < 1:
        raise ValueError(f"samples: expected (n, 2) float32 with n >= 1; got shape {np.shape(samples)}")
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    try:
        with av.open(str(tmp), "w", format="mp4") as container:
            stream = container.add_stream("aac", rate=AUDIO_RATE)
            stream.layout = "stereo"
            stream.format = "fltp"
            stream.bit_rate = AUDIO_BITRATE
            stream.time_base = Fraction(1, AUDIO_RATE)
            stream.metadata["handler_name"] = handler_name
            total = planar.shape[1]
            for start in range(0, total, 1024):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(planar[:, start : start + 1024]), format="fltp", layout="stereo"
                )
                frame.sample_rate = AUDIO_RATE
                frame.pts = start
                frame.time_base = Fraction(1, AUDIO_RATE)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def audio_available() -> bool:
    """True when the api can render audio (`vfnative.render_audio` exists)."""
    return _external("vfnative", "render_audio") is not None


def describe() -> dict[str, str]:
    """Which implementation each primitive resolves to (recorded in job results)."""
    return {
        "render_chunk": "vfnative.api.parallel"
        if _external("vfnative.api.parallel", "render_chunk")
        else "worker fallback",
        "stitch": "vfnative.encode.stitch"
        if _external("vfnative.encode.stitch", "stitch")
        else "worker fallback",
        "render_audio": "vfnative.render_audio" if audio_available() else "unavailable",
        "audio_piece": "vfnative.encode.stitch"
        if _external("vfnative.encode.stitch", "write_audio_piece")
        else "worker fallback",
    }

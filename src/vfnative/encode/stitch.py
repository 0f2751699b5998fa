"""Stitch chunk pieces into one MP4 (or MOV, WebM) without re-encoding, and write the audio piece they share.

Every codec whose pieces start with a keyframe and hold closed GOPs joins this way: H.264, H.265
and AV1 in MP4, ProRes in MOV, VP9 in WebM (`encode/formats.py`, ``Codec.stitchable``). The
container follows the output's extension; the audio piece is AAC (MP4/MOV) or Opus (WebM).

A long render can be cut into frame ranges rendered separately (`api/parallel.py` on one machine,
the render farm in `worker/` across machines). Each range becomes a *piece*: an H.264 MP4 written by
`Muxer(first_frame=start)`, whose first frame is an IDR frame (so it decodes on its own: a closed
GOP; there are no B-frames) and whose timestamps start at 0. `stitch` copies the pieces' packets, in
order, into one MP4 whose timestamps continue from piece to piece, and interleaves the packets of an
audio piece (the mix, encoded once: seams in AAC are audible, spec 05 §6.2), so the output has the
layout of a single-process render: the same frame count, time base, keyframes and colour tags.

Pieces must come from identical encoder settings: the stitched file carries one set of parameter
sets (SPS/PPS), so pieces whose parameter sets differ are refused (EncodeError), never silently
joined into a stream that would decode wrongly.

Imports av, numpy, errors and encode.mux's audio constants; nothing from the render stages.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from vfnative.encode.mux import AUDIO_BITRATE, AUDIO_RATE
from vfnative.errors import EncodeError

__all__ = ["PieceInfo", "probe_piece", "stitch", "write_audio_piece"]

log = logging.getLogger(__name__)

_AAC_FRAME = 1024


@dataclass(frozen=True)
class PieceInfo:
    """What `stitch` checks about a piece's video stream."""

    path: Path
    codec: str
    width: int
    height: int
    pix_fmt: str | None
    time_base: Fraction
    rate: Fraction
    extradata: bytes
    """The avcC parameter sets (SPS/PPS); equal across pieces of one render."""
    frames: int
    starts_with_keyframe: bool
    handler_name: str | None


def probe_piece(path: str | os.PathLike[str]) -> PieceInfo:
    """Read a piece's video stream parameters and count its frames (demux only, no decoding)."""
    path = Path(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise EncodeError(f"{path}: a piece needs a video stream; found none", source=str(path))
            stream = container.streams.video[0]
            cc = stream.codec_context
            tb = stream.time_base
            rate = stream.average_rate or stream.guessed_rate
            if tb is None or rate is None:
                raise EncodeError(
                    f"{path}: the video stream has no time base or frame rate", source=str(path)
                )
            frames = 0
            first_key = False
            for packet in container.demux(stream):
                if packet.dts is None or packet.size == 0:
                    continue
                if frames == 0:
                    first_key = bool(packet.is_keyframe)
                frames += 1
            return PieceInfo(
                path=path,
                codec=cc.name,
                width=cc.width,
                height=cc.height,
                pix_fmt=cc.pix_fmt,
                time_base=Fraction(tb),
                rate=Fraction(rate),
                extradata=bytes(cc.extradata or b""),
                frames=frames,
                starts_with_keyframe=first_key,
                handler_name=stream.metadata.get("handler_name"),
            )
    except av.FFmpegError as exc:
        raise EncodeError(f"{path}: cannot read the piece: {exc}", source=str(path)) from exc


def _check_compatible(infos: Sequence[PieceInfo]) -> None:
    first = infos[0]
    for info in infos:
        if info.frames == 0:
            raise EncodeError(f"{info.path}: the piece has no frames", source=str(info.path))
        if not info.starts_with_keyframe:
            raise EncodeError(
                f"{info.path}: the piece does not start with a keyframe; it cannot be joined without "
                "re-encoding",
                source=str(info.path),
            )
        for name in ("codec", "width", "height", "pix_fmt", "time_base", "rate", "extradata"):
            a, b = getattr(first, name), getattr(info, name)
            if a != b:
                shown = (f"{len(a)} bytes", f"{len(b)} bytes") if name == "extradata" else (a, b)
                raise EncodeError(
                    f"{info.path}: the piece's {name} differs from {first.path.name}'s "
                    f"(expected {shown[0]}; got {shown[1]}); pieces must come from one render's settings",
                    source=str(info.path),
                )


def _video_packets(infos: Sequence[PieceInfo]) -> Iterator[tuple[Fraction, Any]]:
    """Every piece's video packets in order, shifted so that piece k starts where k-1 ended."""
    tb = infos[0].time_base
    frame_ticks = 1 / (infos[0].rate * tb)  # ticks of the time base per frame (1001 for 30000/1001)
    offset = Fraction(0)  # in ticks
    for info in infos:
        with av.open(str(info.path)) as container:
            stream = container.streams.video[0]
            start = stream.start_time if stream.start_time is not None else 0
            shift = round(offset) - start
            for packet in container.demux(stream):
                if packet.dts is None or packet.size == 0:
                    continue
                if packet.pts is not None:
                    packet.pts += shift
                packet.dts += shift
                yield Fraction(packet.dts) * tb, packet
        offset += info.frames * frame_ticks


def _audio_packets(path: Path) -> Iterator[tuple[Fraction, Any]]:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise EncodeError(f"{path}: the audio piece has no audio stream", source=str(path))
        stream = container.streams.audio[0]
        tb = stream.time_base
        assert tb is not None
        for packet in container.demux(stream):
            if packet.dts is None or packet.size == 0:
                continue
            yield Fraction(packet.dts) * tb, packet


def stitch(
    pieces: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    audio: str | os.PathLike[str] | None = None,
    faststart: bool = True,
) -> Path:
    """Join `pieces` (in order) and the first audio stream of `audio` into the MP4 `out`, atomically.

    No re-encoding: packets are copied, video timestamps shifted to run on from piece to piece (each
    piece's own start is normalised, whether it starts at 0 or not). Audio packets keep their
    timestamps (the mix covers the whole render; an encoder priming delay stays an edit list) and are
    interleaved with the video by time. Returns the output path.

    Raises EncodeError when a piece is unreadable, empty, does not start with a keyframe, or was
    encoded with different parameters than the first; the output is then not written.
    """
    if not pieces:
        raise EncodeError("pieces: expected at least one chunk file")
    out = Path(out)
    if not out.parent.is_dir():
        raise EncodeError(f"{out}: the output folder does not exist", source=str(out))
    infos = [probe_piece(p) for p in pieces]
    _check_compatible(infos)
    first = infos[0]
    muxer = _MUXERS.get(out.suffix.lower())
    if muxer is None:
        raise EncodeError(f"{out}: pieces are stitched into .mp4, .m4v, .mov or .webm", source=str(out))
    options: dict[str, str] = {}
    if muxer != "webm":
        options["video_track_timescale"] = str(first.time_base.denominator)
        if faststart:
            options["movflags"] = "+faststart"
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    try:
        with av.open(str(tmp), "w", format=muxer, options=options) as output:
            with av.open(str(first.path)) as template:
                # AV1 is read by libdav1d, which has no encoder of that name: copy its parameters only
                opaque = True if first.codec in _DECODER_ONLY else None
                vstream = output.add_stream_from_template(template.streams.video[0], opaque=opaque)
                vstream.metadata.update(template.streams.video[0].metadata)
                if first.codec == "hevc":
                    vstream.codec_tag = "hvc1"  # as the Muxer tags it (Safari, QuickTime)
            sources: list[Iterator[tuple[Fraction, Any]]] = [_video_packets(infos)]
            targets: list[Any] = [vstream]
            if audio is not None:
                with av.open(str(audio)) as source:
                    if not source.streams.audio:
                        raise EncodeError(f"{audio}: the audio piece has no audio stream", source=str(audio))
                    astream = output.add_stream_from_template(source.streams.audio[0])
                    astream.metadata.update(source.streams.audio[0].metadata)
                sources.append(_audio_packets(Path(audio)))
                targets.append(astream)
            heads = [next(s, None) for s in sources]
            while True:
                live = [i for i, h in enumerate(heads) if h is not None]
                if not live:
                    break
                i = min(live, key=lambda j: heads[j][0])  # type: ignore[index]
                _time, packet = heads[i]  # type: ignore[misc]
                packet.stream = targets[i]
                output.mux(packet)
                heads[i] = next(sources[i], None)
        os.replace(tmp, out)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"{out}: cannot stitch the pieces: {exc}", source=str(out)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.debug("stitched %d pieces (%d frames) into %s", len(infos), sum(i.frames for i in infos), out)
    return out


_DECODER_ONLY = frozenset({"libdav1d"})
"""Decoders PyAV opens for a piece whose names are not encoders (`add_stream_from_template`)."""
_MUXERS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".webm": "webm", ".m4a": "mp4"}
"""Output extension → FFmpeg muxer of a stitched file (and of an audio piece)."""


def write_audio_piece(
    samples: npt.NDArray[np.float32],
    out: str | os.PathLike[str],
    *,
    rate: int = AUDIO_RATE,
    bitrate: int = AUDIO_BITRATE,
    handler_name: str = "VideoFlow.dev",
) -> Path:
    """Encode a (2, n) planar float32 mix as AAC-LC in an audio-only MP4, atomically, for `stitch`
    (a ``.webm`` `out`: Opus in WebM, for VP9 pieces).

    The same encoder settings and 1024-sample framing from sample 0 as the `Muxer`'s audio track, so
    the packets equal those of a single-process render; the samples are clipped to [-1, 1] first.
    """
    planar = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    if planar.ndim != 2 or planar.shape[0] != 2 or planar.shape[1] < 1:
        raise EncodeError(f"audio: expected (2, n) planar stereo samples, n >= 1; got shape {planar.shape}")
    out = Path(out)
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    try:
        opus = out.suffix.lower() == ".webm"
        with av.open(str(tmp), "w", format="webm" if opus else "mp4") as container:
            stream = container.add_stream("libopus" if opus else "aac", rate=rate)
            stream.layout = "stereo"
            if not opus:  # libopus takes s16/flt: PyAV converts the fltp frames
                stream.format = "fltp"
            stream.bit_rate = min(bitrate, 128_000) if opus else bitrate
            stream.time_base = Fraction(1, rate)
            stream.metadata["handler_name"] = handler_name
            total = planar.shape[1]
            for start in range(0, total, _AAC_FRAME):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(planar[:, start : start + _AAC_FRAME]),
                    format="fltp",
                    layout="stereo",
                )
                frame.sample_rate = rate
                frame.pts = start
                frame.time_base = Fraction(1, rate)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        os.replace(tmp, out)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"{out}: cannot encode the audio piece: {exc}", source=str(out)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out

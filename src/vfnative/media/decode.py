"""Decode video pictures at source times and whole audio tracks, as the reference's browser does.

**Which picture** (spec 01 §8.5, spec 04 §5.1): the one shown for source time t is the last whose
presentation time is <= t, compared in whole microseconds as the browser does: the seek target is
truncated to microseconds and each frame's timestamp rounded to them (measured on the video-layer
golden: at t = 59/30 s the frame stamped 1.9666667 s is *not* yet shown), with t clamped to
[0, duration]: before the start the first frame, past the end the last.

**How it is found.** One `VideoDecoder` per source serves every layer that shows it. It learns the
stream's frame times as it decodes (which frame follows which) and keeps decoded pictures in a
shared byte-bounded `FrameCache`, so a request is answered, in order of preference, by

1. the last few pictures it converted, or a decoded picture in the shared cache (converted again);
2. decoding forward from where the decoder stands, when the target is ahead and either close
   (`_SEEK_AHEAD_S`) or not past the next keyframe (sequential playback at any speed);
3. seeking to the keyframe before the target and decoding forward (jumps, reverse playback).

Reverse playback (speed < 0) seeks once per GOP, not once per frame: the forward run from the
keyframe leaves the GOP's pictures in the cache and the next, earlier targets are cache hits.

**Memory.** The cache is paid for only when pictures can be reused. While requests only move
forward, a decoder keeps just its most recent pictures in the cache (`_FORWARD_BYTES`, at least
the current and the next one, which it holds anyway): forward playback never asks for an older
picture, so caching more would only hold hundreds of MB of 1080p frames. A request *behind* the
previous one (reverse playback, layers sharing the source at different times, a jump back)
switches the decoder to retaining every picture it decodes, up to the shared budget; after
`_RETAIN_REQUESTS` requests without going backwards it drops its entries again. Converted pictures
go through one reusable swscale context per decoder, and few are kept (`_CONVERTED_BYTES`).
Decoder threads: the CPUs libx264 leaves (`_ENCODER_CPUS`), at least one, at most `_MAX_THREADS`: each frame thread holds pictures.

**Colour** follows the stream's matrix and range tags; untagged streams are treated as BT.601
limited range, the browser's assumption for them. **Geometry** follows the browser's
`videoWidth × videoHeight`: non-square pixels are stretched along one axis (Chrome's
natural-size rule) and the display-matrix rotation is applied (multiples of 90°; flips are not).

Audio: `decode_audio` decodes a file's first audio stream whole, resampled to 48 kHz float32
planar, keeping the source channel count (as `decodeAudioData` does, spec 04 §1.4).
Imports av, numpy, the cache, types and errors.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

from vfnative.errors import MediaDecodeError, MissingAssetError
from vfnative.media.cache import FrameCache
from vfnative.media.probe import probe_duration
from vfnative.settings import cpu_limit
from vfnative.types import RGBA8

__all__ = ["AudioTrack", "VideoDecoder", "decode_audio", "natural_size", "probe_duration"]

log = logging.getLogger(__name__)

PixelFormat = Literal["rgba", "bgra"]

_SEEK_AHEAD_S = 1.0
"""Targets further ahead than this seek (if a keyframe lies in between) instead of decoding through."""
_SEEK_AHEAD_US = int(_SEEK_AHEAD_S * 1_000_000)
_CONVERTED_KEPT = 4
"""At most this many converted pictures kept per decoder (the last few: a held frame, layers sharing
a frame or two sizes). Older ones are dropped rather than cached: in reverse playback they would only
push the decoded GOP out of the shared cache, and re-converting a cached decoded picture costs
~1 ms at 1080p."""
_CONVERTED_BYTES = 24 * 1024 * 1024
"""...and at most this many bytes of them (but always the last one): two 1080p BGRA pictures."""
_FORWARD_BYTES = 4 * 1024 * 1024
"""Decoded pictures a decoder keeps in the shared cache while its requests only move forward (but
always the last two: the current and the next picture, which the decoder holds anyway)."""
_RETAIN_REQUESTS = 120
"""Requests without a backward step after which a retaining decoder goes back to forward mode."""
_MAX_THREADS = 4
"""Decoder threads at most: each frame thread holds pictures."""
_ENCODER_CPUS = 2
"""CPUs left to libx264 (its frame threads take the CPU limit) before video decoding gets more than
one thread: on 2 CPUs one decoder thread renders the talking-head bench 3 % faster and 10 MB lighter
than two (the threads only compete with the encoder's)."""

# AVColorSpace values -> swscale colourspace names understood by VideoFrame.reformat.
_MATRIX = {1: "ITU709", 5: "ITU601", 6: "SMPTE170M", 7: "SMPTE240M", 9: "BT2020"}


def natural_size(width: int, height: int, pixel_aspect: float, rotation: int) -> tuple[int, int]:
    """The browser's `videoWidth × videoHeight`: one axis stretched by the pixel aspect ratio
    (wider pixels widen, taller pixels heighten, as Chrome's VideoAspectRatio does), then swapped
    for a quarter-turn rotation."""
    w, h = width, height
    if pixel_aspect > 0 and math.isfinite(pixel_aspect) and pixel_aspect != 1:
        if pixel_aspect > 1:
            w = math.floor(width * pixel_aspect + 0.5)
        else:
            h = math.floor(height / pixel_aspect + 0.5)
    if rotation % 180:
        w, h = h, w
    return max(1, w), max(1, h)


class _Frame:
    """A decoded picture and its presentation time in whole microseconds from the stream start."""

    __slots__ = ("av", "us")

    def __init__(self, us: int, frame: Any) -> None:
        self.us = us
        self.av = frame


class VideoDecoder:
    """The pictures of one video file at chosen source times; one instance per source per render.

    Usage::

        cache = FrameCache()
        video = VideoDecoder("clip.mp4", cache=cache)
        pixels = video.frame_at(1.25, pixel_format="bgra")      # (H, W, 4) uint8, opaque, read-only

    `width`/`height` are the display size (after pixel aspect and rotation), `duration` the
    container's (what the browser's `video.duration` reports). Several decoders may share a cache;
    each keys its entries by its own path.
    """

    width: int
    """Display width (the browser's videoWidth)."""
    height: int
    """Display height (the browser's videoHeight)."""

    def __init__(self, path: str | Path, *, cache: FrameCache | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise MissingAssetError(f"video not found: {self.path}", source=str(self.path))
        self._cache = cache if cache is not None else FrameCache(64 * 1024 * 1024)
        self._converted: OrderedDict[tuple[int, str, tuple[int, int]], RGBA8] = OrderedDict()
        self._key = str(self.path)
        self._reformatter = VideoReformatter()
        # cache policy (see the module docstring): forward mode keeps a small window of entries
        self._retain = False
        self._last_target: int | None = None
        self._forward_requests = 0
        self._window: deque[tuple[int, int]] = deque()
        self._window_bytes = 0
        try:
            self._container = av.open(str(self.path))
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError, UnicodeDecodeError) as exc:
            raise MediaDecodeError(f"cannot open video: {exc}", source=str(self.path)) from exc
        try:
            self._setup()
        except BaseException:
            self._container.close()
            raise

    def _setup(self) -> None:
        stream = self._stream
        stream.thread_type = "AUTO"
        ctx = stream.codec_context
        ctx.thread_count = max(1, min(cpu_limit() - _ENCODER_CPUS, _MAX_THREADS))
        tb = stream.time_base
        self._time_base = float(tb) if tb else 1.0 / 90000
        self._start = float(stream.start_time or 0) * self._time_base
        self.duration: float = self._container_duration()
        self._matrix = _MATRIX.get(int(ctx.colorspace or 2), "ITU601")
        self._full_range = int(ctx.color_range or 0) == 2
        self._keyframes = self._keyframe_times()
        # what has been learned about the stream's frame times (microseconds)
        self._starts: list[int] = []
        self._next: dict[int, int] = {}
        self._first_us: int | None = None
        self._last_us: int | None = None
        # decoder position
        self._frames: Iterator[Any] | None = None
        self._current: _Frame | None = None
        self._pending: _Frame | None = None
        self._exhausted = False
        self._warned_decode = False
        self.decoded_frames = 0
        """Pictures decoded so far (a measure of the work done, for tests and benchmarks)."""
        self.seeks = 0
        """Seeks done so far."""
        self._seek(0)
        first = self._pending
        if first is None:
            raise MediaDecodeError("video has no decodable frames", source=str(self.path))
        self.coded_width = int(first.av.width)
        self.coded_height = int(first.av.height)
        sar = ctx.sample_aspect_ratio or stream.sample_aspect_ratio
        self.pixel_aspect = float(sar) if sar else 1.0
        rotation = getattr(first.av, "rotation", 0) or 0
        self.rotation: int = (round(float(rotation) / 90.0) % 4) * 90
        """Counter-clockwise degrees the picture is turned for display (display matrix)."""
        self.width, self.height = natural_size(
            self.coded_width, self.coded_height, self.pixel_aspect, self.rotation
        )

    def _container_duration(self) -> float:
        """What `probe_duration` gives, from the container already open."""
        container = self._container
        if container.duration and container.duration > 0:
            return float(container.duration) / 1_000_000
        for stream in container.streams:
            if stream.duration and stream.time_base and stream.duration > 0:
                return float(stream.duration * stream.time_base)
        raise MediaDecodeError("media has no known duration", source=str(self.path))

    def _keyframe_times(self) -> list[int] | None:
        """Keyframe decode times (µs) from the demuxer's index, or None if the format has none."""
        try:
            entries = self._stream.index_entries
        except (AttributeError, av.FFmpegError):
            return None
        if not entries:
            return None
        tb, start = self._time_base, self._start
        times = sorted(round((e.timestamp * tb - start) * 1e6) for e in entries if e.is_keyframe)
        return times or None

    def __repr__(self) -> str:
        return (
            f"<VideoDecoder {self.path.name} {self.width}x{self.height} {self.duration:.3f}s "
            f"decoded={self.decoded_frames} seeks={self.seeks}>"
        )

    @property
    def size(self) -> tuple[int, int]:
        """Display size (width, height): the browser's videoWidth × videoHeight."""
        return (self.width, self.height)

    @property
    def retaining(self) -> bool:
        """Whether the decoder currently keeps every decoded picture in the cache (access went backwards)."""
        return self._retain

    def close(self) -> None:
        self._frames = None
        self._current = self._pending = None
        self._converted.clear()
        self._drop_entries(keep=())
        self._container.close()

    # ------------------------------------------------------------------ public

    def frame_at(
        self, t: float, *, pixel_format: PixelFormat = "rgba", size: tuple[int, int] | None = None
    ) -> RGBA8:
        """The picture shown at source time `t` as (H, W, 4) uint8, opaque, read-only.

        Channels in `pixel_format` order ('rgba', or 'bgra': Skia's native order); `size` is
        (width, height), by default the display size. The array may be shared with other callers
        (it lives in the cache); copy it to modify it.
        """
        t = min(max(t, 0.0), self.duration) if math.isfinite(t) else 0.0
        target = math.floor(t * 1e6)
        size = size or self.size
        self._observe(target)
        us = self._known(target)
        frame: Any = None
        if us is not None:
            hit = self._converted.get((us, pixel_format, size))
            if hit is not None:
                self._converted.move_to_end((us, pixel_format, size))
                return hit
            frame = self._cache.get((self._key, us))
        if frame is None or us is None:
            found = self._decode_to(target)
            us, frame = found.us, found.av
            hit = self._converted.get((found.us, pixel_format, size))
            if hit is not None:
                return hit
        pixels = self._convert(frame, pixel_format, size)
        self._converted[(us, pixel_format, size)] = pixels
        kept = max(1, min(_CONVERTED_KEPT, _CONVERTED_BYTES // max(1, pixels.nbytes)))
        while len(self._converted) > kept:
            self._converted.popitem(last=False)
        return pixels

    # ------------------------------------------------------------------ cache policy

    def _observe(self, target: int) -> None:
        """Switch between forward mode and retaining mode on the order of the requests."""
        last = self._last_target
        self._last_target = target
        if last is not None and target < last:
            self._forward_requests = 0
            if not self._retain:
                self._retain = True
                self._window.clear()  # the window's entries stay, as ordinary LRU entries
                self._window_bytes = 0
            return
        self._forward_requests += 1
        if self._retain and self._forward_requests >= _RETAIN_REQUESTS:
            self._retain = False
            keep = [f for f in (self._current, self._pending) if f is not None]
            self._drop_entries(keep=[f.us for f in keep])
            for f in keep:
                if (self._key, f.us) in self._cache:
                    self._remember(f.us, _nbytes(f.av))

    def _drop_entries(self, keep: Iterator[int] | tuple[int, ...] | list[int]) -> None:
        """Remove this source's entries from the shared cache, but those at the times in `keep`."""
        kept = set(keep)
        for key in self._cache.keys():  # noqa: SIM118 - a snapshot list: entries are discarded while iterating
            if isinstance(key, tuple) and len(key) == 2 and key[0] == self._key and key[1] not in kept:
                self._cache.discard(key)
        self._window.clear()
        self._window_bytes = 0

    def _remember(self, us: int, nbytes: int) -> None:
        """Forward mode: add an entry to the window, dropping the oldest beyond `_FORWARD_BYTES`."""
        window = self._window
        window.append((us, nbytes))
        self._window_bytes += nbytes
        while len(window) > 2 and self._window_bytes > _FORWARD_BYTES:
            old_us, old_bytes = window.popleft()
            self._window_bytes -= old_bytes
            if all(u != old_us for u, _b in window):
                self._cache.discard((self._key, old_us))

    def frame_time(self, t: float) -> float | None:
        """Presentation time (s) of the picture `frame_at(t)` returns, if already known."""
        t = min(max(t, 0.0), self.duration)
        us = self._known(math.floor(t * 1e6))
        return None if us is None else us / 1e6

    # ------------------------------------------------------------------ index

    def _known(self, target: int) -> int | None:
        """The frame shown at `target` µs if the learned frame times already decide it."""
        starts = self._starts
        i = bisect.bisect_right(starts, target) - 1
        if i < 0:
            first = self._first_us
            return first if first is not None and starts and starts[0] == first else None
        us = starts[i]
        if us in self._next or us == self._last_us:
            return us
        return None

    def _learn(self, frame: _Frame, previous: _Frame | None) -> None:
        us = frame.us
        i = bisect.bisect_left(self._starts, us)
        if i == len(self._starts) or self._starts[i] != us:
            self._starts.insert(i, us)
        if previous is not None and previous.us < us:
            self._next[previous.us] = us
        av_frame = frame.av
        nbytes = _nbytes(av_frame)
        self._cache.put((self._key, us), av_frame, nbytes)
        if not self._retain:
            self._remember(us, nbytes)

    # ------------------------------------------------------------------ decoding

    def _read(self, previous: _Frame | None) -> _Frame | None:
        if self._exhausted or self._frames is None:
            return None
        try:
            frame = next(self._frames)
        except StopIteration:
            self._exhausted = True
            if previous is not None:
                self._last_us = previous.us
            return None
        except av.FFmpegError as exc:
            if not self._warned_decode:
                self._warned_decode = True
                log.warning("decode error in %s: %s; keeping the last good frame", self.path, exc)
            self._exhausted = True
            if previous is not None:
                self._last_us = previous.us
            return None
        self.decoded_frames += 1
        us = round((float(frame.pts if frame.pts is not None else 0) * self._time_base - self._start) * 1e6)
        decoded = _Frame(us, frame)
        self._learn(decoded, previous)
        return decoded

    def _seek(self, target: int) -> None:
        """Position the decoder on the keyframe at or before `target` µs (earlier if the demuxer
        lands past it), so that the next frame read is at or before the target."""
        back = 0
        while True:
            seek_us = max(0, target - back)
            self.seeks += 1
            try:
                if seek_us > 0:
                    ts = int((seek_us / 1e6 + self._start) / self._time_base)
                    self._container.seek(ts, stream=self._stream, backward=True)
                else:
                    self._container.seek(0, stream=self._stream, backward=True)
            except av.FFmpegError as exc:
                if seek_us == 0:
                    raise MediaDecodeError(f"cannot seek: {exc}", source=str(self.path)) from exc
                back = target
                continue
            self._frames = self._container.decode(self._stream)
            self._exhausted = False
            self._current = None
            self._pending = self._read(None)
            if seek_us == 0 and self._pending is not None:
                self._first_us = self._pending.us
            if self._pending is None or self._pending.us <= target or seek_us == 0:
                return
            back = max(_SEEK_AHEAD_US, 2 * back)

    def _position(self) -> int | None:
        if self._frames is None:
            return None
        if self._current is not None:
            return self._current.us
        return self._pending.us if self._pending is not None else None

    def _keyframe_between(self, after: int, upto: int) -> bool:
        """Whether a keyframe lies in (after, upto]; True when the stream has no index."""
        keys = self._keyframes
        if keys is None:
            return True
        i = bisect.bisect_right(keys, after)
        return i < len(keys) and keys[i] <= upto

    def _decode_to(self, target: int) -> _Frame:
        """Decode until the frame shown at `target` µs is the current one, and return it."""
        pos = self._position()
        forward = (
            pos is not None
            and pos <= target
            and (target - pos <= _SEEK_AHEAD_US or not self._keyframe_between(pos, target))
        )
        if not forward:
            self._seek(target)
        if self._current is None:
            # just after a seek: the first frame read is the answer even if it is past the target
            # (a target before the stream's first frame shows the first frame)
            self._current = self._pending
            self._pending = self._read(self._current)
        while self._pending is not None and self._pending.us <= target:
            self._current = self._pending
            self._pending = self._read(self._current)
        if self._current is None:
            raise MediaDecodeError("video has no decodable frames", source=str(self.path))
        return self._current

    def _convert(self, frame: Any, pixel_format: str, size: tuple[int, int]) -> RGBA8:
        turns = self.rotation // 90
        width, height = size
        if turns % 2:
            width, height = height, width
        kwargs: dict[str, Any] = {
            "format": pixel_format,
            "src_colorspace": self._matrix,
            "src_color_range": 2 if self._full_range else 1,
        }
        if (width, height) != (frame.width, frame.height):
            kwargs["width"], kwargs["height"] = width, height
            kwargs["interpolation"] = "AREA" if width < frame.width and height < frame.height else "BILINEAR"
        # one swscale context per decoder, reused (VideoFrame.reformat would build one per picture);
        # to_ndarray views the converted frame's buffer, no copy
        kwargs["threads"] = 1
        pixels = cast("npt.NDArray[np.uint8]", self._reformatter.reformat(frame, **kwargs).to_ndarray())
        if turns:
            pixels = np.rot90(pixels, turns)
        pixels = np.ascontiguousarray(pixels)
        pixels.flags.writeable = False
        return pixels


def _nbytes(frame: Any) -> int:
    return sum(int(p.buffer_size) for p in frame.planes)


_DEFAULT_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


@dataclass(frozen=True)
class AudioTrack:
    """A decoded audio stream: planar float32 samples at `rate`, the source's channel count."""

    samples: npt.NDArray[np.float32]
    """(channels, n) float32, C-contiguous, not clipped."""
    rate: int

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return float(self.samples.shape[1]) / self.rate


def _planar(frame: av.AudioFrame) -> npt.NDArray[np.float32]:
    """A resampled ``fltp`` frame as (channels, n) float32."""
    return np.asarray(frame.to_ndarray(), dtype=np.float32)


def decode_audio(path: str | Path, *, rate: int = 48_000) -> AudioTrack | None:
    """Decode the first audio stream of `path` whole, resampled to `rate`; None if it has none.

    Channels are kept (mono stays mono, 5.1 stays 6 channels), as `decodeAudioData` keeps them;
    the mixer down-mixes. Packets that fail to decode are skipped with one warning. Raises
    MissingAssetError / MediaDecodeError when the file is missing or cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise MissingAssetError(f"media not found: {path}", source=str(path))
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise MediaDecodeError(f"cannot open media: {exc}", source=str(path)) from exc
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        channels = int(stream.codec_context.channels or 0)
        if channels < 1:
            raise MediaDecodeError("audio stream has no channels", source=str(path))
        layout = stream.codec_context.layout
        if "channels" in layout.name:  # unspecified order ("2 channels"): the default layout
            layout = av.AudioLayout(_DEFAULT_LAYOUTS.get(channels, "stereo" if channels >= 2 else "mono"))
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        chunks: list[npt.NDArray[np.float32]] = []
        bad = 0
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except av.FFmpegError:
                    bad += 1
                    continue
                for frame in frames:
                    chunks.extend(_planar(out) for out in resampler.resample(frame))
            chunks.extend(_planar(out) for out in resampler.resample(None))
        except av.FFmpegError as exc:
            raise MediaDecodeError(f"cannot decode audio: {exc}", source=str(path)) from exc
    if bad:
        log.warning("%s: %d audio packet(s) could not be decoded and were skipped", path, bad)
    if not chunks:
        raise MediaDecodeError("audio stream has no decodable samples", source=str(path))
    samples = np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32)
    return AudioTrack(samples=samples, rate=rate)

"""Muxer: premultiplied RGBA frames (and an optional stereo mix) in, an H.264 (+ AAC) MP4 out, atomically.

The same pipeline writes the other video formats of `encode/formats.py` (H.265 and AV1 in MP4, VP9
+ Opus in WebM, ProRes in MOV, animated WebP): the encoder and its pixel format change, the threads,
timestamps, keyframes, temp file and audio interleaving do not. The damage-box patching and picture
reuse below are used for libx264 only (the one encoder measured to copy its input pictures).
With ``alpha`` formats the converter thread un-premultiplies each frame and the alpha plane is
encoded. The output may also be a writable binary file object: a seekable one receives the finished
file (written to a temp file first, so it equals a file render byte for byte); a pipe (stdout)
receives a stream as it is encoded (fragmented MP4, WebM), which cannot be taken back on an error.

Owns the encoder boundary: RGB→YUV conversion (BT.709 matrix, limited range, 4:2:0), exact timestamps
(``pts = i`` in a ``1/fps`` time base), forced keyframes, the encoder thread and the temp file.
Imports av, numpy, settings, types, errors and encode.formats; nothing from the render stages.

Why a thread: PyAV runs ``avcodec_send_frame`` without the GIL, so encoding frame *i* overlaps drawing
frame *i+1* (skia never releases the GIL, so the main thread is busy).

Why a converter thread, fenced: the compositor reuses one output buffer, so each frame must be read
before the next render writes to it. `write` wraps the caller's pixels without a copy
(``VideoFrame.from_numpy_buffer``: zero-copy from Skia's surface into PyAV) and hands them to a
converter thread (``sws_scale`` to yuv420p, GIL released, only the damaged boxes), so the encoder thread
only encodes: its chain per frame is libx264 alone, and what waits in the queue are 4:2:0 frames, not
RGBA copies. By default `write` waits until the pixels are read; a muxer made with
``deferred_read=True`` returns at once and the caller calls `fence` before it changes them (the
render loop does that just before the compositor first writes to its surface, so the conversion
overlaps the next frame's timeline and picture recording). At most one conversion is pending; a
bounded number of frames may wait for the encoder (back-pressure). Memory cost:
``(queue_frames + 1) · W·H·1.5`` bytes, 16 MB for the default 4 frames at 1080p.

Two process-wide effects while a muxer is open: the GIL switch interval is shortened to 0.5 ms
(`_FAST_SWITCH_S`; restored when the last open muxer closes), and encoded 4:2:0 pictures are kept
for reuse by the next patched frames (`_recycle`).

Audio (spec 04 §1.11): the whole mix is known before the first frame (the mixer is offline), so it is
given to the constructor and encoded on the encoder thread as AAC-LC, 48 kHz stereo ``fltp``, 192 kb/s,
in 1024-sample frames with ``pts`` counted in samples from 0, interleaved with the video (after frame *i*,
the audio up to (i + 1)/fps). Samples are clipped to [-1, 1] first so the result does not depend on the
encoder's overload behaviour. The encoder's priming delay is hidden by the MP4 edit list, so decoded audio
starts exactly at 0.

Why a temp file: the output appears only when it is complete. It is written beside the target (same
filesystem, so ``os.replace`` is atomic) and removed on any error, on cancel and on KeyboardInterrupt.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Literal

import av
import numpy as np

from vfnative.encode.formats import OutputFormat, resolve_output
from vfnative.errors import EncodeError
from vfnative.settings import EncodeSettings, avc_level
from vfnative.types import PremulRGBA8

if TYPE_CHECKING:
    import numpy.typing as npt
    from av.audio.stream import AudioStream
    from av.container import OutputContainer
    from av.video.stream import VideoStream

__all__ = ["AUDIO_BITRATE", "AUDIO_RATE", "Muxer", "frame_rate", "video_metadata"]

log = logging.getLogger(__name__)

_BT709 = 1
"""AVCOL_PRI_BT709 / AVCOL_TRC_BT709 / AVCOL_SPC_BT709 share the value 1 in FFmpeg."""
_RANGE_TV = 1
"""AVCOL_RANGE_MPEG: limited ("tv") range, 16-235."""
_STOP = None
AUDIO_RATE = 48_000
"""Sample rate of the audio track (the mix rate)."""
AUDIO_BITRATE = 192_000
"""AAC bitrate in bits/s: the reference's first choice (spec 04 §1.11)."""
_AAC_FRAME = 1024


def frame_rate(fps: float | Fraction) -> Fraction:
    """The exact rational frame rate for `fps`: 30 → 30/1, 29.97 → 30000/1001, 23.976 → 24000/1001."""
    if fps <= 0:
        raise EncodeError(f"fps: expected frames/s > 0; got {fps!r}")
    ntsc = round(float(fps) * 1.001)
    if float(fps) != round(fps) and abs(float(fps) - ntsc * 1000 / 1001) < 5e-4:
        return Fraction(ntsc * 1000, 1001)  # 29.97 -> 30000/1001, 59.94 -> 60000/1001
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise EncodeError(f"fps: expected frames/s > 0; got {fps!r}")
    return rate


def _create_temp(folder: Path, name: str) -> Path:
    """A new empty ``.<name>.<random>.part`` file in `folder`, with the usual umask-derived mode."""
    for _ in range(100):
        path = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        except OSError as exc:
            raise EncodeError(
                f"{folder / name}: cannot create a file here: {exc}", source=str(folder / name)
            ) from exc
        return path
    raise EncodeError(f"{folder / name}: cannot create a temp file", source=str(folder / name))


class Muxer:
    """Write premultiplied RGBA frames as H.264 in an MP4 file.

    Usage::

        with Muxer("out.mp4", width=1920, height=1080, fps=30, frame_count=300) as mux:
            for i in range(300):
                mux.write(compositor.render(scene_for(i)))    # (H, W, 4) uint8, premultiplied
        # leaving the block finishes the file; an exception (or mux.abort()) removes it instead

    Frame *i* gets ``pts = i`` in time base ``1/fps``. Alpha is discarded: premultiplied RGB is the picture
    composited over black, which is what the reference encoder keeps. Formats with alpha (`OutputFormat.alpha`)
    un-premultiply each frame on the converter thread and encode the alpha plane. Odd sizes are padded to even
    (yuv420p needs even dimensions) by repeating the last row/column.
    """

    def __init__(
        self,
        output: str | os.PathLike[str] | IO[bytes],
        *,
        width: int,
        height: int,
        fps: float | Fraction,
        frame_count: int | None = None,
        settings: EncodeSettings | None = None,
        pixel_format: Literal["rgba", "bgra"] = "rgba",
        audio: npt.NDArray[np.float32] | None = None,
        audio_rate: int = AUDIO_RATE,
        audio_bitrate: int = AUDIO_BITRATE,
        first_frame: int = 0,
        deferred_read: bool = False,
        output_format: OutputFormat | None = None,
    ) -> None:
        if width < 1 or height < 1:
            raise EncodeError(f"size: expected width, height >= 1; got {width}x{height}")
        self.stream_out: IO[bytes] | None = None
        """The file object written to (None: `output` is a path)."""
        if isinstance(output, str | os.PathLike):
            self.output = Path(output)
        else:
            self.stream_out = output
            self.output = Path("-")
        self.width = int(width)
        self.height = int(height)
        self.rate = frame_rate(fps)
        self.frame_count = frame_count
        self.settings = settings or EncodeSettings()
        try:
            self.format = output_format or resolve_output(
                None if self.stream_out is not None else self.output,
                self.settings,
                pipe=self.stream_out is not None and not _seekable(self.stream_out),
            )
        except ValueError as exc:
            raise EncodeError(str(exc), source=str(self.output)) from exc
        if self.format.kind != "video" or self.format.codec == "gif":
            raise EncodeError(f"{self.output}: the Muxer writes video; {self.format} is written elsewhere")
        self._pix_fmt = self.format.pix_fmt or "yuv420p"
        self._bt601 = bool(self.format.video and self.format.video.bt601)
        """The codec's YUV is BT.601 (WebP): converted with that matrix, not tagged BT.709."""
        self._x264 = self.format.codec == "h264"
        """libx264: the tuned path (damage patching, picture reuse), byte for byte as before."""
        if pixel_format not in ("rgba", "bgra"):
            raise EncodeError(f"pixel_format: expected 'rgba' or 'bgra'; got {pixel_format!r}")
        self.pixel_format = pixel_format
        """Channel order of the frames given to `write` (premultiplied either way); Skia's native N32 is BGRA."""
        self.audio: npt.NDArray[np.float32] | None = None
        """The audio track: (2, n) float32 planar, clipped to [-1, 1]; None for a video-only file."""
        if audio is not None:
            if audio.ndim != 2 or audio.shape[0] != 2 or audio.shape[1] < 1:
                raise EncodeError(
                    f"audio: expected (2, n) planar stereo samples, n >= 1; got shape {audio.shape}"
                )
            if audio_rate < 1 or audio_bitrate < 1:
                raise EncodeError(f"audio: expected rate, bitrate >= 1; got {audio_rate}, {audio_bitrate}")
            self.audio = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        self.audio_rate = int(audio_rate)
        self.audio_bitrate = int(audio_bitrate)
        if first_frame < 0:
            raise EncodeError(f"first_frame: expected >= 0; got {first_frame}")
        self.first_frame = int(first_frame)
        """Document frame of the first frame written: a chunk of a longer render (api/parallel.py).
        Timestamps still start at 0; keyframes fall where the whole render would force them, and the
        first frame is always an IDR frame, so chunks can be stitched without re-encoding."""
        self.deferred_read = bool(deferred_read)
        """Whether `write` returns before the frame is read: the caller then calls `fence` before it
        changes (or drops) the pixels. False: `write` returns once they are read."""
        self._audio_stream: AudioStream | None = None
        self._audio_pos = 0
        self.frames_written = 0
        """Frames handed to `write` so far."""
        self.frames_encoded = 0
        """Frames the encoder thread has sent to libx264 so far."""
        self.encode_seconds = 0.0
        """Time the encoder thread spent encoding and muxing (overlaps the caller)."""
        self.convert_seconds = 0.0
        """Time the converter thread spent converting to yuv420p (overlaps the caller)."""
        self.wait_seconds = 0.0
        """Time `write`, `fence` and `close` spent waiting for the converter and the encoder
        (back-pressure, pixels not yet read, final flush)."""
        self._enc_w = self.width + (self.width & 1)
        self._enc_h = self.height + (self.height & 1)
        self._tmp: Path | None = None
        self._container: OutputContainer | None = None
        self._stream: VideoStream | None = None
        self._thread: threading.Thread | None = None
        self._converter: threading.Thread | None = None
        self._to_convert: queue.Queue[tuple[int, np.ndarray[Any, Any], list[Any] | None] | None] = (
            queue.Queue()
        )
        self._read = threading.Event()
        """Set while no conversion is pending: the last frame given to `write` has been read."""
        self._read.set()
        self._free: queue.Queue[int] = queue.Queue()
        """Slots for frames in flight (the back-pressure); -1 wakes a blocked producer on an error."""
        self._full: queue.Queue[tuple[int, av.VideoFrame] | None] = queue.Queue()
        self._pad: np.ndarray[Any, Any] | None = None
        """Even-sized copy of odd-sized frames (yuv420p needs even dimensions)."""
        self._last_yuv: av.VideoFrame | None = None
        self._spare: list[av.VideoFrame] = []
        """Encoded 4:2:0 pictures whose memory the next patched frame may reuse (`_recycle`)."""
        self._pending: dict[int, int] = {}
        """Encodes still due per picture (by id): an unchanged frame queues the same picture again."""
        self._pool_lock = threading.Lock()
        self.frames_reused = 0
        """Frames written with ``damage=[]``: the previous conversion was queued again."""
        self.frames_patched = 0
        """Frames converted only inside their damage boxes."""
        self._patching = False
        """Whether the latest conversion was a patch (then encoded pictures are kept for the next)."""
        self.pictures_recycled = 0
        """Patched frames written into the memory of an already encoded picture."""
        self._error: BaseException | None = None
        self._abort = threading.Event()
        self._state = "new"  # new -> open -> closed | aborted
        self._fast_switching = False

    def __repr__(self) -> str:
        total = f"/{self.frame_count}" if self.frame_count is not None else ""
        fps = f"{float(self.rate):g}" if self.rate.denominator != 1 else str(self.rate.numerator)
        state = "" if self._state in ("new", "open") else f" {self._state}"
        aac = f"+{self.format.container.audio}" if self.audio is not None else ""
        return (
            f"<Muxer {self.output.name} {self.width}x{self.height}@{fps} {self.format.codec}{aac} "
            f"frames={self.frames_written}{total}{state}>"
        )

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> Muxer:
        """Create the temp file, configure libx264 and start the encoder thread."""
        if self._state != "new":
            raise EncodeError(f"{self!r}: already opened")
        if self.frame_count is not None and self.frame_count < 1:
            raise EncodeError(f"frame_count: expected >= 1; got {self.frame_count}")
        target: Path | IO[bytes]
        if self.format.pipe:
            assert self.stream_out is not None
            target = self.stream_out
        elif self.stream_out is not None:  # seekable: the finished file is copied in at close
            self._tmp = target = _create_temp(Path(tempfile.gettempdir()), "vfnative-stream")
        else:
            folder = self.output.parent
            if not folder.is_dir():
                raise EncodeError(f"{self.output}: the output folder does not exist", source=str(self.output))
            self._tmp = target = _create_temp(folder, self.output.name)
        self._state = "open"
        try:
            self._container, self._stream = self._open_container(target)
        except BaseException:
            self._discard()
            raise
        for slot in range(self.settings.queue_frames + 1):
            self._free.put(slot)
        self._thread = threading.Thread(
            target=self._run, name=f"vfnative-encode-{self.output.name}", daemon=True
        )
        self._thread.start()
        self._converter = threading.Thread(
            target=self._convert_run, name=f"vfnative-convert-{self.output.name}", daemon=True
        )
        self._converter.start()
        _hold_fast_switching()
        self._fast_switching = True
        log.debug("opened %r (bitrate %d, %d threads)", self, self._bitrate, self.settings.thread_count())
        return self

    def _open_container(self, path: Path | IO[bytes]) -> tuple[OutputContainer, VideoStream]:
        s = self.settings
        fmt = self.format
        options: dict[str, str] = {}
        if fmt.container.muxer in ("mp4", "mov"):
            options["video_track_timescale"] = str(self.rate.numerator)
            if fmt.pipe:  # no seeking back: a moov up front, then self-contained fragments
                options["movflags"] = "+frag_keyframe+empty_moov+default_base_moof"
            elif s.faststart:
                options["movflags"] = "+faststart"
        elif fmt.container.muxer == "webp":
            options["loop"] = "0"
        self._bitrate = s.bitrate_for(self.width, self.height)
        keyint = max(1, math.ceil(s.keyframe_interval_s * float(self.rate)))
        try:
            target = str(path) if isinstance(path, Path) else path
            container = av.open(target, "w", format=fmt.container.muxer, options=options)
            try:
                if not self._x264:
                    stream = self._add_video_stream(container, keyint)
                    if self.audio is not None and fmt.audio_encoder is not None:
                        self._audio_stream = self._add_audio_stream(container)
                    return container, stream
                stream = container.add_stream("libx264", rate=self.rate)
                cc = stream.codec_context
                cc.width = self._enc_w
                cc.height = self._enc_h
                cc.pix_fmt = "yuv420p"
                cc.time_base = 1 / self.rate
                stream.time_base = 1 / self.rate
                if s.lossless:  # qp 0 needs the High 4:4:4 Predictive profile, even for 4:2:0
                    cc.profile = "High 4:4:4 Predictive"
                elif s.crf is not None:
                    cc.profile = s.profile
                else:
                    cc.bit_rate = self._bitrate
                    cc.profile = s.profile
                # Frame threads, not PyAV's default slice threads (better throughput and quality), capped
                # at the cgroup CPU limit because x264 would size its pool from the host's CPUs.
                cc.thread_type = "FRAME"
                cc.thread_count = s.thread_count()
                cc.colorspace = _BT709
                cc.color_primaries = _BT709
                cc.color_trc = _BT709
                cc.color_range = _RANGE_TV
                options = {
                    "preset": s.speed,
                    "bf": str(s.b_frames),
                    "sc_threshold": "0",  # keyframes only where we force them
                    "g": str(keyint * 2),
                    "forced-idr": "1",
                }
                if s.lookahead is not None:
                    options["rc-lookahead"] = str(s.lookahead)
                if s.lossless:
                    options["qp"] = "0"
                else:
                    options["level"] = avc_level(self.width, self.height, self._bitrate).replace(".", "")
                    if s.crf is not None:
                        options["crf"] = str(s.crf)
                cc.options = options
                stream.metadata["handler_name"] = s.handler_name
                if self.audio is not None:
                    self._audio_stream = self._add_audio_stream(container)
            except BaseException:
                container.close()
                raise
        except av.FFmpegError as exc:
            raise EncodeError(
                f"{self.output}: cannot set up the encoders: {exc}", source=str(self.output)
            ) from exc
        return container, stream

    def _add_video_stream(self, container: OutputContainer, keyint: int) -> VideoStream:
        """The encoder of a codec other than libx264 (`encode/formats.py`), tagged like it."""
        s, fmt = self.settings, self.format
        codec = fmt.video
        assert codec is not None
        stream = container.add_stream(codec.encoder, rate=self.rate)
        cc = stream.codec_context
        cc.width = self._enc_w
        cc.height = self._enc_h
        cc.pix_fmt = self._pix_fmt
        cc.time_base = 1 / self.rate
        stream.time_base = 1 / self.rate
        if not self._bt601:
            cc.colorspace = _BT709
            cc.color_primaries = _BT709
            cc.color_trc = _BT709
            cc.color_range = _RANGE_TV
        threads = s.thread_count()
        options: dict[str, str] = {}
        if fmt.codec == "h265":
            params = [f"keyint={keyint * 2}", "min-keyint=1", "scenecut=0", "open-gop=0", "bframes=0",
                      f"pools={threads}", "log-level=error"]  # fmt: skip
            if s.bitrate is not None:
                cc.bit_rate = s.bitrate
            else:
                options["crf"] = str(s.crf if s.crf is not None else _CRF["h265"])
            options.update({"preset": s.speed, "forced-idr": "1", "x265-params": ":".join(params)})
            stream.codec_tag = "hvc1"  # plays in Safari and QuickTime (hev1 does not)
        elif fmt.codec == "av1":
            # SVT-AV1 prints its configuration to stderr at info level; errors only unless asked
            os.environ.setdefault("SVT_LOG", "2" if log.isEnabledFor(logging.DEBUG) else "1")
            if s.bitrate is not None:
                cc.bit_rate = s.bitrate
            else:
                options["crf"] = str(s.crf if s.crf is not None else _CRF["av1"])
            cc.gop_size = keyint * 2
            options["preset"] = str(_SVT_PRESET[s.speed])
            options["svtav1-params"] = f"lp={threads}:scd=0"
        elif fmt.codec == "vp9":
            cc.thread_count = threads
            cc.gop_size = keyint * 2
            cc.bit_rate = s.bitrate if s.bitrate is not None else 0
            if s.bitrate is None or s.crf is not None:
                default = _CRF["vp9-alpha"] if fmt.alpha else _CRF["vp9"]
                options["crf"] = str(s.crf if s.crf is not None else default)
            options.update({"deadline": "good", "cpu-used": str(_VPX_CPU_USED[s.speed]), "row-mt": "1"})
            if fmt.alpha:  # libvpx encodes alpha as a second stream; alt-ref frames are not supported there
                options["auto-alt-ref"] = "0"
        elif fmt.codec == "prores":
            cc.thread_count = threads
            options["profile"] = "4" if self._pix_fmt.startswith(("yuv444", "yuva444")) else "3"
            options["vendor"] = "apl0"
            if fmt.alpha:
                options["alpha_bits"] = "16"
        elif fmt.codec == "webp":
            cc.thread_count = 1
            quality = max(0, 100 - 2 * s.crf) if s.crf is not None else 90
            options.update({"lossless": "0", "quality": str(quality)})
        cc.options = options
        stream.metadata["handler_name"] = s.handler_name
        return stream

    def _add_audio_stream(self, container: OutputContainer) -> AudioStream:
        encoder = self.format.audio_encoder or "aac"
        if encoder != "aac":
            generic = container.add_stream(encoder, rate=self.audio_rate)
            generic.layout = "stereo"
            generic.bit_rate = (
                min(self.audio_bitrate, 128_000) if encoder == "libopus" else self.audio_bitrate
            )
            generic.time_base = Fraction(1, self.audio_rate)
            generic.metadata["handler_name"] = self.settings.handler_name
            return generic
        stream = container.add_stream("aac", rate=self.audio_rate)
        stream.layout = "stereo"
        stream.format = "fltp"
        stream.bit_rate = self.audio_bitrate
        stream.time_base = Fraction(1, self.audio_rate)
        stream.metadata["handler_name"] = self.settings.handler_name
        return stream

    def _encode_audio(self, container: OutputContainer, upto: int) -> None:
        """Encode the mix up to sample `upto` (whole 1024-sample frames, the tail only at the end)."""
        audio, stream = self.audio, self._audio_stream
        if audio is None or stream is None:
            return
        total = audio.shape[1]
        upto = min(upto, total)
        while self._audio_pos < upto:
            count = min(_AAC_FRAME, total - self._audio_pos)
            if count < _AAC_FRAME and upto < total:
                break  # a partial frame only as the very last one
            start = self._audio_pos
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(audio[:, start : start + count]), format="fltp", layout="stereo"
            )
            frame.sample_rate = self.audio_rate
            frame.pts = start
            frame.time_base = Fraction(1, self.audio_rate)
            self._mux_packets(container, stream.encode(frame))
            self._audio_pos += count

    def __enter__(self) -> Muxer:
        return self.open() if self._state == "new" else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # ------------------------------------------------------------------ producer side

    def write(self, frame: PremulRGBA8, *, damage: Sequence[tuple[int, int, int, int]] | None = None) -> None:
        """Convert and queue one (H, W, 4) uint8 premultiplied frame (`pixel_format` order).

        The pixels are converted to yuv420p on the converter thread. By default they are read before
        this returns, so the caller may reuse the buffer. With `deferred_read` this returns at once
        and the caller must call `fence` before it changes `frame`. Blocks while
        `queue_frames` frames are already waiting (back-pressure). Raises the converter's or the
        encoder's error, as an EncodeError, as soon as it is known (and removes the temp file).

        `damage` says where `frame` differs from the previous frame written: None = anywhere (the
        whole frame is converted), [] = nowhere (the previous conversion is reused), or pixel boxes
        (left, top, right, bottom) — only those are converted, with a margin, and patched into a copy
        of the previous conversion. The result is the same as converting the whole frame (swscale's
        taps reach less than the margin); the retained compositor reports these boxes.
        """
        if self._state != "open":
            raise EncodeError(f"{self!r}: write on a muxer that is not open")
        if self.frame_count is not None and self.frames_written >= self.frame_count:
            raise EncodeError(f"{self!r}: more frames than frame_count={self.frame_count}")
        if frame.shape != (self.height, self.width, 4) or frame.dtype != np.uint8:
            raise EncodeError(
                f"frame {self.frames_written}: expected ({self.height}, {self.width}, 4) uint8; "
                f"got {frame.shape} {frame.dtype}",
                frame=self.frames_written,
            )
        try:
            self.fence()  # at most one conversion pending
            self._take_free_buffer()
        except EncodeError:  # the encoder failed: nothing more can be written, drop the temp file now
            self.abort()
            raise
        self._read.clear()
        self._to_convert.put((self.frames_written, frame, None if damage is None else list(damage)))
        self.frames_written += 1
        if not self.deferred_read:
            self.fence()
            try:
                self._raise_worker_error()
            except EncodeError:
                self.abort()
                raise

    def fence(self) -> None:
        """Wait until the frame last given to `write` has been read; then its buffer may change.

        Returns at once when nothing is pending. Never raises the converter's error (`write` and
        `close` do): a failed or stopped converter reads nothing more.
        """
        if self._read.is_set():
            return
        start = time.perf_counter()
        try:
            while not self._read.wait(0.1):  # short timeouts keep Ctrl-C responsive
                thread = self._converter
                if thread is None or not thread.is_alive():
                    return
        finally:
            self.wait_seconds += time.perf_counter() - start

    # ------------------------------------------------------------------ converter thread

    def _convert_run(self) -> None:
        try:
            while True:
                item = self._to_convert.get()
                if item is None or self._abort.is_set():
                    break
                index, frame, damage = item
                start = time.perf_counter()
                try:
                    yuv = self._convert(frame, damage)
                finally:
                    del frame, item
                    self._read.set()
                with self._pool_lock:
                    self._pending[id(yuv)] = self._pending.get(id(yuv), 0) + 1
                    previous, self._last_yuv = self._last_yuv, yuv
                    if previous is not None and previous is not yuv and id(previous) not in self._pending:
                        self._spare_picture(previous)
                    del previous
                self._full.put((index, yuv))
                del yuv
                self.convert_seconds += time.perf_counter() - start
        except BaseException as exc:  # re-raised on the producer side
            if self._error is None:
                self._error = exc
            self._free.put(-1)  # wake a producer blocked on the queue
        finally:
            self._read.set()

    def _convert(
        self, frame: np.ndarray[Any, Any], damage: Sequence[tuple[int, int, int, int]] | None
    ) -> av.VideoFrame:
        if (self._enc_h, self._enc_w) != frame.shape[:2]:  # odd size: pad by repeating the last row/column
            if self._pad is None:
                self._pad = np.empty((self._enc_h, self._enc_w, 4), np.uint8)
            buf = self._pad
            buf[: self.height, : self.width] = frame
            if self._enc_w != self.width:
                buf[: self.height, self.width :] = frame[:, -1:]
            if self._enc_h != self.height:
                buf[self.height :] = buf[self.height - 1 : self.height]
            frame = buf
        elif not frame.flags.c_contiguous:
            frame = np.ascontiguousarray(frame)
        if not self._x264:
            if self.format.alpha:  # alpha is encoded straight, as `vfnative frames` writes it
                frame = unpremultiply(frame)
            return _convert_to(frame, self.pixel_format, self._pix_fmt, bt601=self._bt601)
        if damage is not None and self._last_yuv is not None and frame is not self._pad:
            if not damage:
                self.frames_reused += 1
                return self._last_yuv  # the same picture: libx264 copies its input, sharing is safe
            if sum((r - x) * (b - y) for x, y, r, b in damage) <= _PATCH_MAX * self.width * self.height:
                self.frames_patched += 1
                with self._pool_lock:
                    into = self._spare.pop() if self._spare else None
                    self._patching = True
                self.pictures_recycled += into is not None
                return _patch_yuv420p(self._last_yuv, frame, damage, self.pixel_format, into=into)
        self._patching = False
        return _to_yuv420p(frame, self.pixel_format)

    def _spare_picture(self, yuv: av.VideoFrame) -> None:
        """Keep `yuv` for reuse (caller holds `_pool_lock`): at most `_SPARE_MAX`, and only while the
        latest frame was patched (a render of whole new pictures, such as a video, keeps none)."""
        if self._patching and len(self._spare) < _SPARE_MAX:
            self._spare.append(yuv)

    def _recycle(self, yuv: av.VideoFrame) -> None:
        """`yuv` was encoded once more: libx264 has copied it (`x264_encoder_encode` takes a copy of its
        input), so once no encode is due and no patch will copy from it, its memory may be reused.
        A fresh 3 MB picture per 1080p frame costs ~760 page faults (0.8 ms) that a reused one does not."""
        with self._pool_lock:
            key = id(yuv)
            left = self._pending.get(key, 1) - 1
            if left > 0:
                self._pending[key] = left
                return
            self._pending.pop(key, None)
            if yuv is not self._last_yuv:
                self._spare_picture(yuv)

    def _take_free_buffer(self) -> int:
        start = time.perf_counter()
        try:
            while True:
                self._raise_worker_error()
                try:
                    buf = self._free.get(timeout=0.1)
                except queue.Empty:
                    thread = self._thread
                    if thread is None or not thread.is_alive():
                        self._raise_worker_error()
                        raise EncodeError(f"{self!r}: the encoder thread stopped") from None
                    continue
                self._raise_worker_error()  # the worker wakes us with an empty buffer when it fails
                return buf
        finally:
            self.wait_seconds += time.perf_counter() - start

    def _raise_worker_error(self) -> None:
        err = self._error
        if err is None:
            return
        if isinstance(err, EncodeError):
            raise err
        raise EncodeError(f"{self.output}: encoding failed: {err}", source=str(self.output)) from err

    def close(self) -> Path:
        """Flush the encoder, finish the MP4 and move it into place; returns the output path.

        Raises EncodeError (and leaves no file) if fewer than `frame_count` frames were written.
        """
        if self._state == "closed":
            return self.output
        if self._state != "open":
            raise EncodeError(f"{self!r}: close on a muxer that is not open")
        try:
            if self.frame_count is not None and self.frames_written != self.frame_count:
                raise EncodeError(
                    f"{self.output}: wrote {self.frames_written} of {self.frame_count} frames",
                    source=str(self.output),
                )
            if self.frames_written == 0:
                raise EncodeError(f"{self.output}: no frames were written", source=str(self.output))
            start = time.perf_counter()
            self._to_convert.put(_STOP)
            self._join_converter()
            self._raise_worker_error()
            self._full.put(_STOP)
            self._join()
            self.wait_seconds += time.perf_counter() - start
            self._raise_worker_error()
            assert self._container is not None
            try:
                self._container.close()  # writes the index; with +faststart it is moved to the front
            except av.FFmpegError as exc:
                raise EncodeError(
                    f"{self.output}: cannot finish the {self.format.container.name.upper()}: {exc}",
                    source=str(self.output),
                ) from exc
            self._container = None
            try:
                if self.stream_out is None:
                    assert self._tmp is not None
                    os.replace(self._tmp, self.output)
                elif self._tmp is not None:
                    with self._tmp.open("rb") as f:
                        shutil.copyfileobj(f, self.stream_out, 1 << 20)
                    self._tmp.unlink()
                if self.stream_out is not None:
                    self.stream_out.flush()
            except OSError as exc:
                raise EncodeError(
                    f"{self.output}: cannot write the output: {exc}", source=str(self.output)
                ) from exc
            self._tmp = None
        except BaseException:
            self.abort()
            raise
        self._state = "closed"
        self._end_fast_switching()
        log.debug("finished %r", self)
        return self.output

    def abort(self) -> None:
        """Stop the encoder and delete the temp file; no output is left. Safe to call more than once."""
        if self._state in ("closed", "aborted"):
            return
        self._abort.set()
        self._to_convert.put(_STOP)
        self._full.put(_STOP)
        self._join_converter()
        self._join()
        self._discard()

    def _join(self) -> None:
        _join_thread(self._thread)
        self._thread = None

    def _join_converter(self) -> None:
        _join_thread(self._converter)
        self._converter = None

    def _end_fast_switching(self) -> None:
        if self._fast_switching:
            self._fast_switching = False
            _release_fast_switching()

    def _discard(self) -> None:
        self._state = "aborted"
        self._end_fast_switching()
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away; keep the original error
                log.debug("closing an aborted container failed", exc_info=True)
            self._container = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    # ------------------------------------------------------------------ encoder thread

    def _mux_packets(self, container: OutputContainer, packets: list[Any]) -> None:
        container.mux(packets)

    def _run(self) -> None:
        from av.video.frame import PictureType

        assert self._container is not None
        assert self._stream is not None
        container, stream = self._container, self._stream
        fps = float(self.rate)
        interval = self.settings.keyframe_interval_s
        last_gop = -1
        try:
            while True:
                item = self._full.get()
                if item is None or self._abort.is_set():
                    break
                index, yuv = item
                start = time.perf_counter()
                yuv.pts = index
                gop = math.floor((self.first_frame + index) / fps / interval + 1e-9)
                # set every time: one frame object may be queued again for an unchanged picture
                yuv.pict_type = PictureType.I if gop != last_gop else PictureType.NONE
                last_gop = gop
                self._mux_packets(container, stream.encode(yuv))
                self._recycle(yuv)
                del yuv
                self._free.put(0)  # a slot for the next frame
                self.frames_encoded += 1
                if self.audio is not None:
                    self._encode_audio(container, math.ceil((index + 1) * self.audio_rate / self.rate))
                self.encode_seconds += time.perf_counter() - start
            if not self._abort.is_set():
                start = time.perf_counter()
                self._mux_packets(container, stream.encode(None))
                if self.audio is not None and self._audio_stream is not None:
                    self._encode_audio(container, self.audio.shape[1])
                    self._mux_packets(container, self._audio_stream.encode(None))
                self.encode_seconds += time.perf_counter() - start
        except BaseException as exc:  # re-raised on the producer side
            if self._error is None:
                self._error = exc
            self._free.put(-1)  # wake a producer blocked on the queue


_FAST_SWITCH_S = 0.0005
"""GIL switch interval while a muxer is open (Python's default is 5 ms). The drawing thread runs
Python most of the time; the encoder and converter threads need the GIL for a few short steps per
frame (queue hand-offs, muxing packets, plane copies), and each step waited up to a whole interval
for it while libx264's threads ran out of work. Dashboard bench, 5 alternating runs: 3.17 -> 3.08 s
median; 0.2 and 1 ms measured the same as 0.5 ms."""
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved: float | None = None


def _hold_fast_switching() -> None:
    """Shorten the GIL switch interval while at least one muxer is open (counted; see `_FAST_SWITCH_S`)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            current = sys.getswitchinterval()
            _switch_saved = current if current > _FAST_SWITCH_S else None
            if _switch_saved is not None:
                sys.setswitchinterval(_FAST_SWITCH_S)
        _switch_users += 1


def _release_fast_switching() -> None:
    """Undo one `_hold_fast_switching`; the last open muxer restores the interval found before."""
    global _switch_users, _switch_saved
    with _switch_lock:
        _switch_users -= 1
        if _switch_users == 0 and _switch_saved is not None:
            sys.setswitchinterval(_switch_saved)
            _switch_saved = None


_SPARE_MAX = 2
"""Encoded pictures kept for reuse: one is taken per patched frame and one comes back per encode."""
_PATCH_MAX = 0.4
"""Largest damaged fraction of a frame converted box by box; above it the whole frame is converted."""
_PATCH_REACH_X, _PATCH_REACH_Y = 16, 4
"""How far outside a changed pixel swscale's 4:2:0 chroma filter can change output samples: each
damage box is grown by this (then aligned to 16 × 2 pixels) before its samples are replaced."""
_PATCH_MARGIN_X, _PATCH_MARGIN_Y = 16, 8
"""Pixels converted around a grown box so its samples have all their filter taps (then dropped)."""


def _join_thread(thread: threading.Thread | None) -> None:
    """Wait for `thread` to end, in short timeouts so Ctrl-C stays responsive while it flushes."""
    if thread is None:
        return
    while thread.is_alive():
        thread.join(timeout=0.2)


def _planes_of(frame: av.VideoFrame) -> list[np.ndarray[Any, Any]]:
    """(rows, width) views of a yuv420p frame's planes (writable where the frame is)."""
    return [
        np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width]  # type: ignore[call-overload]
        for p in frame.planes
    ]


def _patch_yuv420p(
    previous: av.VideoFrame, pixels: np.ndarray[Any, Any], boxes: Sequence[tuple[int, int, int, int]],
    pixel_format: str, *, into: av.VideoFrame | None = None,
) -> av.VideoFrame:  # fmt: skip
    """A copy of `previous` with `boxes` of `pixels` converted again; equal to converting all of `pixels`.

    The copy is written into `into` (a yuv420p picture of the same size nothing else uses) when
    given, else into a new picture. Checked against whole-frame conversion on random pixels and boxes
    (tests/perf/test_pipeline.py).
    """
    h, w = pixels.shape[:2]
    if into is not None and (into.width, into.height, into.format.name) == (w, h, "yuv420p"):
        frame = into
    else:
        frame = av.VideoFrame(w, h, "yuv420p")
    y, u, v = planes = _planes_of(frame)
    for dst, src in zip(planes, _planes_of(previous), strict=True):
        np.copyto(dst, src)
    for left, top, right, bottom in boxes:
        x0 = max(0, (left - _PATCH_REACH_X) // 16 * 16)
        x1 = min(w, -(-(right + _PATCH_REACH_X) // 16) * 16)
        y0 = max(0, (top - _PATCH_REACH_Y) // 2 * 2)
        y1 = min(h, -(-(bottom + _PATCH_REACH_Y) // 2) * 2)
        if x1 <= x0 or y1 <= y0:
            continue
        sx0, sx1 = max(0, x0 - _PATCH_MARGIN_X), min(w, x1 + _PATCH_MARGIN_X)
        sy0, sy1 = max(0, y0 - _PATCH_MARGIN_Y), min(h, y1 + _PATCH_MARGIN_Y)
        part = _planes_of(_to_yuv420p(np.ascontiguousarray(pixels[sy0:sy1, sx0:sx1]), pixel_format))
        y[y0:y1, x0:x1] = part[0][y0 - sy0 : y1 - sy0, x0 - sx0 : x1 - sx0]
        cy0, cy1, cx0, cx1 = y0 // 2, y1 // 2, x0 // 2, x1 // 2
        oy, ox = sy0 // 2, sx0 // 2
        u[cy0:cy1, cx0:cx1] = part[1][cy0 - oy : cy1 - oy, cx0 - ox : cx1 - ox]
        v[cy0:cy1, cx0:cx1] = part[2][cy0 - oy : cy1 - oy, cx0 - ox : cx1 - ox]
    frame.colorspace = previous.colorspace
    frame.color_range = previous.color_range
    return frame


def unpremultiply(buf: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A straight-alpha copy of premultiplied (H, W, 4) pixels, alpha last (RGBA or BGRA).

    The same arithmetic as raster's `to_rgba8` (c·255/a rounded half up; opaque and transparent
    pixels copied), so an alpha output's pixels equal the PNG frames'; tests/encode/test_formats.py
    checks that a transparent PNG sequence equals ``vfnative frames --transparent`` exactly.
    """
    out = buf.copy()
    alpha = buf[..., 3]
    partial = (alpha != 255) & (alpha != 0)
    if partial.any():
        a = alpha[partial].astype(np.uint32)[:, None]
        c = buf[partial][:, :3].astype(np.uint32)
        out[partial, :3] = np.minimum((c * 255 + a // 2) // a, 255).astype(np.uint8)
    return out


def _seekable(f: IO[bytes]) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, OSError, ValueError):
        return False


_CRF = {"h265": 24, "av1": 32, "vp9": 31, "vp9-alpha": 2}
"""Default constant-quality factors (no `crf` or `bitrate` given): visually close to the H.264
reference bitrate at 1080p; README "Output formats" lists the measured sizes. VP9 with alpha uses
2: libvpx codes the alpha plane with the colour settings, and at 31 antialiased edges came back up
to 56 levels off (shapes golden, 320x180); at 2 within 5, for about the same size on graphics."""
_SVT_PRESET = {"ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8, "medium": 7,
               "slow": 6, "slower": 5, "veryslow": 4}  # fmt: skip
"""x264 speed preset → SVT-AV1 preset (0 slowest .. 13 fastest)."""
_VPX_CPU_USED = {"ultrafast": 8, "superfast": 7, "veryfast": 6, "faster": 5, "fast": 4, "medium": 3,
                 "slow": 2, "slower": 1, "veryslow": 0}  # fmt: skip
"""x264 speed preset → libvpx ``cpu-used`` (deadline good)."""


def _convert_to(
    pixels: np.ndarray[Any, Any], pixel_format: str, dst: str, *, bt601: bool = False
) -> av.VideoFrame:
    """Wrap `pixels` without copying and convert them to `dst` (BT.709 matrix, or BT.601 for WebP;
    limited range); alpha is carried into an alpha plane when `dst` has one."""
    from av.video.reformatter import ColorRange, Colorspace

    wrapped = av.VideoFrame.from_numpy_buffer(pixels, format=pixel_format)
    matrix = Colorspace.ITU601 if bt601 else Colorspace.ITU709
    return wrapped.reformat(format=dst, dst_colorspace=matrix, dst_color_range=ColorRange.MPEG, threads=1)


def _to_yuv420p(pixels: np.ndarray[Any, Any], pixel_format: str) -> av.VideoFrame:
    """Wrap `pixels` without copying and convert them to yuv420p, BT.709 matrix, limited range.

    swscale runs without the GIL; one thread, since the encoder's threads already use the others.
    """
    from av.video.reformatter import ColorRange, Colorspace

    wrapped = av.VideoFrame.from_numpy_buffer(pixels, format=pixel_format)
    return wrapped.reformat(
        format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG, threads=1
    )


def video_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """An ffprobe-like summary of an MP4's first video stream, its audio stream and layout, as JSON-ready data.

    Used to check outputs by metadata (codec, size, rates, frame count, pixel format, colour tags,
    keyframe times, top-level box order) rather than by bytes, which change with x264 versions.
    """
    boxes = _top_level_boxes(Path(path))
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        cc = stream.codec_context
        tb = stream.time_base
        assert tb is not None
        keyframes: list[float] = []
        packets = 0
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            packets += 1
            if packet.is_keyframe and packet.pts is not None:
                keyframes.append(round(float(packet.pts * tb), 6))
        rate = stream.average_rate
        audio = _audio_summary(container)
        return {
            "codec": cc.name,
            "profile": cc.profile,
            "level": getattr(cc, "level", None),
            "width": cc.width,
            "height": cc.height,
            "pix_fmt": cc.pix_fmt,
            "time_base": f"{tb.numerator}/{tb.denominator}",
            "avg_frame_rate": f"{rate.numerator}/{rate.denominator}" if rate else None,
            "nb_frames": stream.frames,
            "packets": packets,
            "has_b_frames": bool(getattr(cc, "has_b_frames", 0)),
            "color_space": int(cc.colorspace),
            "color_primaries": int(cc.color_primaries),
            "color_trc": int(cc.color_trc),
            "color_range": int(cc.color_range),
            "handler_name": stream.metadata.get("handler_name"),
            "keyframes": sorted(keyframes),
            "boxes": boxes,
            "duration": float(stream.duration * tb) if stream.duration else None,
            "audio": audio,
        }


def _audio_summary(container: Any) -> dict[str, Any] | None:
    """Codec, profile, rate, channels, bitrate, start and duration (s) of the first audio stream."""
    if not container.streams.audio:
        return None
    stream = container.streams.audio[0]
    cc = stream.codec_context
    tb = stream.time_base
    return {
        "codec": cc.name,
        "profile": cc.profile,
        "sample_rate": cc.sample_rate,
        "channels": cc.channels,
        "bit_rate": cc.bit_rate,
        "start": float(stream.start_time * tb) if stream.start_time is not None and tb else None,
        "duration": float(stream.duration * tb) if stream.duration and tb else None,
        "handler_name": stream.metadata.get("handler_name"),
    }


def _top_level_boxes(path: Path) -> list[str]:
    """Top-level ISO BMFF box types in file order, e.g. ``["ftyp", "moov", "mdat"]``."""
    boxes: list[str] = []
    size_total = path.stat().st_size
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= size_total:
            f.seek(offset)
            header = f.read(16)
            size = int.from_bytes(header[:4], "big")
            kind = header[4:8].decode("latin-1")
            if size == 1:
                size = int.from_bytes(header[8:16], "big")
            elif size == 0:
                size = size_total - offset
            if size < 8:
                break
            boxes.append(kind)
            offset += size
    return boxes

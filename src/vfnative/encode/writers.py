"""The outputs that are not a stream of coded pictures in a container: GIF, image sequences, audio files.

* `GifWriter`: one palette per render. Frames are scaled to the web size and written as raw RGB to
  a temp file while FFmpeg's ``palettegen`` counts their colours; at `close` the palette is built
  and a second pass over the temp file maps every frame to it (``paletteuse``, optionally dithered)
  and encodes the GIF. Memory stays at one frame; the temp file holds W·H·3 bytes per frame.
* `ImageSequenceWriter`: ``frames/%05d.png`` (or ``.jpg``, ``.webp``), one file per frame numbered by
  its document frame (0-based, like `vfnative frames`), each written atomically. An error removes
  the files this writer wrote.
* `write_audio_file`: the stereo mix as M4A (AAC), MP3, Ogg Opus or FLAC (WAV is written by
  `audio/wav.py`, the reference's conversion).

They take the frames the `Muxer` takes (premultiplied; alpha outputs un-premultiply them) and have
its producer interface (`write`, `fence`, `close`, `abort`), but convert and encode synchronously:
these formats are not the speed path. Imports av, numpy, settings, errors and encode.formats.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

import av
import numpy as np
import numpy.typing as npt

from vfnative.encode.formats import OutputFormat
from vfnative.errors import EncodeError
from vfnative.settings import EncodeSettings

__all__ = ["GifWriter", "ImageSequenceWriter", "write_audio_file"]

log = logging.getLogger(__name__)


def _frame_rate(fps: float | Fraction) -> Fraction:
    from vfnative.encode.mux import frame_rate

    return frame_rate(fps)


class _SyncWriter:
    """The producer interface of `Muxer`, for writers that encode on the caller's thread."""

    deferred_read = False

    def __init__(self, frame_count: int | None, pixel_format: str) -> None:
        self.frame_count = frame_count
        self.pixel_format = pixel_format
        self.frames_written = 0
        self.frames_encoded = 0
        self.encode_seconds = 0.0
        self.convert_seconds = 0.0
        self.wait_seconds = 0.0
        self._state = "new"

    def __enter__(self) -> Any:
        return self.open() if self._state == "new" else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def open(self) -> Any:
        self._state = "open"
        return self

    def fence(self) -> None:
        """Nothing to wait for: `write` has read the pixels when it returns."""

    def _check(self, frame: np.ndarray[Any, Any], height: int, width: int) -> None:
        if self._state != "open":
            raise EncodeError(f"{self!r}: write on a writer that is not open")
        if self.frame_count is not None and self.frames_written >= self.frame_count:
            raise EncodeError(f"{self!r}: more frames than frame_count={self.frame_count}")
        if frame.shape != (height, width, 4) or frame.dtype != np.uint8:
            raise EncodeError(
                f"frame {self.frames_written}: expected ({height}, {width}, 4) uint8; "
                f"got {frame.shape} {frame.dtype}",
                frame=self.frames_written,
            )

    def _check_count(self, what: str) -> None:
        if self.frame_count is not None and self.frames_written != self.frame_count:
            raise EncodeError(
                f"{what}: wrote {self.frames_written} of {self.frame_count} frames", source=what
            )
        if self.frames_written == 0:
            raise EncodeError(f"{what}: no frames were written", source=what)

    def close(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def abort(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def _wrap(pixels: np.ndarray[Any, Any], pixel_format: str) -> av.VideoFrame:
    return av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(pixels), format=pixel_format)


class GifWriter(_SyncWriter):
    """An animated GIF with one palette computed over the whole render (see the module docstring).

    Frames are composited over black (GIF has 1-bit transparency only, so alpha is refused).
    Wider renders are scaled down to `EncodeSettings.gif_max_width` (area averaging).
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
    ) -> None:
        super().__init__(frame_count, pixel_format)
        self.stream_out = None if isinstance(output, str | os.PathLike) else output
        self.output = Path(output) if isinstance(output, str | os.PathLike) else Path("-")
        self.width, self.height = int(width), int(height)
        self.settings = settings or EncodeSettings()
        self.rate = _frame_rate(fps)
        out_w = min(self.width, self.settings.gif_max_width)
        self.out_size = (out_w, max(1, round(self.height * out_w / self.width)))
        """(width, height) of the GIF."""
        self._raw: IO[bytes] | None = None
        self._raw_path: Path | None = None
        self._tmp: Path | None = None
        self._graph: Any = None

    def __repr__(self) -> str:
        return f"<GifWriter {self.output.name} {self.out_size[0]}x{self.out_size[1]} frames={self.frames_written}>"

    def open(self) -> GifWriter:
        if self.stream_out is None and not self.output.parent.is_dir():
            raise EncodeError(f"{self.output}: the output folder does not exist", source=str(self.output))
        folder = self.output.parent if self.stream_out is None else Path(tempfile.gettempdir())
        self._raw_path = folder / f".{self.output.name}.{secrets.token_hex(4)}.rgb.part"
        self._raw = self._raw_path.open("wb")
        w, h = self.out_size
        graph = av.filter.Graph()
        src = graph.add_buffer(width=w, height=h, format="rgb24", time_base=1 / self.rate)
        palettegen = graph.add("palettegen", "stats_mode=full")
        sink = graph.add("buffersink")
        src.link_to(palettegen)
        palettegen.link_to(sink)
        graph.configure()
        self._graph = (graph, src, sink)
        self._state = "open"
        return self

    def write(self, frame: np.ndarray[Any, Any], *, damage: Sequence[Any] | None = None) -> None:
        """Scale `frame` to the GIF size, count its colours and keep it for the second pass."""
        self._check(frame, self.height, self.width)
        assert self._raw is not None
        try:
            w, h = self.out_size
            rgb = _wrap(frame, self.pixel_format).reformat(width=w, height=h, format="rgb24",
                                                          interpolation="AREA")  # fmt: skip
            rgb.pts = self.frames_written
            rgb.time_base = 1 / self.rate
            self._graph[1].push(rgb)
            self._raw.write(rgb.to_ndarray().tobytes())
        except BaseException:
            self.abort()
            raise
        self.frames_written += 1

    def close(self) -> Path:
        """Build the palette, map and encode every frame, move the GIF into place; returns its path."""
        if self._state == "closed":
            return self.output
        try:
            self._check_count(str(self.output))
            assert self._raw is not None
            assert self._raw_path is not None
            self._raw.close()
            _graph, src, sink = self._graph
            src.push(None)
            palette = sink.pull()
            folder = self.output.parent if self.stream_out is None else Path(tempfile.gettempdir())
            self._tmp = folder / f".{self.output.name}.{secrets.token_hex(4)}.part"
            self._encode(palette, self._tmp)
            if self.stream_out is None:
                os.replace(self._tmp, self.output)
            else:
                with self._tmp.open("rb") as f:
                    shutil.copyfileobj(f, self.stream_out, 1 << 20)
                self.stream_out.flush()
                self._tmp.unlink()
            self._tmp = None
        except av.FFmpegError as exc:
            self.abort()
            raise EncodeError(f"{self.output}: cannot write the GIF: {exc}", source=str(self.output)) from exc
        except BaseException:
            self.abort()
            raise
        self._discard_raw()
        self._state = "closed"
        return self.output

    def _encode(self, palette: av.VideoFrame, path: Path) -> None:
        w, h = self.out_size
        tb = 1 / self.rate
        graph = av.filter.Graph()
        src = graph.add_buffer(width=w, height=h, format="rgb24", time_base=tb)
        pal = graph.add_buffer(width=palette.width, height=palette.height, format=palette.format.name,
                               time_base=tb)  # fmt: skip
        use = graph.add("paletteuse", f"dither={self.settings.dither}:new=0")
        sink = graph.add("buffersink")
        src.link_to(use, 0, 0)
        pal.link_to(use, 0, 1)
        use.link_to(sink)
        graph.configure()
        palette.pts = 0
        pal.push(palette)
        pal.push(None)
        assert self._raw_path is not None
        size = w * h * 3
        with av.open(str(path), "w", format="gif", options={"loop": "0"}) as out:
            stream = out.add_stream("gif", rate=self.rate)
            stream.width, stream.height, stream.pix_fmt = w, h, "pal8"
            stream.codec_context.time_base = tb
            index = 0

            def drain() -> None:
                nonlocal index
                while True:
                    try:
                        mapped = sink.pull()
                    except (av.error.BlockingIOError, av.error.EOFError):
                        return
                    mapped.pts = index
                    mapped.time_base = tb
                    index += 1
                    out.mux(stream.encode(mapped))
                    self.frames_encoded += 1

            with self._raw_path.open("rb") as raw:
                for i in range(self.frames_written):
                    data = np.frombuffer(raw.read(size), np.uint8).reshape(h, w, 3)
                    frame = av.VideoFrame.from_ndarray(data, format="rgb24")
                    frame.pts = i
                    frame.time_base = tb
                    src.push(frame)
                    drain()
            src.push(None)
            drain()
            out.mux(stream.encode(None))

    def _discard_raw(self) -> None:
        if self._raw is not None:
            self._raw.close()
        if self._raw_path is not None:
            self._raw_path.unlink(missing_ok=True)
        self._raw = self._raw_path = None
        self._graph = None

    def abort(self) -> None:
        """Remove the temp files; no output is left. Safe to call more than once."""
        if self._state in ("closed", "aborted"):
            return
        self._state = "aborted"
        self._discard_raw()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


class ImageSequenceWriter(_SyncWriter):
    """One image file per frame: ``pattern % n`` for document frame n (see the module docstring).

    Frames are premultiplied: opaque outputs keep them composited over black; alpha outputs (PNG
    ``rgba``, WebP ``yuva420p``) un-premultiply them (as `vfnative frames` does). PNG is lossless:
    decoded files equal the frames exactly.
    """

    def __init__(
        self,
        pattern: str | os.PathLike[str],
        *,
        width: int,
        height: int,
        fps: float | Fraction,
        output_format: OutputFormat,
        frame_count: int | None = None,
        settings: EncodeSettings | None = None,
        pixel_format: Literal["rgba", "bgra"] = "rgba",
        first_frame: int = 0,
    ) -> None:
        super().__init__(frame_count, pixel_format)
        self.output = Path(pattern)
        self.width, self.height = int(width), int(height)
        self.format = output_format
        self.settings = settings or EncodeSettings()
        self.rate = _frame_rate(fps)
        self.first_frame = int(first_frame)
        self.written: list[Path] = []
        """Files written so far (removed again by `abort`)."""
        self._codec: Any = None

    def __repr__(self) -> str:
        return f"<ImageSequenceWriter {self.output} frames={self.frames_written}>"

    def path_of(self, n: int) -> Path:
        """The file of document frame `n`."""
        return self.output.with_name(self.output.name % n)

    def open(self) -> ImageSequenceWriter:
        try:
            self.output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EncodeError(
                f"{self.output}: cannot create the folder: {exc}", source=str(self.output)
            ) from exc
        codec = self.format.video
        assert codec is not None
        assert self.format.pix_fmt is not None
        cc = av.CodecContext.create(codec.encoder, "w")
        cc.width, cc.height, cc.pix_fmt = self.width, self.height, self.format.pix_fmt
        cc.time_base = 1 / self.rate
        if self.format.codec == "png":
            # zlib level 3: a 1080p photo frame in 0.10 s instead of 0.37 s at the default 6, 3.5 % larger
            cc.options = {"compression_level": "3"}
        elif self.format.codec == "jpeg":
            cc.qmin = cc.qmax = 2  # the best mjpeg quantiser: ~45 dB on rendered graphics
        elif self.format.codec == "webp":
            cc.options = {
                "quality": str(100 - 2 * self.settings.crf if self.settings.crf is not None else 90)
            }
        self._codec = cc
        self._state = "open"
        return self

    def write(self, frame: np.ndarray[Any, Any], *, damage: Sequence[Any] | None = None) -> None:
        """Encode `frame` and write it to its own file, atomically."""
        self._check(frame, self.height, self.width)
        n = self.first_frame + self.frames_written
        path = self.path_of(n)
        tmp = path.with_name(f".{path.name}.part")
        try:
            pix = self.format.pix_fmt
            assert pix is not None
            if self.format.alpha:
                from vfnative.encode.mux import unpremultiply

                frame = unpremultiply(frame)
            from av.video.reformatter import ColorRange, Colorspace

            if pix in ("rgb24", "rgba"):
                picture = _wrap(frame, self.pixel_format).reformat(format=pix)
            else:
                # JPEG and WebP define their YUV as BT.601 (JPEG: full range)
                full = ColorRange.JPEG if pix == "yuvj420p" else ColorRange.MPEG
                picture = _wrap(frame, self.pixel_format).reformat(
                    format=pix, dst_colorspace=Colorspace.ITU601, dst_color_range=full
                )
            picture.pts = self.frames_written
            data = b"".join(bytes(p) for p in self._codec.encode(picture))
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self.written.append(path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            self.abort()
            if isinstance(exc, av.FFmpegError | OSError):
                raise EncodeError(
                    f"{path}: cannot write the frame: {exc}", source=str(path), frame=n
                ) from exc
            raise
        self.frames_written += 1
        self.frames_encoded += 1

    def close(self) -> Path:
        if self._state == "closed":
            return self.output
        try:
            self._check_count(str(self.output))
        except BaseException:
            self.abort()
            raise
        self._state = "closed"
        return self.output

    def abort(self) -> None:
        """Remove every file this writer wrote. Safe to call more than once."""
        if self._state in ("closed", "aborted"):
            return
        self._state = "aborted"
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()


def write_audio_file(
    samples: npt.NDArray[np.float32],
    output: str | os.PathLike[str] | IO[bytes],
    output_format: OutputFormat,
    *,
    rate: int = 48_000,
    bitrate: int = 192_000,
) -> None:
    """Encode a (2, n) planar float32 mix (clipped to [-1, 1]) as `output_format`, atomically.

    A file object receives the finished file (a pipe: the stream as it is encoded).
    """
    planar = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    if planar.ndim != 2 or planar.shape[0] != 2 or planar.shape[1] < 1:
        raise EncodeError(f"audio: expected (2, n) planar stereo samples, n >= 1; got shape {planar.shape}")
    encoder = output_format.audio_encoder
    assert encoder is not None
    stream_out = None if isinstance(output, str | os.PathLike) else output
    path = Path(output) if isinstance(output, str | os.PathLike) else Path("-")
    target: Any
    tmp: Path | None = None
    if output_format.pipe:
        target = output
    else:
        folder = path.parent if stream_out is None else Path(tempfile.gettempdir())
        if not folder.is_dir():
            raise EncodeError(f"{path}: the output folder does not exist", source=str(path))
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        target = str(tmp)
    try:
        with av.open(target, "w", format=output_format.container.muxer) as container:
            stream = container.add_stream(encoder, rate=rate)
            stream.layout = "stereo"
            if encoder not in ("flac", "pcm_s16le"):
                stream.bit_rate = min(bitrate, 128_000) if encoder == "libopus" else bitrate
            stream.time_base = Fraction(1, rate)
            step = 4096
            for start in range(0, planar.shape[1], step):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(planar[:, start : start + step]), format="fltp", layout="stereo"
                )
                frame.sample_rate = rate
                frame.pts = start
                frame.time_base = Fraction(1, rate)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        if tmp is not None:
            if stream_out is None:
                os.replace(tmp, path)
            else:
                with tmp.open("rb") as f:
                    shutil.copyfileobj(f, stream_out, 1 << 20)
                tmp.unlink()
        if stream_out is not None:
            stream_out.flush()
    except av.FFmpegError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise EncodeError(f"{path}: cannot encode the audio: {exc}", source=str(path)) from exc
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise

"""encode.stitch: pieces joined without re-encoding equal one continuous encode, frame for frame."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest

from vfnative.encode.mux import Muxer, video_metadata
from vfnative.encode.stitch import probe_piece, stitch, write_audio_piece
from vfnative.errors import EncodeError
from vfnative.settings import EncodeSettings

W, H, FPS = 64, 36, 30
LOSSLESS = EncodeSettings(lossless=True, keyframe_interval_s=1.0, threads=1)


def _frames(n: int) -> list[np.ndarray]:
    """Opaque BGRA frames with a moving bar and a ramp (premultiplied == straight)."""
    out = []
    for i in range(n):
        f = np.full((H, W, 4), 255, np.uint8)
        f[..., 0] = (np.arange(W) * 4 + i * 3) % 256
        f[..., 1] = (i * 7) % 256
        f[8:20, (i * 2) % (W - 8) : (i * 2) % (W - 8) + 8, 2] = 0
        out.append(f)
    return out


def _encode(path: Path, frames: list[np.ndarray], *, first: int = 0, settings: EncodeSettings = LOSSLESS,
            audio: np.ndarray | None = None) -> Path:  # fmt: skip
    with Muxer(path, width=W, height=H, fps=FPS, frame_count=len(frames), settings=settings,
               pixel_format="bgra", first_frame=first, audio=audio) as mux:  # fmt: skip
        for f in frames:
            mux.write(f)
    return path


def _decoded(path: Path) -> list[tuple[int, np.ndarray]]:
    with av.open(str(path)) as c:
        return [(int(f.pts), f.to_ndarray()) for f in c.decode(video=0)]


def _pieces(tmp_path: Path, frames: list[np.ndarray], cuts: list[int]) -> list[Path]:
    bounds = [0, *cuts, len(frames)]
    return [
        _encode(
            tmp_path / f"piece_{i}.mp4", frames[a:b], first=a, settings=replace(LOSSLESS, faststart=False)
        )
        for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
    ]


def test_stitched_pieces_decode_like_one_encode(tmp_path: Path) -> None:
    frames = _frames(75)
    single = _encode(tmp_path / "single.mp4", frames)
    pieces = _pieces(tmp_path, frames, [23, 50])
    out = stitch(pieces, tmp_path / "out.mp4")
    assert out == tmp_path / "out.mp4"
    want, got = _decoded(single), _decoded(out)
    assert [p for p, _ in got] == [p for p, _ in want] == list(range(75))  # continuous timestamps
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, want, strict=True))
    meta_single, meta_out = video_metadata(single), video_metadata(out)
    # the same file layout, except the extra IDR frame at each piece's start
    assert {k: v for k, v in meta_out.items() if k != "keyframes"} == {
        k: v for k, v in meta_single.items() if k != "keyframes"
    }
    assert meta_out["keyframes"] == sorted(round(t, 6) for t in (0.0, 1.0, 2.0, 23 / 30, 50 / 30))
    assert meta_out["boxes"][:2] == ["ftyp", "moov"]  # fast start
    assert not list(tmp_path.glob(".*.part"))


def test_chunk_keeps_the_whole_renders_keyframes(tmp_path: Path) -> None:
    piece = _encode(tmp_path / "p.mp4", _frames(40), first=20)  # document frames 20..59
    keys = video_metadata(piece)["keyframes"]
    # an IDR frame first, then document frames 30 and 60 would be (1 s, 2 s): piece times 10/30 s
    assert keys == [0.0, round(10 / 30, 6)]
    info = probe_piece(piece)
    assert info.starts_with_keyframe
    assert info.frames == 40


def test_ntsc_rates_stitch_exactly(tmp_path: Path) -> None:
    frames = _frames(20)
    settings = replace(LOSSLESS, faststart=False)
    pieces = []
    for i, (a, b) in enumerate([(0, 9), (9, 20)]):
        path = tmp_path / f"p{i}.mp4"
        with Muxer(path, width=W, height=H, fps=29.97, frame_count=b - a, settings=settings,
                   pixel_format="bgra", first_frame=a) as mux:  # fmt: skip
            for f in frames[a:b]:
                mux.write(f)
        pieces.append(path)
    meta = video_metadata(stitch(pieces, tmp_path / "out.mp4"))
    assert meta["avg_frame_rate"] == "30000/1001"
    assert meta["nb_frames"] == 20
    with av.open(str(tmp_path / "out.mp4")) as c:
        pts = [int(f.pts) for f in c.decode(video=0)]
    assert pts == [i * 1001 for i in range(20)]


def test_audio_piece_is_copied_in(tmp_path: Path) -> None:
    frames = _frames(30)
    t = np.arange(48_000) / 48_000
    mix = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 660 * t)]).astype(np.float32) * 0.3
    single = _encode(tmp_path / "single.mp4", frames, audio=mix)
    pieces = _pieces(tmp_path, frames, [15])
    audio = write_audio_piece(mix, tmp_path / "audio.m4a")
    out = stitch(pieces, tmp_path / "out.mp4", audio=audio)
    assert video_metadata(out)["audio"] == video_metadata(single)["audio"]

    def packets(path: Path) -> list[bytes]:
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]

    assert packets(out) == packets(single)  # the mix encoded once, identically


@pytest.mark.parametrize("problem", ["size", "lossy", "no-keyframe-start", "empty-list"])
def test_incompatible_pieces_are_refused(tmp_path: Path, problem: str) -> None:
    frames = _frames(20)
    a = _encode(tmp_path / "a.mp4", frames[:10])
    if problem == "empty-list":
        with pytest.raises(EncodeError, match="at least one"):
            stitch([], tmp_path / "out.mp4")
        return
    if problem == "size":
        small = [f[:, :32].copy() for f in frames[10:]]
        b = tmp_path / "b.mp4"
        with Muxer(b, width=32, height=H, fps=FPS, settings=LOSSLESS, pixel_format="bgra") as mux:
            for f in small:
                mux.write(f)
        match = "width"
    elif problem == "lossy":
        b = _encode(tmp_path / "b.mp4", frames[10:], settings=EncodeSettings(threads=1))
        match = "differs"
    else:  # a piece cut from a longer encode at a non-keyframe
        long = _encode(tmp_path / "long.mp4", frames)
        b = tmp_path / "b.mp4"
        with av.open(str(long)) as src, av.open(str(b), "w", format="mp4") as dst:
            stream = dst.add_stream_from_template(src.streams.video[0])
            for i, packet in enumerate(p for p in src.demux(src.streams.video[0]) if p.size):
                if i >= 5:
                    packet.stream = stream
                    dst.mux(packet)
        match = "keyframe"
    with pytest.raises(EncodeError, match=match):
        stitch([a, b], tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()
    assert not list(tmp_path.glob(".out.mp4.*"))

"""Muxer: exact frame count and timestamps, BT.709 yuv420p, faststart, forced keyframes, atomic output."""

from __future__ import annotations

import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from vfnative.encode.mux import Muxer, frame_rate, video_metadata
from vfnative.errors import EncodeError
from vfnative.settings import EncodeSettings

W, H = 64, 48
FAST = EncodeSettings(speed="superfast", threads=2, queue_frames=2)


def _frames(n: int, width: int = W, height: int = H) -> list[np.ndarray]:
    """Synthetic premultiplied RGBA frames: a moving bar on a gradient, opaque."""
    out = []
    for i in range(n):
        f = np.zeros((height, width, 4), np.uint8)
        f[..., 0] = np.linspace(0, 255, width, dtype=np.uint8)[None, :]
        f[..., 1] = (i * 7) % 256
        x = i % width
        f[:, x : x + 4, 2] = 255
        f[..., 3] = 255
        out.append(f)
    return out


def _write(path: Path, n: int, fps: float = 30, settings: EncodeSettings = FAST, **kw: int) -> Path:
    frames = _frames(n, kw.get("width", W), kw.get("height", H))
    with Muxer(
        path, width=frames[0].shape[1], height=frames[0].shape[0], fps=fps, frame_count=n, settings=settings
    ) as mux:
        for f in frames:
            mux.write(f)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def six_seconds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    path = _write(tmp_path_factory.mktemp("mux") / "six.mp4", 180)
    return video_metadata(path)


def test_metadata_of_a_six_second_clip(six_seconds: dict[str, object]) -> None:
    meta = dict(six_seconds)
    keyframes = meta.pop("keyframes")
    boxes = meta.pop("boxes")
    assert meta == {
        "codec": "h264",
        "profile": "High",
        "level": 10,  # 64x48 at ~ultra-low bitrate: AVC level 1 (the reference muxer's table)
        "width": W,
        "height": H,
        "pix_fmt": "yuv420p",
        "time_base": "1/30",
        "avg_frame_rate": "30/1",
        "nb_frames": 180,
        "packets": 180,
        "has_b_frames": False,
        "color_space": 1,  # bt709
        "color_primaries": 1,
        "color_trc": 1,
        "color_range": 1,  # tv (limited)
        "handler_name": "VideoFlow.dev",
        "duration": 6.0,
        "audio": None,  # no audio given: no audio stream (spec 04 §1.2)
    }
    assert keyframes == [0.0, 5.0]
    assert boxes.index("moov") < boxes.index("mdat")  # faststart: index before the media data


def test_timestamps_are_frame_indices(tmp_path: Path) -> None:
    path = _write(tmp_path / "pts.mp4", 12)
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        pts = sorted(p.pts for p in c.demux(stream) if p.size)
        tb = stream.time_base
    assert tb == Fraction(1, 30)
    assert pts == list(range(12))


def test_fractional_fps_uses_an_exact_rational(tmp_path: Path) -> None:
    assert frame_rate(29.97) == Fraction(30000, 1001)
    assert frame_rate(23.976) == Fraction(24000, 1001)
    assert frame_rate(30) == Fraction(30)
    meta = video_metadata(_write(tmp_path / "ntsc.mp4", 10, fps=29.97))
    assert meta["avg_frame_rate"] == "30000/1001"
    assert meta["time_base"] == "1/30000"
    assert meta["nb_frames"] == 10


@pytest.mark.parametrize("pixel_format", ["rgba", "bgra"])
def test_rgb_is_converted_with_the_bt709_matrix(tmp_path: Path, pixel_format: str) -> None:
    red = np.zeros((H, W, 4), np.uint8)
    red[..., 0 if pixel_format == "rgba" else 2] = 255
    red[..., 3] = 255
    path = tmp_path / "red.mp4"
    with Muxer(
        path,
        width=W,
        height=H,
        fps=30,
        frame_count=3,
        settings=FAST,
        pixel_format=pixel_format,  # type: ignore[arg-type]
    ) as mux:
        for _ in range(3):
            mux.write(red)
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        y = frame.to_ndarray(format="yuv420p")[:H].astype(float)
    # BT.709 limited range: Y = 16 + 219 * 0.2126 = 62.6 (BT.601 would give 81.5)
    assert abs(float(np.median(y)) - 62.6) <= 2.0


def test_odd_sizes_are_padded_to_even(tmp_path: Path) -> None:
    meta = video_metadata(_write(tmp_path / "odd.mp4", 4, width=33, height=17))
    assert (meta["width"], meta["height"]) == (34, 18)
    assert meta["nb_frames"] == 4


def test_caller_may_reuse_its_buffer(tmp_path: Path) -> None:
    """The compositor reuses one buffer; frames must be copied before the next one is drawn."""
    path = tmp_path / "reuse.mp4"
    buf = np.zeros((H, W, 4), np.uint8)
    buf[..., 3] = 255
    with Muxer(path, width=W, height=H, fps=30, frame_count=6, settings=FAST) as mux:
        for i in range(6):
            buf[..., :3] = 0 if i % 2 == 0 else 255
            mux.write(buf)
    with av.open(str(path)) as c:
        means = [float(f.to_ndarray(format="gray").mean()) for f in c.decode(video=0)]
    assert [m > 128 for m in means] == [False, True, False, True, False, True]


def _write_then_raise(out: Path, written: int, error: BaseException, frame_count: int = 10) -> Muxer:
    """Write `written` frames inside the muxer's block, then raise `error` there; returns the muxer."""
    mux = Muxer(out, width=W, height=H, fps=30, frame_count=frame_count, settings=FAST)
    try:
        with mux:
            for f in _frames(written):
                mux.write(f)
            raise error
    except type(error):
        return mux


def test_an_exception_mid_stream_leaves_no_file(tmp_path: Path) -> None:
    mux = _write_then_raise(tmp_path / "broken.mp4", 5, RuntimeError("boom"))
    assert _leftovers(tmp_path) == []
    assert "aborted" in repr(mux)


def test_keyboard_interrupt_leaves_no_file(tmp_path: Path) -> None:
    _write_then_raise(tmp_path / "interrupted.mp4", 1, KeyboardInterrupt())
    assert _leftovers(tmp_path) == []


def test_too_few_frames_is_an_encode_error_and_leaves_no_file(tmp_path: Path) -> None:
    mux = Muxer(tmp_path / "short.mp4", width=W, height=H, fps=30, frame_count=5, settings=FAST).open()
    for f in _frames(3):
        mux.write(f)
    with pytest.raises(EncodeError, match="wrote 3 of 5 frames"):
        mux.close()
    assert _leftovers(tmp_path) == []


def test_too_many_frames_and_wrong_shapes_are_rejected(tmp_path: Path) -> None:
    with Muxer(tmp_path / "x.mp4", width=W, height=H, fps=30, frame_count=1, settings=FAST) as mux:
        with pytest.raises(EncodeError, match=r"expected \(48, 64, 4\) uint8"):
            mux.write(np.zeros((H, W, 3), np.uint8))
        mux.write(_frames(1)[0])
        with pytest.raises(EncodeError, match="more frames than frame_count=1"):
            mux.write(_frames(1)[0])
    assert _leftovers(tmp_path) == ["x.mp4"]


def test_existing_output_is_replaced_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"previous")
    _write_then_raise(out, 1, RuntimeError(), frame_count=2)
    assert out.read_bytes() == b"previous"
    _write(out, 2)
    assert video_metadata(out)["nb_frames"] == 2


def test_encoder_thread_errors_are_raised_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "fail.mp4"
    mux = Muxer(out, width=W, height=H, fps=30, frame_count=50, settings=FAST).open()

    def explode(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(mux, "_mux_packets", explode)
    with pytest.raises(EncodeError, match="disk full") as info:  # noqa: PT012 - the error surfaces on a later write
        for f in _frames(50):
            mux.write(f)
        mux.close()
    assert isinstance(info.value.__cause__, OSError)
    assert _leftovers(tmp_path) == []


def test_missing_output_folder_is_an_encode_error(tmp_path: Path) -> None:
    with pytest.raises(EncodeError, match="output folder does not exist"):
        Muxer(tmp_path / "nope" / "x.mp4", width=W, height=H, fps=30).open()


def test_output_file_mode_follows_the_umask(tmp_path: Path) -> None:
    path = _write(tmp_path / "mode.mp4", 2)
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_repr_is_informative(tmp_path: Path) -> None:
    mux = Muxer(tmp_path / "out.mp4", width=1920, height=1080, fps=30, frame_count=300)
    assert repr(mux) == "<Muxer out.mp4 1920x1080@30 h264 frames=0/300>"
    assert (
        repr(Muxer(tmp_path / "n.mp4", width=64, height=48, fps=29.97))
        == "<Muxer n.mp4 64x48@29.97 h264 frames=0>"
    )


def test_deferred_read_returns_before_the_read_and_fence_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, muxer_threads: Callable[[], list[str]]
) -> None:
    """With deferred_read, write returns at once; after fence() the caller may change its buffer."""
    import threading
    import time

    import vfnative.encode.mux as mux_module

    release = threading.Event()
    original = mux_module._to_yuv420p

    def slow(pixels: np.ndarray, pixel_format: str) -> av.VideoFrame:
        release.wait(5)
        return original(pixels, pixel_format)

    monkeypatch.setattr(mux_module, "_to_yuv420p", slow)
    path = tmp_path / "deferred.mp4"
    buf = np.zeros((H, W, 4), np.uint8)
    buf[..., 3] = 255
    with Muxer(path, width=W, height=H, fps=30, frame_count=6, settings=FAST, deferred_read=True) as mux:
        mux.write(buf)
        assert not mux._read.is_set()  # still pending: the converter waits for `release`
        threading.Timer(0.05, release.set).start()
        started = time.perf_counter()
        mux.fence()
        assert time.perf_counter() - started > 0.02
        for i in range(1, 6):
            buf[..., :3] = 0 if i % 2 == 0 else 255
            mux.write(buf)
            mux.fence()
    with av.open(str(path)) as c:
        means = [float(f.to_ndarray(format="gray").mean()) for f in c.decode(video=0)]
    assert [m > 128 for m in means] == [False, True, False, True, False, True]
    assert mux.convert_seconds > 0
    assert muxer_threads() == []


def _assert_decodes_to(path: Path, expected: list[list[np.ndarray]], *, frames: int) -> None:
    """`path` decodes to exactly `frames` frames whose Y, U, V planes equal `expected`'s."""
    from vfnative.encode.mux import _planes_of

    with av.open(str(path)) as c:
        got = [_planes_of(f) for f in c.decode(video=0)]
    assert len(got) == frames
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True)), f"frame {i}"


def test_slow_patches_never_let_the_caller_overwrite_an_unread_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames with small damage (patched) and whole frames, mixed, with a slow patch conversion: after
    `fence` the caller overwrites its buffer, and every frame still encodes its own pixels."""
    import time

    import vfnative.encode.mux as mux_module

    original = mux_module._patch_yuv420p

    def slow(*args: object, **kwargs: object) -> av.VideoFrame:
        time.sleep(0.02)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mux_module, "_patch_yuv420p", slow)
    rng = np.random.default_rng(11)
    buf = np.zeros((H, W, 4), np.uint8)
    buf[..., 3] = 255
    expected = []
    lossless = EncodeSettings(lossless=True, threads=1, queue_frames=2)
    path = tmp_path / "mixed.mp4"
    with Muxer(path, width=W, height=H, fps=30, frame_count=12, settings=lossless, pixel_format="bgra",
               deferred_read=True) as mux:  # fmt: skip
        for i in range(12):
            mux.fence()  # as the compositor does before drawing on its surface
            if i % 3 == 0:  # a whole new picture: read in place, fenced
                buf[..., :3] = rng.integers(0, 256, (H, W, 3))
                damage = None
            else:  # a small box changed: patched
                buf[4:12, 8:20, :3] = rng.integers(0, 256, (8, 12, 3))
                damage = [(8, 4, 20, 12)]
            expected.append(mux_module._planes_of(mux_module._to_yuv420p(buf.copy(), "bgra")))
            mux.write(buf, damage=damage)
    assert mux.frames_patched == 8
    _assert_decodes_to(path, expected, frames=12)


def test_recycled_pictures_never_change_a_frame_still_due_to_encode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Patched frames reuse the memory of encoded pictures; with a slow encoder (a full queue) and
    unchanged frames that queue one picture several times, every frame still encodes its own pixels."""
    import time

    import vfnative.encode.mux as mux_module

    original = Muxer._mux_packets

    def slow(self: Muxer, container: object, packets: list[object]) -> None:
        time.sleep(0.005)
        original(self, container, packets)  # type: ignore[arg-type]

    monkeypatch.setattr(Muxer, "_mux_packets", slow)
    rng = np.random.default_rng(5)
    buf = np.zeros((H, W, 4), np.uint8)
    buf[..., 3] = 255
    buf[..., :3] = rng.integers(0, 256, (H, W, 3))
    expected = []
    lossless = EncodeSettings(lossless=True, threads=1, queue_frames=3)
    path = tmp_path / "recycled.mp4"
    with Muxer(
        path, width=W, height=H, fps=30, frame_count=40, settings=lossless, pixel_format="bgra"
    ) as mux:
        for i in range(40):
            if i == 0:
                damage = None
            elif i % 4 in (1, 2):  # unchanged: the previous picture is queued again
                damage = []
            else:
                y, x = int(rng.integers(0, H - 8)), int(rng.integers(0, W - 12))
                buf[y : y + 8, x : x + 12, :3] = rng.integers(0, 256, (8, 12, 3))
                damage = [(x, y, x + 12, y + 8)]
            expected.append(mux_module._planes_of(mux_module._to_yuv420p(buf.copy(), "bgra")))
            mux.write(buf, damage=damage)
    assert mux.frames_reused == 20
    assert mux.pictures_recycled > 10  # the pool is exercised, not bypassed
    with Muxer(tmp_path / "whole.mp4", width=W, height=H, fps=30, frame_count=8) as whole:
        for _ in range(8):  # whole new pictures only (a video): no encoded picture is kept
            whole.write(buf)
            assert not whole._spare
    _assert_decodes_to(path, expected, frames=40)


def test_converter_errors_are_raised_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, muxer_threads: Callable[[], list[str]]
) -> None:
    import vfnative.encode.mux as mux_module

    calls = 0
    original = mux_module._to_yuv420p

    def fail_third(pixels: np.ndarray, pixel_format: str) -> av.VideoFrame:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ValueError("bad pixels")
        return original(pixels, pixel_format)

    monkeypatch.setattr(mux_module, "_to_yuv420p", fail_third)
    for deferred in (False, True):
        calls = 0
        out = tmp_path / f"convert_{deferred}.mp4"
        mux = Muxer(out, width=W, height=H, fps=30, frame_count=10, settings=FAST, deferred_read=deferred)
        with pytest.raises(EncodeError, match="bad pixels"), mux:  # noqa: PT012 - on a later write or close
            for f in _frames(10):
                mux.write(f)
                mux.fence()
        assert "aborted" in repr(mux)
        assert _leftovers(tmp_path) == []
        assert muxer_threads() == []


def test_abort_with_a_pending_deferred_read_joins_the_threads(
    tmp_path: Path, muxer_threads: Callable[[], list[str]]
) -> None:
    mux = _write_then_raise(tmp_path / "pending.mp4", 0, RuntimeError("boom"))
    assert muxer_threads() == []
    mux = Muxer(
        tmp_path / "p.mp4", width=W, height=H, fps=30, frame_count=10, settings=FAST, deferred_read=True
    )
    with pytest.raises(KeyboardInterrupt), mux:  # noqa: PT012 - frames pending when it is raised
        for f in _frames(3):
            mux.write(f)  # the last one may still be pending
        raise KeyboardInterrupt
    assert _leftovers(tmp_path) == []
    assert muxer_threads() == []


@pytest.mark.parametrize(("lookahead", "expected"), [(5, b"rc_lookahead=5 "), (None, b"rc_lookahead=10 ")])
def test_lookahead_reaches_x264(tmp_path: Path, lookahead: int | None, expected: bytes) -> None:
    """x264 records its options in the stream (SEI): the lookahead is the one asked for (None: the
    speed preset's, 10 for veryfast)."""
    settings = EncodeSettings(speed="veryfast", threads=2, queue_frames=2, lookahead=lookahead)
    out = _write(tmp_path / "la.mp4", 12, settings=settings)
    assert expected in out.read_bytes()


def test_lookahead_is_checked() -> None:
    with pytest.raises(ValueError, match="lookahead"):
        EncodeSettings(lookahead=-1)


def test_gil_switch_interval_is_short_while_muxers_are_open_and_restored_after(tmp_path: Path) -> None:
    import sys

    import vfnative.encode.mux as mux_module

    before = sys.getswitchinterval()
    assert before > mux_module._FAST_SWITCH_S
    frame = np.zeros((H, W, 4), np.uint8)
    first = Muxer(tmp_path / "a.mp4", width=W, height=H, fps=30, frame_count=1).open()
    assert sys.getswitchinterval() == mux_module._FAST_SWITCH_S
    second = Muxer(tmp_path / "b.mp4", width=W, height=H, fps=30, frame_count=1).open()
    first.write(frame)
    first.close()
    assert sys.getswitchinterval() == mux_module._FAST_SWITCH_S  # the second one is still open
    second.abort()
    second.abort()  # a second abort releases nothing more
    assert sys.getswitchinterval() == before
    with (  # a failed render restores it as well
        pytest.raises(EncodeError),
        Muxer(tmp_path / "c.mp4", width=W, height=H, fps=30, frame_count=2) as mux,
    ):
        mux.write(frame)
    assert sys.getswitchinterval() == before

"""VideoDecoder: the frame the browser shows, however it is reached; seeking, caching, geometry; audio decode."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from make_video import level, write_numbered_clip

from vfnative.errors import MediaDecodeError, MissingAssetError
from vfnative.media.cache import FrameCache
from vfnative.media.decode import VideoDecoder, decode_audio, natural_size
from vfnative.media.probe import probe, probe_duration


def _level(decoder: VideoDecoder, t: float) -> int:
    return level(decoder.frame_at(t))


def test_last_frame_at_or_before_target(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    assert (d.width, d.height) == (64, 48)
    assert [_level(d, t) for t in (0.0, 0.05, 0.1, 0.19999, 0.2, 1.95)] == [0, 0, 1, 1, 2, 19]


def test_microsecond_rule(numbered_clip: Path) -> None:
    """The target is truncated to whole µs: 0.1999999 s is still frame 1, 0.2 − 1e-7 too."""
    d = VideoDecoder(numbered_clip)
    assert [_level(d, t) for t in (0.1999999, 0.2 - 1e-7, 0.2 - 1.1e-6)] == [1, 1, 1]
    assert _level(d, 0.2 - 1e-12) == 1  # 199999.999999 µs truncates to 199999
    assert _level(d, 0.2) == 2


def test_clamps_before_start_and_after_end(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    assert _level(d, -1.0) == 0
    assert _level(d, 99.0) == 19
    assert _level(d, float("nan")) == 0


def test_backwards_and_forward_jumps_seek(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    order = [1.5, 0.3, 1.9, 0.0, 0.7, 0.6]
    assert [_level(d, t) for t in order] == [15, 3, 19, 0, 7, 6]


@pytest.mark.parametrize("clip", ["numbered_clip", "bframe_clip"])
def test_any_access_order_gives_the_sequential_answer(clip: str, request: pytest.FixtureRequest) -> None:
    """Frame-exact seeking: random, reverse and sequential access agree (B-frames included)."""
    path = request.getfixturevalue(clip)
    duration = probe_duration(path)
    times = [i / 40 for i in range(int(duration * 40) + 3)]
    sequential = [_level(VideoDecoder(path), t) for t in times]
    assert sequential == [min(int(t * 10 + 1e-9), 23 if clip == "bframe_clip" else 19) for t in times]
    shuffled = times[:]
    random.Random(7).shuffle(shuffled)
    for order in (shuffled, times[::-1]):
        d = VideoDecoder(path, cache=FrameCache(0))  # no cache: every answer decoded again
        got = {t: _level(d, t) for t in order}
        assert [got[t] for t in times] == sequential


def test_sequential_playback_decodes_each_frame_once(numbered_clip: Path) -> None:
    d = VideoDecoder(numbered_clip)
    for f in range(60):  # 30 fps over a 10 fps clip: each picture shown 3 times
        d.frame_at(f / 30)
    assert d.seeks == 1  # the initial positioning only
    assert d.decoded_frames == 20


def test_reverse_playback_seeks_once_per_gop(bframe_clip: Path) -> None:
    d = VideoDecoder(bframe_clip)
    shown = [_level(d, 2.39 - f / 10) for f in range(24)]
    assert shown == list(range(23, -1, -1))
    # 3 GOPs of 10 (8-10 frames each): one seek and one decode per GOP, plus the opening ones
    assert d.seeks <= 1 + 3
    assert d.decoded_frames <= 2 * 24


def test_reverse_with_a_small_cache_still_correct(bframe_clip: Path) -> None:
    d = VideoDecoder(bframe_clip, cache=FrameCache(3 * 64 * 48 * 4))
    assert [_level(d, 2.39 - f / 10) for f in range(24)] == list(range(23, -1, -1))


def test_two_playheads_share_one_decoder(numbered_clip: Path) -> None:
    """Layers A (t) and B (0.5 + 2t) on one decoder: B decodes ahead, A is served from the cache."""
    cache = FrameCache()
    d = VideoDecoder(numbered_clip, cache=cache)
    pairs = [(_level(d, f / 10), _level(d, 0.5 + 2 * f / 10)) for f in range(7)]
    assert pairs == [(f, 5 + 2 * f) for f in range(7)]
    assert d.seeks == 1
    assert d.decoded_frames <= 20


def test_returned_pixels_are_read_only_and_cached(numbered_clip: Path) -> None:
    cache = FrameCache()
    d = VideoDecoder(numbered_clip, cache=cache)
    a = d.frame_at(0.35, pixel_format="bgra")
    b = d.frame_at(0.31, pixel_format="bgra")
    assert a is b  # same picture (frame 3): the cached array
    assert not a.flags.writeable
    assert d.frame_at(0.35, size=(32, 24)).shape == (24, 32, 4)
    assert cache.nbytes <= cache.max_bytes


def test_rotation_metadata_is_applied(tmp_path: Path) -> None:
    path = write_numbered_clip(tmp_path / "rot.mp4", frames=3, size=(64, 32), rotation=90)
    d = VideoDecoder(path)
    assert d.rotation == 90
    assert (d.width, d.height) == (32, 64)  # portrait for display
    pixels = d.frame_at(0.0)
    assert pixels.shape == (64, 32, 4)
    # the white left quarter of the coded picture ends at the bottom after a 90° CCW turn
    assert pixels[-4:, :, 0].min() == 255
    assert pixels[:8, :, 0].max() < 100


def test_pixel_aspect_ratio_gives_the_browser_size(tmp_path: Path) -> None:
    assert natural_size(720, 576, 16 / 15, 0) == (768, 576)
    assert natural_size(720, 576, 0.5, 0) == (720, 1152)
    assert natural_size(64, 32, 1.0, 270) == (32, 64)
    path = write_numbered_clip(tmp_path / "sar.mp4", frames=2, size=(64, 48), sar=Fraction(2, 1))
    d = VideoDecoder(path)
    assert (d.width, d.height) == (128, 48)
    assert d.frame_at(0.0).shape == (48, 128, 4)


def test_colour_tags_are_honoured(tmp_path: Path) -> None:
    """The same YUV picture tagged BT.601 vs BT.709 converts to different RGB, like the browser."""

    def write(name: str, colorspace: int) -> Path:
        path = tmp_path / name
        with av.open(str(path), "w") as out:
            s = out.add_stream("libx264", rate=10)
            s.width, s.height, s.pix_fmt = 16, 16, "yuv420p"
            s.options = {"qp": "0"}
            s.codec_context.colorspace = colorspace
            s.codec_context.color_range = 1
            frame = av.VideoFrame(16, 16, "yuv420p")
            for plane, value in zip(frame.planes, (120, 90, 200), strict=True):
                plane.update(bytes([value]) * plane.buffer_size)
            frame.pts = 0
            out.mux(s.encode(frame))
            out.mux(s.encode(None))
        return path

    bt601 = VideoDecoder(write("601.mp4", 5)).frame_at(0)[8, 8, :3].astype(int)
    bt709 = VideoDecoder(write("709.mp4", 1)).frame_at(0)[8, 8, :3].astype(int)
    # Y=120 Cb=90 Cr=200, limited range, by the two matrices' equations
    assert np.abs(bt601 - [236, 77, 44]).max() <= 2, bt601
    assert np.abs(bt709 - [250, 91, 41]).max() <= 2, bt709


def test_probe_and_errors(numbered_clip: Path, tmp_path: Path) -> None:
    assert probe_duration(numbered_clip) == pytest.approx(2.0, abs=0.11)
    info = probe(numbered_clip)
    assert info.has_video
    assert not info.has_audio
    assert (info.width, info.height) == (64, 48)
    with pytest.raises(MissingAssetError):
        VideoDecoder(tmp_path / "nope.mp4")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(MediaDecodeError):
        VideoDecoder(bad)
    with pytest.raises(MediaDecodeError):
        probe(bad)


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(path), "w") as out:
        s = out.add_stream("pcm_f32le", rate=rate)
        s.layout = layout
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.T.reshape(1, -1)), format="flt", layout=layout
        )
        frame.sample_rate = rate
        frame.pts = 0
        out.mux(s.encode(frame))
        out.mux(s.encode(None))
    return path


def test_decode_audio_keeps_channels_and_resamples(tmp_path: Path) -> None:
    t = np.arange(4410) / 44100
    stereo = np.stack([np.sin(2 * np.pi * 441 * t), 0.5 * np.sin(2 * np.pi * 441 * t)]).astype(np.float32)
    track = decode_audio(_write_wav(tmp_path / "s.wav", stereo, 44100))
    assert track is not None
    assert track.channels == 2
    assert track.rate == 48000
    assert abs(track.samples.shape[1] - 4800) <= 2
    assert np.abs(track.samples[1, 200:4500] - 0.5 * track.samples[0, 200:4500]).max() < 1e-3
    mono = decode_audio(_write_wav(tmp_path / "m.wav", stereo[:1] * 0.1, 48000))
    assert mono is not None
    assert mono.channels == 1
    np.testing.assert_allclose(mono.samples[0], stereo[0] * 0.1, atol=1e-6)


def test_decode_audio_of_a_video(tmp_path: Path, numbered_clip: Path) -> None:
    assert decode_audio(numbered_clip) is None  # no audio stream
    clip = write_numbered_clip(tmp_path / "av.mp4", frames=10, audio_seconds=1.0)
    track = decode_audio(clip)
    assert track is not None
    assert track.channels == 1
    assert track.duration == pytest.approx(1.0, abs=0.03)
    with pytest.raises(MissingAssetError):
        decode_audio(tmp_path / "missing.wav")
    (tmp_path / "bad.wav").write_bytes(b"RIFF junk")
    with pytest.raises(MediaDecodeError):
        decode_audio(tmp_path / "bad.wav")

"""The AAC track: AAC-LC 48 kHz stereo next to the video, from 0, ending within one frame of it (spec 04 §1.11)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import vfnative
from vfnative.encode.mux import Muxer, video_metadata
from vfnative.errors import EncodeError
from vfnative.settings import EncodeSettings, RenderSettings

FAST = EncodeSettings(speed="superfast", threads=2, queue_frames=2)
SR = 48_000


def _noise(seconds: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.3 * rng.standard_normal((2, round(seconds * SR)))).astype(np.float32)


def _decode_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1)


def _write(path: Path, frames: int, audio: np.ndarray | None, fps: float = 30) -> Path:
    with Muxer(path, width=32, height=16, fps=fps, frame_count=frames, settings=FAST, audio=audio) as mux:
        for i in range(frames):
            mux.write(np.full((16, 32, 4), (i * 5) % 256, np.uint8))
    return path


def _tones(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    left = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1234.5 * t)
    right = 0.25 * np.sin(2 * np.pi * 660 * t + 1) + 0.1 * np.sin(2 * np.pi * 3001 * t)
    return np.stack([left, right]).astype(np.float32)


def test_aac_track_metadata_and_alignment(tmp_path: Path) -> None:
    audio = _tones(2.0)
    meta = video_metadata(_write(tmp_path / "a.mp4", 60, audio))
    assert meta["nb_frames"] == 60
    track = meta["audio"]
    assert track["codec"] == "aac"
    assert track["profile"] == "LC"
    assert (track["sample_rate"], track["channels"]) == (48000, 2)
    assert track["start"] == 0.0
    assert abs(track["duration"] - meta["duration"]) <= 1 / 30
    assert meta["boxes"].index("moov") < meta["boxes"].index("mdat")  # fast start
    decoded = _decode_audio(tmp_path / "a.mp4")
    # the encoder delay is hidden by the edit list: decoded samples line up with the input at 0
    a, b = decoded[0, 2000:60000], audio[0, 2000:60000]
    lags = range(-64, 65)
    best = max(lags, key=lambda s: float(np.dot(decoded[0, 2000 + s : 60000 + s], b)))
    assert best == 0
    snr = 10 * np.log10(float((b**2).sum()) / float(((a - b) ** 2).sum()))
    assert snr > 25


def test_audio_is_clipped_before_encoding(tmp_path: Path) -> None:
    loud = np.full((2, SR), 3.0, np.float32)
    loud[:, ::2] = -3.0
    mux = Muxer(tmp_path / "x.mp4", width=16, height=16, fps=10, audio=loud)
    assert mux.audio is not None
    assert mux.audio.max() == 1.0
    assert mux.audio.min() == -1.0
    assert "h264+aac" in repr(mux)


@pytest.mark.parametrize("shape", [(1, 100), (100, 2), (2, 0), (2,)])
def test_audio_shape_is_checked(tmp_path: Path, shape: tuple[int, ...]) -> None:
    with pytest.raises(EncodeError, match="audio"):
        Muxer(tmp_path / "x.mp4", width=16, height=16, fps=10, audio=np.zeros(shape, np.float32))


def _clip(path: Path, seconds: float, fps: int = 10) -> Path:
    """A tiny video of `seconds` (no audio stream of its own)."""
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = 32, 16, "yuv420p"
        s.time_base = Fraction(1, fps)
        for k in range(round(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(np.full((16, 32, 3), (k * 9) % 256, np.uint8), format="rgb24")
            frame.pts = k
            out.mux(s.encode(frame))
        out.mux(s.encode(None))
    return path


def _music(path: Path, seconds: float) -> Path:
    data = _noise(seconds, seed=3) * 0.5
    with av.open(str(path), "w") as out:
        s = out.add_stream("pcm_s16le", rate=44100)
        s.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(  # at 44.1 kHz: the mixer resamples to 48 kHz
            (np.clip(data.T.reshape(1, -1), -1, 1) * 32767).astype(np.int16), format="s16", layout="stereo"
        )
        frame.sample_rate, frame.pts = 44100, 0
        out.mux(s.encode(frame))
        out.mux(s.encode(None))
    return path


@pytest.mark.parametrize(("duration", "fps"), [(4.0, 30), (4.05, 29.97)])
def test_document_with_video_and_music(tmp_path: Path, duration: float, fps: float) -> None:
    """round(duration · fps) video frames and an AAC stream within one frame of the video."""
    _clip(tmp_path / "clip.mp4", 4.0)
    _music(tmp_path / "music.wav", 5.0)
    doc = {
        "width": 32, "height": 16, "fps": fps, "duration": duration,
        "layers": [
            {"id": "v", "type": "video", "settings": {"enabled": True, "sourceDuration": 4.0, "source": "clip.mp4"}},
            {"id": "m", "type": "audio", "settings": {"enabled": True, "sourceDuration": duration, "source": "music.wav"},
             "properties": {"volume": 0.8}},
        ],
    }  # fmt: skip
    out = tmp_path / "out.mp4"
    report = vfnative.render(doc, out, base_dir=tmp_path, settings=RenderSettings(encode=FAST))
    meta = video_metadata(out)
    frames = int(duration * fps + 0.5)
    assert report.frames == frames == meta["nb_frames"]
    assert report.warnings == ()
    track = meta["audio"]
    assert track is not None
    assert track["codec"] == "aac"
    assert track["start"] == 0.0
    assert abs(track["duration"] - meta["duration"]) <= 1 / fps
    assert report.timings.audio > 0


def test_no_audio_layers_no_audio_stream(tmp_path: Path) -> None:
    doc = {"width": 32, "height": 16, "fps": 10, "duration": 1,
           "layers": [{"id": "s", "type": "shape", "settings": {"enabled": True, "sourceDuration": 1}}]}  # fmt: skip
    vfnative.render(doc, tmp_path / "o.mp4", settings=RenderSettings(encode=FAST))
    assert video_metadata(tmp_path / "o.mp4")["audio"] is None


def test_video_without_sound_gives_a_silent_track(tmp_path: Path) -> None:
    """A video layer can carry audio, so the reference renders a (silent) full-length mix."""
    _clip(tmp_path / "clip.mp4", 1.0)
    doc = {"width": 32, "height": 16, "fps": 10, "duration": 1,
           "layers": [{"id": "v", "type": "video", "settings": {"enabled": True, "sourceDuration": 1, "source": "clip.mp4"}}]}  # fmt: skip
    samples = vfnative.render_audio(doc, base_dir=tmp_path)
    assert samples is not None
    assert samples.shape == (SR, 2)
    assert not samples.any()


def test_missing_video_disables_the_layer_visual_and_audio(tmp_path: Path) -> None:
    _music(tmp_path / "music.wav", 1.0)
    doc = {"width": 32, "height": 16, "fps": 10, "duration": 1, "backgroundColor": "#102030",
           "layers": [{"id": "v", "type": "video", "settings": {"enabled": True, "sourceDuration": 1, "source": "gone.mp4"}}]}  # fmt: skip
    warnings: list[str] = []
    with vfnative.Renderer(doc, base_dir=tmp_path, on_warning=warnings.append) as r:
        pixels = r.render_frame(0)
        assert r.render_audio() is None  # the only sounding layer is disabled: no audio at all
    assert pixels[0, 0].tolist() == [0x10, 0x20, 0x30, 255]
    assert warnings == [w for w in warnings if "layers[0]" in w and "'gone.mp4'" in w]
    assert len(warnings) == 1

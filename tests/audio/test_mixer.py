"""The mix of documents, against spec 04 §1 and §7 (acceptance numbers) and the video-layer golden."""

from __future__ import annotations

import math
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from make_audio import SR, audio_layer, document, ramp, sine, write_audio

import vfnative
from vfnative.audio.dsp import pitch_shift
from vfnative.audio.mixer import mix
from vfnative.media.library import MediaLibrary
from vfnative.model import load
from vfnative.timeline.plan import build_timeline

GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"


def _mix(doc: dict[str, Any], base: Path, **kw: Any) -> np.ndarray | None:
    """(2, n) planar mix of a dict document whose media live in `base`."""
    loaded = load(doc, base_dir=base)
    media = MediaLibrary(lambda s: base / s)
    prepared = media.prepare(loaded)
    return mix(build_timeline(prepared.doc), media, **kw)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("audio")
    write_audio(base / "sine.wav", sine(1000, 2.0)[None, :])
    write_audio(base / "ramp.wav", ramp(2.0)[None, :])
    write_audio(base / "stereo.wav", np.stack([sine(500, 2.0), sine(700, 2.0, amp=0.25)]))
    write_audio(base / "ones.wav", np.ones((1, 2 * SR), np.float32))
    return base


def test_no_audio_layers_no_mix(media: Path) -> None:
    shape = {"id": "s", "type": "shape", "settings": {"enabled": True, "sourceDuration": 1}}
    assert _mix(document([shape]), media) is None
    assert _mix(document([audio_layer("sine.wav", enabled=False)]), media) is None
    assert vfnative.render_audio(document([shape])) is None


def test_length_is_ceil_duration_times_rate(media: Path) -> None:
    out = _mix(document([audio_layer("sine.wav")], duration=5.2), media)
    assert out is not None
    assert out.shape == (2, 249_600)
    assert out.dtype == np.float32


def test_mono_centre_is_minus_3_db_and_stereo_passes(media: Path) -> None:
    out = _mix(document([audio_layer("sine.wav")]), media)
    assert out is not None
    np.testing.assert_allclose(out[0], out[1])
    assert np.abs(out[0]).max() == pytest.approx(0.5 * math.sqrt(0.5), rel=1e-4)
    stereo = _mix(document([audio_layer("stereo.wav")]), media)
    assert stereo is not None
    np.testing.assert_array_equal(stereo[0], sine(500, 1.0))
    np.testing.assert_array_equal(stereo[1], sine(700, 1.0, amp=0.25))


def test_placement_trim_and_silence_after_the_source(media: Path) -> None:
    layer = audio_layer("ramp.wav", startTime=0.25, sourceStart=0.5, sourceDuration=0.5)
    out = _mix(document([layer]), media)
    assert out is not None
    k = math.sqrt(0.5)
    src = ramp(2.0)
    assert not out[:, : SR // 4].any()
    assert not out[:, 3 * SR // 4 :].any()
    np.testing.assert_allclose(out[0, SR // 4 : 3 * SR // 4], k * src[SR // 2 : SR], rtol=1e-6)
    tail = _mix(document([audio_layer("ramp.wav", sourceStart=1.5, sourceDuration=1.0)]), media)
    assert tail is not None
    assert not tail[:, SR // 2 + 1 :].any()


def test_reverse_plays_the_segment_backwards(media: Path) -> None:
    layer = audio_layer("ramp.wav", sourceStart=0.5, sourceDuration=1.0, speed=-1)
    out = _mix(document([layer]), media)
    assert out is not None
    src = ramp(2.0)
    np.testing.assert_allclose(
        out[0] / math.sqrt(0.5), src[SR // 2 : 3 * SR // 2][::-1], rtol=1e-5, atol=1e-7
    )


def test_speed_two_is_half_as_long_and_an_octave_up(media: Path) -> None:
    """2 s of a 1 kHz sine at speed 2 in a 2 s document: 2 kHz for the first second, then silence."""
    out = _mix(document([audio_layer("sine.wav", sourceDuration=2, speed=2)], duration=2.0), media)
    assert out is not None
    assert out.shape == (2, 2 * SR)
    assert not out[:, SR:].any()  # half as long: nothing from 1 s on
    # no dropout before that: every 1 ms window (two periods of 2 kHz) reaches the sine's peak
    windows = np.abs(out[0, :SR]).reshape(-1, 48).max(axis=1)
    assert windows.min() > 0.3, f"a dropout at {np.argmin(windows)} ms"
    spectrum = np.abs(np.fft.rfft(out[0, :SR]))
    assert np.argmax(spectrum) == pytest.approx(2000, abs=2)


def test_pitch_two_keeps_the_length(media: Path, tmp_path: Path) -> None:
    """Pitch 2 at speed 1: the granular shifter on the source, same length (spec 04 §7)."""
    tone = sine(937.5, 2.0)  # 10 cycles per hop: grains stay in phase, a clean octave up
    write_audio(tmp_path / "tone.wav", tone[None, :])
    out = _mix(document([audio_layer("tone.wav", properties={"pitch": 2})]), tmp_path)
    assert out is not None
    expected = pitch_shift(tone[None, :], 2.0)[0, :SR] * math.sqrt(0.5)
    np.testing.assert_allclose(out[0], expected, rtol=1e-5, atol=1e-6)
    assert np.abs(out[0, SR - 3000 :]).max() > 0.2  # sounds to the end of the layer
    spectrum = np.abs(np.fft.rfft(out[0, 4096 : 4096 + 32768] * np.hanning(32768)))
    assert np.argmax(spectrum) * SR / 32768 == pytest.approx(1875, abs=3)


def test_mute_speed_zero_and_disabled_track_are_silent(media: Path) -> None:
    for layer, extra in [
        (audio_layer("sine.wav", properties={"mute": True}), {}),
        (audio_layer("sine.wav", speed=0), {}),
        (audio_layer("sine.wav", track=0), {"tracks": [{"enabled": False}]}),
    ]:
        out = _mix(document([layer], **extra), media)
        assert out is None or not out.any()


def test_fade_in_gain_steps_per_frame(media: Path) -> None:
    """Spec 04 §7: a 1 s fade-in at 30 fps gives gain k/30 on samples [1600k, 1600(k+1))."""
    layer = audio_layer("ones.wav", sourceDuration=2, transitionIn={"transition": "fade", "duration": 1})
    out = _mix(document([layer], duration=2), media)
    assert out is not None
    gain = out[0] / math.sqrt(0.5)
    for k in (0, 1, 15, 29):
        np.testing.assert_allclose(gain[1600 * k : 1600 * (k + 1)], k / 30, atol=1e-6)
    np.testing.assert_allclose(gain[48000:], 1.0, atol=1e-6)


def test_fade_out_never_reaches_zero(media: Path) -> None:
    layer = audio_layer("ones.wav", sourceDuration=1, transitionOut={"transition": "fade", "duration": 0.5})
    out = _mix(document([layer]), media)
    assert out is not None
    gain = out[0] / math.sqrt(0.5)
    assert gain[-1] == pytest.approx(1 / 15, abs=1e-6)  # the last sampled frame is 29: 1 − 14/15


def test_static_volume_and_pan_apply(media: Path) -> None:
    """Q1 fixed: a static volume/pan counts even without a transition (the reference ignores it)."""
    layer = audio_layer("ones.wav", properties={"volume": 0.5, "pan": -1})
    out = _mix(document([layer]), media)
    assert out is not None
    np.testing.assert_allclose(out[:, 100], [0.5, 0.0], atol=1e-7)
    ref = _mix(document([layer]), media, automation="reference")
    assert ref is not None
    np.testing.assert_allclose(ref[:, 100], [math.sqrt(0.5)] * 2, rtol=1e-6)


def test_keyframed_volume_is_interpolated_per_frame(media: Path) -> None:
    anim = [{"property": "volume", "keyframes": [{"time": 0, "value": 1}, {"time": 1, "value": 0}]}]
    layer = audio_layer("ones.wav", animations=anim)
    out = _mix(document([layer]), media)
    assert out is not None
    gain = out[0] / math.sqrt(0.5)
    np.testing.assert_allclose(gain[1600 * 15 : 1600 * 16], 0.5, atol=1e-6)  # frame 15 of 30
    ref = _mix(document([layer]), media, automation="reference")
    assert ref is not None
    # Q2 reference: steps at keyframe times, no interpolation: 1 until t = 1 s
    np.testing.assert_allclose(ref[0, : SR - 1] / math.sqrt(0.5), 1.0, atol=1e-6)


def test_groups_are_sub_mixes_with_local_time(media: Path) -> None:
    child = audio_layer("ramp.wav", startTime=0.25, sourceDuration=0.5)
    child["settings"].pop("enabled")  # a child without `enabled` still sounds (reference rule)
    group = {"id": "g", "type": "group", "settings": {"enabled": True, "startTime": 0.5, "sourceDuration": 1},
             "properties": {}, "children": [child]}  # fmt: skip
    out = _mix(document([group], duration=2), media)
    assert out is not None
    k = math.sqrt(0.5)
    start = int(0.75 * SR)
    np.testing.assert_allclose(out[0, start : start + SR // 2], k * ramp(2.0)[: SR // 2], rtol=1e-6)
    assert not out[:, :start].any()
    assert not out[:, start + SR // 2 :].any()


def test_group_source_start_keeps_its_tail(media: Path) -> None:
    """Q4 fixed: the sub-mix covers sourceStart + sourceDuration."""
    child = audio_layer("ones.wav", sourceDuration=2)
    group = {"id": "g", "type": "group", "settings": {"enabled": True, "sourceStart": 0.5, "sourceDuration": 1},
             "children": [child]}  # fmt: skip
    out = _mix(document([group], duration=1), media)
    assert out is not None
    np.testing.assert_allclose(out[0, -10:], math.sqrt(0.5), rtol=1e-6)


def test_group_fade_keeps_pan_centred(media: Path) -> None:
    """Q3 fixed: a group with a transition stays centred (the reference pans it hard right)."""
    group = {"id": "g", "type": "group", "settings": {"enabled": True, "sourceDuration": 1},
             "transitionIn": {"transition": "fade", "duration": 0.5}, "children": [audio_layer("ones.wav")]}  # fmt: skip
    out = _mix(document([group]), media)
    assert out is not None
    np.testing.assert_allclose(out[0, -100:], out[1, -100:])
    ref = _mix(document([group]), media, automation="reference")
    assert ref is not None
    assert np.abs(ref[0, -100:]).max() < 1e-6


def test_a_missing_source_is_a_warning_and_silence(media: Path, tmp_path: Path) -> None:
    doc = document([audio_layer("sine.wav"), audio_layer("nope.wav")])
    warnings: list[str] = []
    with vfnative.Renderer(doc, base_dir=media, on_warning=warnings.append) as renderer:
        samples = renderer.render_audio()
    assert samples is not None
    assert samples.shape == (SR, 2)
    assert len(warnings) == 1
    assert "layers[1]" in warnings[0]
    assert "'nope.wav'" in warnings[0]
    np.testing.assert_allclose(samples[:, 0], sine(1000, 1.0) * math.sqrt(0.5), rtol=1e-6)


def test_the_video_layer_golden_mix() -> None:
    """Our mix of the video-layer fixture equals the reference's WAV, sample for 16-bit sample."""
    from vfnative.audio.wav import to_pcm16

    with wave.open(str(GOLDENS / "frames" / "video-layer" / "audio.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (48000, 2, 2)
        ref = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    samples = vfnative.render_audio(GOLDENS / "video-layer.json")
    assert samples is not None
    ours = to_pcm16(samples)
    assert ours.shape == ref.shape
    assert np.abs(ref).max() > 1000  # the reference is not silence
    diff = np.flatnonzero((ours != ref).any(axis=1))
    assert diff.size == 0, f"{diff.size} of {len(ref)} sample frames differ, first at {diff[0]}"

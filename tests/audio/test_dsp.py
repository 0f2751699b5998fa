"""The Web Audio DSP laws the mixer relies on (spec 04 §1.6-1.9, §2.9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vfnative.audio.dsp import apply_pan, downmix_to_stereo, pitch_shift, play_segment, sample_at, step_values
from vfnative.audio.wav import to_pcm16, to_wav_bytes

SR = 48_000


def _seg(buffer: np.ndarray, **kw: float) -> tuple[int, np.ndarray]:
    args = {"start": 0.0, "offset": 0.0, "duration": 1.0, "rate": 1.0, "sample_rate": SR, "length": 10 * SR}
    args.update(kw)
    return play_segment(buffer, **args)  # type: ignore[arg-type]


def test_segment_forward_is_a_slice() -> None:
    x = np.arange(SR, dtype=np.float32)[None, :]
    n0, y = _seg(x, start=0.5, offset=0.25, duration=0.5)
    assert n0 == SR // 2
    assert y.shape == (1, SR // 2)
    np.testing.assert_array_equal(y[0], x[0, SR // 4 : 3 * SR // 4])


def test_segment_stops_at_buffer_end_and_context_end() -> None:
    x = np.ones((1, 100), np.float32)
    _n0, y = _seg(x, duration=1.0)
    assert y.shape[1] == SR
    assert y[0, :100].sum() == 100
    assert y[0, 100:].sum() == 0
    n0, y = _seg(x, start=0.001, duration=1.0, length=60)
    assert (n0, y.shape[1]) == (48, 12)


def test_segment_rate_two_reads_every_other_sample_linear_between() -> None:
    x = np.arange(1000, dtype=np.float32)[None, :]
    _, y = _seg(x, duration=1000 / SR, rate=2.0)
    assert y.shape[1] == 500
    np.testing.assert_array_equal(y[0, :5], [0, 2, 4, 6, 8])
    _, y = _seg(x, duration=1000 / SR, rate=1.5)
    np.testing.assert_allclose(y[0, :4], [0, 1.5, 3, 4.5])


def test_event_times_tolerate_float_error() -> None:
    assert sample_at(0.1, SR) == 4800  # 0.1 · 48000 = 4800.000000000001
    assert sample_at(1 / 30, SR) == 1600
    assert sample_at(1e-9, SR) == 1


def test_mono_pan_is_equal_power() -> None:
    x = np.ones((1, 4), np.float32)
    np.testing.assert_allclose(apply_pan(x, 0.0)[:, 0], [math.sqrt(0.5)] * 2, rtol=1e-6)
    np.testing.assert_allclose(apply_pan(x, -1.0)[:, 0], [1, 0], atol=1e-7)
    np.testing.assert_allclose(apply_pan(x, 1.0)[:, 0], [0, 1], atol=1e-7)
    np.testing.assert_allclose(apply_pan(x, 5.0)[:, 0], [0, 1], atol=1e-7)  # clamped


def test_stereo_pan_law() -> None:
    x = np.array([[1.0], [0.5]], np.float32)
    np.testing.assert_array_equal(apply_pan(x, 0.0), x)
    np.testing.assert_allclose(apply_pan(x, -1.0)[:, 0], [1.5, 0.0], atol=1e-7)
    np.testing.assert_allclose(apply_pan(x, 1.0)[:, 0], [0.0, 1.5], atol=1e-7)
    half = apply_pan(x, np.array([0.5], np.float32))[:, 0]
    np.testing.assert_allclose(half, [math.cos(math.pi / 4), 0.5 + math.sin(math.pi / 4)], rtol=1e-6)


def test_downmix_speakers_rules() -> None:
    six = np.arange(6, dtype=np.float32)[:, None] + 1  # L R C LFE SL SR = 1..6
    k = math.sqrt(0.5)
    np.testing.assert_allclose(downmix_to_stereo(six)[:, 0], [1 + k * (3 + 5), 2 + k * (3 + 6)], rtol=1e-6)
    quad = np.array([[1], [2], [3], [4]], np.float32)
    np.testing.assert_allclose(downmix_to_stereo(quad)[:, 0], [2, 3])
    three = np.array([[1], [2], [3]], np.float32)
    np.testing.assert_array_equal(downmix_to_stereo(three)[:, 0], [1, 2])


def _peak_hz(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * SR / len(x))


def test_pitch_shift_keeps_length_and_moves_the_frequency() -> None:
    t = np.arange(SR // 2) / SR
    x = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
    up = pitch_shift(x, 2.0)
    assert up.shape == x.shape
    # grains restart every 512 samples with a phase jump: side bands 93.75 Hz apart around the target
    assert _peak_hz(up[0, 4096:16384]) == pytest.approx(880, abs=50)
    down = pitch_shift(x, 0.5)
    assert _peak_hz(down[0, 4096:16384]) == pytest.approx(220, abs=50)
    assert np.abs(up[0, -600:]).max() < np.abs(up[0, 4096:8192]).max()  # grains cut short: quieter tail


def _naive_pitch_shift(x: np.ndarray, pitch: float) -> np.ndarray:
    """Spec 04 §1.7 written as loops (the reference's pitchShiftBuffer)."""
    grain, hop = 2048, 512
    n = x.shape[1]
    w = 0.5 * (1 - np.cos(2 * np.pi * np.arange(grain) / (grain - 1)))
    out = np.zeros(x.shape)
    weight = np.zeros(n)
    for s in range(0, n, hop):
        weight[s : s + min(grain, n - s)] += w[: min(grain, n - s)]
        for ch in range(x.shape[0]):
            for j in range(min(grain, n - s)):
                idx = s + j * pitch
                i0 = math.floor(idx)
                if i0 >= n - 1:
                    break
                frac = idx - i0
                out[ch, s + j] += (x[ch, i0] * (1 - frac) + x[ch, i0 + 1] * frac) * w[j]
    ok = weight > 1e-6
    out[:, ok] /= weight[ok]
    return out


@pytest.mark.parametrize("pitch", [1.5, 0.7])
def test_pitch_shift_matches_the_reference_algorithm(pitch: float) -> None:
    x = np.random.default_rng(5).standard_normal((1, 3000)).astype(np.float32)
    np.testing.assert_allclose(pitch_shift(x, pitch), _naive_pitch_shift(x, pitch), rtol=1e-4, atol=1e-5)


def test_pitch_shift_span_equals_the_full_computation() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 20000)).astype(np.float32)
    full = pitch_shift(x, 1.37)
    part = pitch_shift(x, 1.37, span=(5000, 9000))
    np.testing.assert_allclose(part[:, 5000:9000], full[:, 5000:9000], rtol=1e-5, atol=1e-6)
    assert not part[:, :5000].any()
    assert not part[:, 9000:].any()


def test_step_values() -> None:
    events = np.array([10, 20], np.int64)
    values = np.array([0.5, 0.25])
    got = step_values(events, values, 5, 25, 1.0)
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, [1.0] * 5 + [0.5] * 10 + [0.25] * 5)
    assert step_values(events, values, 20, 30, 1.0) == 0.25
    assert step_values(events[:0], values[:0], 0, 9, 1.0) == 1.0


def test_pcm16_conversion_matches_the_reference() -> None:
    s = np.array([[-2.0], [-1.0], [-0.5], [0.0], [0.5], [1.0], [3.0], [1e-6]])
    assert to_pcm16(s)[:, 0].tolist() == [-32768, -32768, -16384, 0, 16383, 32767, 32767, 0]
    wav = to_wav_bytes(np.zeros((10, 2), np.float32))
    assert len(wav) == 44 + 40
    assert wav[:4] == b"RIFF"
    assert wav[8:16] == b"WAVEfmt "
    assert int.from_bytes(wav[24:28], "little") == SR
    assert int.from_bytes(wav[34:36], "little") == 16


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 50), st.just(2)), elements=st.floats(-1e6, 1e6, width=32)))
def test_pcm16_output_stays_in_range_and_keeps_sign(samples: np.ndarray) -> None:
    pcm = to_pcm16(samples)
    assert pcm.dtype == np.int16
    assert np.all(np.sign(pcm) * np.sign(samples) >= 0)
    clipped = np.clip(samples, -1, 1)
    decoded = np.where(pcm < 0, pcm / 32768.0, pcm / 32767.0)
    assert np.all(np.abs(decoded - clipped) <= 1 / 32767 + 1e-6)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float32, st.tuples(st.integers(1, 2), st.integers(1, 64)), elements=st.floats(-1, 1, width=32)),
    st.floats(-3, 3),
)
def test_pan_never_amplifies_beyond_the_input_sum(block: np.ndarray, pan: float) -> None:
    """Equal power: each output channel is bounded by the sum of the input channels' magnitudes."""
    out = apply_pan(block, pan)
    bound = np.abs(block).sum(axis=0) + 1e-6
    assert out.shape == (2, block.shape[1])
    assert np.all(np.abs(out) <= bound)

"""The signal processing of the reference's Web Audio graph, as pure numpy functions (spec 04 §1.5-1.9).

Every function takes and returns planar ``(channels, n)`` float32 sample blocks and never clips:
clipping happens only at the output (WAV, AAC). Index arithmetic is float64, samples float32
(spec 04 §1.13). Imports numpy only.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "GRAIN",
    "HOP",
    "apply_pan",
    "downmix_to_stereo",
    "pitch_shift",
    "play_segment",
    "step_values",
]

Block = npt.NDArray[np.float32]
"""(channels, n) float32 planar samples."""

GRAIN = 2048
"""Pitch shifter grain length in samples."""
HOP = 512
"""Pitch shifter output hop (75 % overlap)."""

_TOLERANCE = 1e-6
"""Slack (in samples) for deciding that a time lands exactly on a sample (float error in t·sr)."""


def sample_at(seconds: float, rate: int) -> int:
    """The first sample frame at or after `seconds` (Web Audio schedules events on ceil(t·sr))."""
    return math.ceil(seconds * rate - _TOLERANCE)


def play_segment(
    buffer: Block, *, start: float, offset: float, duration: float, rate: float, sample_rate: int, length: int
) -> tuple[int, Block]:
    """Play `buffer` like an AudioBufferSourceNode: ``start(when=start, offset, duration)`` at
    ``playbackRate = rate`` (> 0) into a context of `length` samples.

    Returns ``(n0, block)``: the block lands on context samples ``[n0, n0 + block.shape[1])``.
    Output sample n reads buffer position ``offset·sr + (n − start·sr)·rate`` with linear
    interpolation; positions outside the buffer give silence; the block is cut at the context end
    (spec 04 §1.6). `duration` counts buffer seconds, so the output lasts ``duration / rate``.
    """
    channels, size = buffer.shape
    n0 = max(0, sample_at(start, sample_rate))
    n1 = min(length, sample_at(start, sample_rate) + math.ceil(duration * sample_rate / rate - _TOLERANCE))
    if n1 <= n0 or size == 0:
        return n0, np.zeros((channels, 0), np.float32)
    base = offset * sample_rate - start * sample_rate * rate
    if rate == 1.0 and abs(base - round(base)) < _TOLERANCE:
        first = n0 + round(base)  # integer positions: a plain slice
        out = np.zeros((channels, n1 - n0), np.float32)
        lo, hi = max(first, 0), min(first + (n1 - n0), size)
        if hi > lo:
            out[:, lo - first : hi - first] = buffer[:, lo:hi]
        return n0, out
    pos = base + np.arange(n0, n1, dtype=np.float64) * rate
    i0 = np.floor(pos)
    frac = (pos - i0).astype(np.float32)
    i0 = i0.astype(np.int64)
    valid = (pos >= 0.0) & (pos <= size - 1)
    a = np.clip(i0, 0, size - 1)
    b = np.clip(i0 + 1, 0, size - 1)
    out = buffer[:, a] * (1.0 - frac) + buffer[:, b] * frac
    out[:, ~valid] = 0.0
    return n0, out.astype(np.float32, copy=False)


def _hann(length: int) -> npt.NDArray[np.float64]:
    j = np.arange(length, dtype=np.float64)
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * j / (length - 1)))


def pitch_shift(buffer: Block, pitch: float, *, span: tuple[int, int] | None = None) -> Block:
    """The reference's offline granular pitch shifter (`pitchShiftBuffer`, spec 04 §1.7).

    Hann-windowed overlap-add with grains of `GRAIN` samples every `HOP`; grain at s reads the
    input at ``s + j·pitch`` (linear interpolation) and stops as soon as ``floor(index) >= n − 1``,
    so pitches above 1 leave the tail quieter, as in the reference; the sum is divided by the
    window overlap. Output length = input length.

    `span` = (a, b) computes only output samples [a, b) (others are left at 0): the same values,
    for the cost of the grains that touch the span rather than the whole file.
    """
    channels, n = buffer.shape
    out = np.zeros((channels, n), np.float32)
    if n == 0:
        return out
    a, b = (0, n) if span is None else (max(0, span[0]), min(n, span[1]))
    if b <= a:
        return out
    window = _hann(GRAIN)
    j = np.arange(GRAIN, dtype=np.float64)
    first = max(0, (a - GRAIN) // HOP + 1) * HOP  # first grain start whose grain reaches a
    starts_all = np.arange(first, b, HOP, dtype=np.int64)
    acc = np.zeros((channels, n + GRAIN), np.float64)
    weight = np.zeros(n + GRAIN, np.float64)
    chunk = 256
    phases = GRAIN // HOP
    for phase in range(phases):
        starts = starts_all[phase::phases]  # these grains are GRAIN apart: they tile without overlap
        for c0 in range(0, len(starts), chunk):
            s = starts[c0 : c0 + chunk]
            lengths = np.minimum(GRAIN, n - s)  # grain extent for the weights
            inside = j[None, :] < lengths[:, None]
            index = s[:, None] + j[None, :] * pitch
            floor = np.floor(index)
            valid = inside & (floor < n - 1)
            fl = np.where(valid, floor, 0).astype(np.int64)
            frac = index - floor
            w = np.where(valid, window[None, :], 0.0)
            lo = int(s[0])
            hi = lo + len(s) * GRAIN
            for ch in range(channels):
                x = buffer[ch]
                grains = (x[fl] * (1.0 - frac) + x[np.minimum(fl + 1, n - 1)] * frac) * w
                acc[ch, lo:hi] += grains.reshape(-1)
            weight[lo:hi] += np.where(inside, window[None, :], 0.0).reshape(-1)
    weight = weight[:n]
    ok = weight > 1e-6
    result = acc[:, :n]
    result[:, ok] /= weight[ok]
    out[:, a:b] = result[:, a:b]
    return out


def downmix_to_stereo(block: Block) -> Block:
    """Web Audio "speakers" down-mix to 2 channels (the panner is clamped-max at 2 channels).

    Quad: L = ½(L + SL), R = ½(R + SR). 5.1 (L, R, C, LFE, SL, SR): L = L + √½(C + SL),
    R = R + √½(C + SR), LFE dropped. Other layouts keep channels 0 and 1. Mono and stereo pass.
    """
    channels = block.shape[0]
    if channels <= 2:
        return block
    if channels == 4:
        return np.stack([0.5 * (block[0] + block[2]), 0.5 * (block[1] + block[3])]).astype(np.float32)
    if channels == 6:
        k = np.float32(math.sqrt(0.5))
        return np.stack([block[0] + k * (block[2] + block[4]), block[1] + k * (block[2] + block[5])])
    return np.ascontiguousarray(block[:2])


def apply_pan(block: Block, pan: float | npt.NDArray[np.float32]) -> Block:
    """StereoPannerNode, equal power (spec 04 §1.9); `block` has 1 or 2 channels, result 2.

    Mono: x = (pan + 1)/2, L = in·cos(xπ/2), R = in·sin(xπ/2) (so −3 dB per channel at centre).
    Stereo: pan <= 0 moves R into L (x = pan + 1, L = inL + inR·cos, R = inR·sin); pan > 0 moves
    L into R (x = pan, L = inL·cos, R = inR + inL·sin). Pan 0 leaves stereo unchanged.
    """
    p = np.clip(np.asarray(pan, dtype=np.float64), -1.0, 1.0)
    if block.shape[0] == 1:
        x = block[0]
        theta = (p * 0.5 + 0.5) * (np.pi / 2)
        return np.stack([x * np.cos(theta).astype(np.float32), x * np.sin(theta).astype(np.float32)])
    left, right = block[0], block[1]
    if p.ndim == 0 and float(p) == 0.0:
        return block
    theta = np.where(p <= 0, p + 1.0, p) * (np.pi / 2)
    gl = np.cos(theta).astype(np.float32)
    gr = np.sin(theta).astype(np.float32)
    neg = p <= 0
    out_l = np.where(neg, left + right * gl, left * gl)
    out_r = np.where(neg, right * gr, right + left * gr)
    return np.stack([out_l, out_r]).astype(np.float32, copy=False)


def step_values(
    event_samples: npt.NDArray[np.int64],
    values: npt.NDArray[np.float64],
    n0: int,
    n1: int,
    default: float,
) -> float | npt.NDArray[np.float32]:
    """An AudioParam automated with ``setValueAtTime`` steps, over context samples [n0, n1).

    Event k sets `values[k]` from sample `event_samples[k]` (ascending) on; before the first event
    the param holds `default`. Returns a scalar when the value is constant over the range.
    """
    if len(values) == 0:
        return default
    idx = np.arange(n0, n1, dtype=np.int64)
    k = np.searchsorted(event_samples, idx, side="right") - 1
    table = np.concatenate([[default], values]).astype(np.float32)
    per_sample = table[k + 1]
    if per_sample.size and np.all(per_sample == per_sample[0]):
        return float(per_sample[0])
    return per_sample

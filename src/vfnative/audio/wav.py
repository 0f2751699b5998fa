"""16-bit PCM WAV output of a mix, byte for byte as the reference's `audioBufferToWav` (spec 04 §2.9).

RIFF/WAVE with a 16-byte ``fmt `` chunk (PCM, format 1), 16-bit little-endian, interleaved, a
44-byte header. Samples are clamped to [-1, 1], then negatives scaled by 32768 and positives by
32767, truncated toward zero. Imports numpy only.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["to_pcm16", "to_wav_bytes", "write_wav"]


def to_pcm16(samples: npt.NDArray[np.floating]) -> npt.NDArray[np.int16]:
    """(n, channels) float samples → (n, channels) int16 with the reference's asymmetric scaling."""
    s = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.where(s < 0, s * 32768.0, s * 32767.0).astype("<i2")


def to_wav_bytes(samples: npt.NDArray[np.floating], sample_rate: int = 48_000) -> bytes:
    """A complete WAV file for (n, channels) float samples (interleaved on write)."""
    if samples.ndim != 2:
        raise ValueError(f"samples: expected an (n, channels) array; got shape {samples.shape}")
    pcm = to_pcm16(samples)
    channels = pcm.shape[1]
    data = pcm.tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack(
        "<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * channels * 2, channels * 2, 16
    )
    header += b"data" + struct.pack("<I", len(data))
    return header + data


def write_wav(
    path: str | os.PathLike[str], samples: npt.NDArray[np.floating], sample_rate: int = 48_000
) -> Path:
    """Write `samples` ((n, channels) float) as a 16-bit WAV at `path`, atomically; returns the path."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_bytes(to_wav_bytes(samples, sample_rate))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path

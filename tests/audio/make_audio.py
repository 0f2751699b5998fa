"""Tiny generated audio for the mixer tests: float WAVs (exact samples) written with PyAV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np

SR = 48_000


def write_audio(path: Path, samples: np.ndarray, rate: int = SR) -> Path:
    """(channels, n) float32 → a pcm_f32le WAV (lossless, so the mixer sees these exact samples)."""
    channels = samples.shape[0]
    layout = {1: "mono", 2: "stereo", 4: "quad", 6: "5.1"}[channels]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_f32le", rate=rate)
        stream.layout = layout
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples.T.reshape(1, -1), dtype=np.float32), format="flt", layout=layout
        )
        frame.sample_rate = rate
        frame.pts = 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def sine(freq: float, seconds: float, amp: float = 0.5, rate: int = SR) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def ramp(seconds: float, rate: int = SR) -> np.ndarray:
    """A slow ramp 0 → ~1: every sample distinct, so positions can be read back from values."""
    n = round(seconds * rate)
    return (np.arange(n) / n).astype(np.float32)


def audio_layer(source: str, **settings: Any) -> dict[str, Any]:
    props = settings.pop("properties", {})
    extra = {
        k: settings.pop(k) for k in ("animations", "transitionIn", "transitionOut", "track") if k in settings
    }
    base = {"enabled": True, "startTime": 0, "sourceDuration": 1, "source": source}
    return {
        "id": f"a-{source}",
        "type": "audio",
        "settings": {**base, **settings},
        "properties": props,
        **extra,
    }


def document(
    layers: list[dict[str, Any]], duration: float = 1.0, fps: float = 30, **extra: Any
) -> dict[str, Any]:
    return {"width": 32, "height": 18, "fps": fps, "duration": duration, "layers": layers, **extra}

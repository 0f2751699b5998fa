"""Text raster benchmark: one 1920×1080 frame with 40 text layers, Compositor + TextPainter only.

Hot path: `Compositor.render` → `TextPainter.measure` (cached per text/style) → `TextPainter.paint`
(A8 coverage pass per fill/stroke, shadow layers, local raster + warp under rotation). The
workload is built in memory (no fixture file): 40 text layers at 1080p@30 in a grid, mixed
sizes (1.6–4.5 em), weights, alignments, a few with stroke, shadow, decorations, letter
spacing and multi-line text. Cases:

* ``static``   — nothing changes between frames: measure hits its cache, paint dominates;
* ``counting`` — every layer's text changes every frame (a running counter): shaping and
  layout run each frame, as for captions or typewriter effects;
* ``rotating`` — the static texts under an animated rotation: the warp path (local raster is
  cached, only the bitmap draw is per frame);
* ``fallback`` — static texts mixing scripts and an emoji: per-character font fallback and
  bidi runs (measured once; paint is the multi-run blob).

Scenes are evaluated before timing; encoding is skipped; the Compositor's retained mode (layer
picture reuse) is off unless ``--retain``, so every frame paints every text layer. Warm-up (fonts, instancing, first
render) is excluded; each figure is the median over `--runs` runs of `--frames` frames, timed
with `time.perf_counter`. "× realtime" is (1000/30) / (ms/frame) for a 30 fps render.

    PYTHONPATH=src python bench/bench_text.py [--frames 30] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.settings import cpu_limit  # noqa: E402

WIDTH, HEIGHT, FPS = 1920, 1080, 30
LAYERS = 40

_WORDS = [
    "Quarterly results", "Hello, world", "Breaking news", "Chapter 4", "The quick brown fox",
    "Subscribe now", "Live", "Two lines\nof caption text", "Limited offer", "Now playing",
]  # fmt: skip
_MIXED = ["Привет, мир", "Γειά σου κόσμε", "Hello 😀 world", "abc שלום 123", "Tokyo → Paris ★"]


def header() -> str:
    versions = dict(library_versions())
    return (
        f"# cpus={cpu_limit()} python={versions['python']} skia-python={versions['skia-python']} "
        f"av={versions['av']} (libavcodec {versions['libavcodec']}) numba={versions['numba']} "
        f"numpy={versions['numpy']} layers={LAYERS} size={WIDTH}x{HEIGHT}@{FPS}"
    )


def _layer(i: int, case: str, frames: int) -> dict[str, Any]:
    col, row = i % 5, i // 5
    props: dict[str, Any] = {
        "text": (_MIXED[i % len(_MIXED)] if case == "fallback" else _WORDS[i % len(_WORDS)]),
        "fontSize": 1.6 + (i % 6) * 0.55,
        "fontWeight": (400, 600, 700, 800, 300)[i % 5],
        "color": ("#ffffff", "#fbbf24", "#34d399", "#93c5fd")[i % 4],
        "position": [0.1 + col * 0.2, 0.07 + row * 0.125],
        "textAlign": ("center", "left", "right")[i % 3],
    }
    if i % 7 == 0:
        props.update(textStroke=True, textStrokeWidth=0.08, textStrokeColor="#000000")
    if i % 9 == 0:
        props.update(textShadow=True, textShadowColor="rgba(0,0,0,0.7)", textShadowOffset=[0.1, 0.1],
                     textShadowBlur=0.2)  # fmt: skip
    if i % 11 == 0:
        props.update(textDecoration="underline")
    if i % 6 == 0:
        props.update(letterSpacing=0.05)
    animations: list[dict[str, Any]] = []
    if case == "rotating":
        animations.append({"property": "rotation", "keyframes": [
            {"time": 0, "value": 0}, {"time": frames / FPS, "value": 30 + i}]})  # fmt: skip
    layer: dict[str, Any] = {
        "id": f"text-{i:02d}",
        "type": "captions" if case == "counting" else "text",
        "settings": {"enabled": True, "startTime": 0, "sourceDuration": frames / FPS, "name": f"t{i}"},
        "properties": props,
        "animations": animations,
    }
    if case == "counting":
        del props["text"]
        layer["settings"]["captions"] = [
            {"caption": f"{_WORDS[i % len(_WORDS)].splitlines()[0]} {f * 7 + i}",
             "startTime": f / FPS, "endTime": (f + 0.5) / FPS}
            for f in range(frames)
        ]  # fmt: skip
    return layer


def document(case: str, frames: int) -> dict[str, Any]:
    return {
        "name": f"bench-text-{case}",
        "duration": frames / FPS,
        "width": WIDTH,
        "height": HEIGHT,
        "fps": FPS,
        "backgroundColor": "#101828",
        "layers": [_layer(i, case, frames) for i in range(LAYERS)],
    }


def _compositor(cls: Any, doc: Any, warnings: list[str], retain: bool) -> Any:
    """A Compositor drawing every layer every frame (unless `retain`): the text path is measured,
    not the retained-mode picture reuse."""
    try:
        return cls(doc, base_dir=ROOT, on_warning=warnings.append, retain=retain)
    except TypeError:  # a Compositor without retained mode
        return cls(doc, base_dir=ROOT, on_warning=warnings.append)


def bench_case(case: str, frames: int, runs: int, retain: bool = False) -> str:
    from vfnative.model import load
    from vfnative.raster.compose import Compositor
    from vfnative.timeline.plan import build_timeline
    from vfnative.timeline.scalar import scene_at

    warnings: list[str] = []
    doc = load(document(case, frames))
    timeline = build_timeline(doc)
    scenes = [scene_at(timeline, f) for f in range(frames)]
    compositor = _compositor(Compositor, doc, warnings, retain)
    for scene in scenes:  # warm-up: fonts, instances, caches as a long render would have them
        compositor.render(scene)
    times: list[float] = []
    for _ in range(runs):
        if case == "counting":  # every frame's text is new to the painter, as in a real render
            compositor = _compositor(Compositor, doc, warnings, retain)
            compositor.render(scenes[0])
        start = time.perf_counter()
        for scene in scenes:
            compositor.render(scene)
        times.append((time.perf_counter() - start) * 1000.0 / frames)
    ms = statistics.median(times)
    note = f"   warnings={len(set(warnings))}" if warnings else ""
    mode = "  retained" if retain else ""
    return f"raster  text40-{case:<9} {ms:7.1f} ms/frame   {1000.0 / FPS / ms:5.2f}x realtime{mode}{note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--retain", action="store_true", help="let the Compositor reuse layer pictures")
    parser.add_argument("cases", nargs="*", default=["static", "counting", "rotating", "fallback"])
    args = parser.parse_args(argv)
    print(header())
    for case in args.cases:
        print(bench_case(case, args.frames, args.runs, args.retain), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

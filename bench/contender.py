"""One bench contender in its own process (bench/compare.py runs it and measures it from outside).

    python bench/contender.py vfnative DOC OUT [--jobs N] [--preset standard] [--scale F]
    python bench/contender.py x264 DOC OUT [--against RENDER.mp4] [--scale F]

``vfnative`` renders DOC with the public API exactly as ``vfnative render`` does (one process with
``--jobs 1``, worker processes otherwise), loading the CLI module and ending the process as the CLI
does (`vfnative.cli.main.exit_now`: no interpreter teardown). ``x264`` is the floor: it renders
DOC's frames into memory first (not timed), then times libx264 alone — `Muxer` with the same
settings, BGRA in, BT.709 yuv420p out — on those frames. With ``--against`` it also decodes that
render and reports its PSNR against the lossless reference (the yuv420p conversion of the same
frames, which is what an x264 qp 0 encode decodes to) and its video bitrate.

The last stdout line is a JSON report.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _settings(args: argparse.Namespace) -> Any:
    import vfnative

    settings = vfnative.RenderSettings.preset(args.preset)
    if args.scale != 1.0:
        settings = settings.replace(scale=settings.scale * args.scale)
    return settings


def run_vfnative(args: argparse.Namespace) -> dict[str, Any]:
    import vfnative
    import vfnative.cli.main  # noqa: F401 - loaded as by `vfnative render` (its import time is counted)
    from vfnative.api.environment import limit_heap_growth
    from vfnative.api.parallel import render_parallel

    limit_heap_growth()  # as `vfnative render` does
    started = time.perf_counter()
    with vfnative.Renderer(args.document, settings=_settings(args)) as renderer:
        if args.jobs == 1:
            report = renderer.render_video(args.output)
        else:
            report = render_parallel(renderer, args.output, jobs=args.jobs)
        stats = renderer._compositor.retain_stats if renderer._compositor is not None else None
    t = report.timings
    return {
        "contender": "vfnative",
        "frames": report.frames,
        "width": report.width,
        "height": report.height,
        "fps": report.fps,
        "seconds": time.perf_counter() - started,
        "render_seconds": report.seconds,
        "stages": {
            "setup": t.setup,
            "audio": t.audio,
            "timeline": t.timeline,
            "raster": t.raster,
            "encode": t.encode,
            "encoder thread": t.encoder_thread,
            "converter thread": t.converter_thread,
        },  # fmt: skip
        "retain": None if stats is None else vars(stats),
        "warnings": len(report.warnings),
    }


def _planes(frame: Any) -> list[Any]:
    """The Y, U and V planes of a yuv420p frame as 2-D uint8 arrays (line padding cut off)."""
    import numpy as np

    return [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in frame.planes]


def run_x264(args: argparse.Namespace) -> dict[str, Any]:
    import av
    import numpy as np

    import vfnative
    from vfnative.api.render import _Clock
    from vfnative.encode.mux import Muxer

    settings = _settings(args)
    with vfnative.Renderer(args.document, settings=settings) as renderer:
        n = renderer.frame_count
        doc = renderer.document
        frames = [px.copy() for _n, _s, px in renderer._render_scenes(range(n), _Clock(), bgra=True)]
    w, h, fps = int(doc.width), int(doc.height), float(doc.fps)
    import resource

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
        return ru.ru_utime + ru.ru_stime

    cpu0 = cpu()
    started = time.perf_counter()
    with Muxer(args.output, width=w, height=h, fps=fps, frame_count=n, settings=settings.encode,
               pixel_format="bgra") as mux:  # fmt: skip
        for f in frames:
            mux.write(f)  # returns once f is read: conversion overlaps the encoder, as in a render
    encode = time.perf_counter() - started
    out: dict[str, Any] = {"contender": "x264-only", "frames": n, "width": w, "height": h, "fps": fps,
                           "seconds": encode, "encode_cpu_seconds": cpu() - cpu0,
                           "stages": {"encode": encode}}  # fmt: skip
    if args.against:
        from av.video.reformatter import ColorRange, Colorspace

        sse = np.zeros(3)
        count = np.zeros(3)
        worst = math.inf
        bits = 0
        with av.open(str(args.against)) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                bits += 8 * packet.size
            container.seek(0)
            for i, decoded in enumerate(container.decode(video=0)):
                ref = av.VideoFrame.from_ndarray(frames[i], format="bgra").reformat(
                    format="yuv420p", dst_colorspace=Colorspace.ITU709, dst_color_range=ColorRange.MPEG
                )
                frame_sse = []
                for k, (a, b) in enumerate(zip(_planes(decoded), _planes(ref), strict=True)):
                    e = float(np.sum((a.astype(np.int32) - b.astype(np.int32)) ** 2))
                    sse[k] += e
                    count[k] += a.size
                    frame_sse.append(e / a.size)
                worst = min(worst, 10 * math.log10(255**2 / max(frame_sse[0], 1e-12)))

        def psnr(err: float, n: float) -> float:
            return 10 * math.log10(255**2 / max(err / n, 1e-12))

        out["quality"] = {
            "psnr_y": psnr(sse[0], count[0]),
            "psnr_yuv": psnr(float(sse.sum()), float(count.sum())),
            "psnr_y_worst_frame": worst,
            "video_bitrate": bits / (n / fps),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["vfnative", "x264"])
    parser.add_argument("document", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--preset", default="standard")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args(argv)
    report = run_vfnative(args) if args.mode == "vfnative" else run_x264(args)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    code = main()
    if sys.argv[1:2] == ["vfnative"]:  # the process ends as `vfnative render` ends it (no teardown)
        from vfnative.cli.main import exit_now

        exit_now(code)
    raise SystemExit(code)

"""Video-layer decode benchmark: one 1080p video layer played forward and in reverse.

Hot path: `VideoDecoder.frame_at` (learned frame index → shared FrameCache → forward decode or
keyframe seek → YUV→BGRA conversion, BT.709) for every output frame of a layer, and, in the
``layer`` cases, the same through the `Compositor` (decode + placing the picture on a 1080p canvas),
without encoding. The test clip is generated here: 1920×1080@30, 10 s of a scrolling gradient with
noise, H.264 (libx264 superfast, CABAC, a keyframe every `--gop` frames, 2 B-frames), no audio.

Cases per direction (speed 1 and speed −1 over the whole clip, one output frame per source frame):

* ``decode``: the decoder alone, output at 1920×1080 BGRA;
* ``layer``:  the full-frame video layer drawn by the Compositor (cover fit, tier 1).

Printed: ms per output frame, × realtime at 30 fps, and for reverse the ratio to forward; plus the
pictures decoded per output frame and the seeks (reverse should stay near one decode per frame and
one seek per GOP; ~1.2 on the default clip: the first GOP is decoded twice, once while the decoder
still plays forward without keeping pictures, see `vfnative.media.decode`). Figures are the median of `--runs` runs after one warm-up run.

    PYTHONPATH=src python bench/bench_decode.py [--seconds 10 --gop 60 --runs 3 --keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from vfnative.api.environment import library_versions  # noqa: E402
from vfnative.media.cache import FrameCache  # noqa: E402
from vfnative.media.decode import VideoDecoder  # noqa: E402
from vfnative.settings import cpu_limit  # noqa: E402

W, H, FPS = 1920, 1080, 30


def header() -> str:
    versions = dict(library_versions())
    return (
        f"# cpus={cpu_limit()} python={versions['python']} skia-python={versions['skia-python']} "
        f"av={versions['av']} (libavcodec {versions['libavcodec']}) numba={versions['numba']} "
        f"numpy={versions['numpy']}"
    )


def make_clip(path: Path, seconds: float, gop: int) -> Path:
    """A 1080p30 H.264 clip with real motion and texture (so decoding is not trivially cheap)."""
    frames = round(seconds * FPS)
    rng = np.random.default_rng(0)
    x = np.linspace(0, 255, W, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, H, dtype=np.float32)[:, None]
    base = np.empty((H, 2 * W, 3), np.uint8)  # a textured gradient twice as wide, scrolled per frame
    xx = np.linspace(0, 511, 2 * W, dtype=np.float32)[None, :]
    base[..., 0] = xx % 256
    base[..., 1] = y
    base[..., 2] = (xx + y) / 2 % 256
    base = np.minimum(base.astype(np.uint16) + rng.integers(0, 24, size=base.shape), 255).astype(np.uint8)
    del x
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.bit_rate = 8_000_000
        stream.options = {
            "preset": "superfast",
            "g": str(gop),
            "keyint_min": str(gop),
            "bf": "2",
            "sc_threshold": "0",
        }
        stream.codec_context.colorspace = 1  # BT.709 tags, as camera/web footage has
        stream.codec_context.color_range = 1
        for i in range(frames):
            shift = (i * 7) % W
            img = np.ascontiguousarray(base[:, shift : shift + W])
            bar = (i * 24) % W
            img[:, bar : bar + 80] = 255
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def run_decode(clip: Path, times: list[float]) -> tuple[float, int, int]:
    """Seconds for all `times`, pictures decoded, seeks (a fresh decoder and cache per run)."""
    decoder = VideoDecoder(clip, cache=FrameCache())
    start = time.perf_counter()
    for t in times:
        decoder.frame_at(t, pixel_format="bgra")
    elapsed = time.perf_counter() - start
    decoded, seeks = decoder.decoded_frames, decoder.seeks
    decoder.close()
    return elapsed, decoded, seeks


def run_layer(clip: Path, frames: int, speed: int) -> float:
    """Seconds to draw every frame of a document holding just the video layer (no encoding)."""
    from vfnative.api.render import Renderer

    doc = {
        "width": W, "height": H, "fps": FPS, "duration": frames / FPS,
        "layers": [{"id": "v", "type": "video",
                    "settings": {"enabled": True, "sourceDuration": frames / FPS, "speed": speed, "source": clip.name},
                    "properties": {"fit": "cover"}}],
    }  # fmt: skip
    with Renderer(doc, base_dir=clip.parent, on_warning=lambda _m: None) as renderer:
        renderer.compositor  # noqa: B018 - setup (fonts, decoder open) is not measured
        renderer.timeline  # noqa: B018
        start = time.perf_counter()
        for _n, _scene, _pixels in renderer._render_scenes(range(frames), _NullClock(), bgra=True):
            pass
        return time.perf_counter() - start


class _NullClock:
    timeline = raster = encode = audio = 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the generated clip")
    parser.add_argument("--gop", type=int, default=60, help="keyframe interval of the clip, in frames")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the generated clip in")
    parser.add_argument("--skip-layer", action="store_true", help="only the decoder cases")
    args = parser.parse_args(argv)
    print(header(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        clip = folder / f"bench_1080p_{args.seconds:g}s_gop{args.gop}.mp4"
        if not clip.exists():
            t0 = time.perf_counter()
            make_clip(clip, args.seconds, args.gop)
            print(f"# generated {clip.name} in {time.perf_counter() - t0:.1f} s", flush=True)
        frames = round(args.seconds * FPS)
        forward = [f / FPS for f in range(frames)]
        reverse = [args.seconds - f / FPS for f in range(frames)]  # speed −1: S = sourceDuration − elapsed
        print(
            f"# clip {W}x{H}@{FPS} {args.seconds:g} s, GOP {args.gop} frames, {frames} output frames per case"
        )
        results: dict[str, float] = {}
        for name, times in (("forward", forward), ("reverse", reverse)):
            run_decode(clip, times[: FPS * 2])  # warm-up
            runs = [run_decode(clip, times) for _ in range(args.runs)]
            ms = statistics.median(r[0] for r in runs) / frames * 1000
            results[f"decode {name}"] = ms
            decoded, seeks = runs[0][1], runs[0][2]
            ratio = f"   reverse/forward {ms / results['decode forward']:.2f}x" if name == "reverse" else ""
            print(
                f"decode  {name:8s} 1920x1080  {ms:6.2f} ms/frame  {1000 / FPS / ms:5.2f}x realtime  "
                f"decoded/frame {decoded / frames:.2f}  seeks {seeks}{ratio}",
                flush=True,
            )
        if not args.skip_layer:
            for name, speed in (("forward", 1), ("reverse", -1)):
                run_layer(clip, FPS, speed)  # warm-up
                ms = (
                    statistics.median(run_layer(clip, frames, speed) for _ in range(args.runs))
                    / frames
                    * 1000
                )
                results[f"layer {name}"] = ms
                ratio = (
                    f"   reverse/forward {ms / results['layer forward']:.2f}x" if name == "reverse" else ""
                )
                print(
                    f"layer   {name:8s} 1920x1080  {ms:6.2f} ms/frame  {1000 / FPS / ms:5.2f}x realtime  "
                    f"decode share {results[f'decode {name}'] / ms:.0%}{ratio}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

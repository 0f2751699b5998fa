"""`vfnative render | frames | audio | probe | demo | doctor | worker | submit | status`: argparse front end.

The render-farm commands (`worker`, `submit`, `submit-batch`, `status`) live in `vfnative.worker.cli`,
which never imports this module: it gets the shared arguments and `_settings` through `add_commands`.

Errors are caught once, here, printed as ``TypeName: message`` (no traceback unless ``--debug``) and
mapped to exit codes:

    0 success · 1 unexpected error (a bug) · 2 usage · 3 DocumentError · 4 AssetError
    5 RenderError · 6 EncodeError · 130 interrupted (Ctrl-C, SIGTERM, RenderCancelled)

Environment variables are read only here, through an injectable mapping (`run(environ=...)`):
``VFNATIVE_FONT_DIRS`` (extra font folders, ``os.pathsep``-separated) and ``VFNATIVE_THREADS``
(encoder threads; default: the cgroup CPU limit).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, NoReturn, get_args

from rich.console import Console

import vfnative
from vfnative.api.environment import limit_heap_growth, set_ffmpeg_logging
from vfnative.api.render import check_output
from vfnative.api.warmup import seed_numba_cache
from vfnative.cli.progress import LOG_FORMATS, RichProgress, message_fields, setup_logging
from vfnative.settings import PRESET_ALIASES, Codec, GifDither

__all__ = ["main", "run"]

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_DOCUMENT = 3
EXIT_ASSET = 4
EXIT_RENDER = 5
EXIT_ENCODE = 6
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command-line value that argparse could not check by itself (exit 2)."""


@dataclass
class Context:
    """What every command gets: parsed arguments, output streams, the environment."""

    args: argparse.Namespace
    environ: Mapping[str, str]
    stdout: IO[str]
    console: Console
    """Rich console on stderr: progress, logs, error messages."""

    @property
    def progress_enabled(self) -> bool:
        return bool(self.console.is_terminal) and not self.args.quiet and not self.json_logs

    @property
    def json_logs(self) -> bool:
        return getattr(self.args, "log_format", "text") == "json"

    def say(self, message: str) -> None:
        """A summary line for the user (`Wrote ...`): plain text, or an info object with --log-format json."""
        _emit(self.console, message, json_logs=self.json_logs, level="info")

    def font_dirs(self) -> tuple[str, ...]:
        from_env = [d for d in self.environ.get("VFNATIVE_FONT_DIRS", "").split(os.pathsep) if d]
        return (*from_env, *(self.args.font_dir or ()))

    def media_options(self) -> dict[str, Any]:
        """`sources` (the source policy from --allow-root / --allow-network) and `strict` for a Renderer."""
        a = self.args
        cache_dir = self.environ.get("VFNATIVE_CACHE_DIR", "").strip() or None
        raw_max = self.environ.get("VFNATIVE_CACHE_MAX_BYTES", "").strip()
        try:
            policy = vfnative.SourcePolicy(
                allowed_roots=tuple(getattr(a, "allow_root", None) or ()),
                allow_network=bool(getattr(a, "allow_network", False)),
                allow_private=bool(getattr(a, "allow_private", False)),
                allowed_buckets=tuple(getattr(a, "allow_bucket", None) or ()),
                cache_dir=cache_dir,
                **({"cache_max_bytes": int(raw_max)} if raw_max else {}),
            )
        except ValueError as exc:
            raise UsageError(f"{exc} (VFNATIVE_CACHE_MAX_BYTES or --allow-bucket)") from exc
        fetch_fonts = getattr(a, "fetch_fonts", False)
        if fetch_fonts and not policy.allow_network:
            raise UsageError("--fetch-fonts needs --allow-network")
        options: dict[str, Any] = {"sources": policy, "strict": bool(getattr(a, "strict", False))}
        if fetch_fonts:
            options["fetch_fonts"] = fetch_fonts
        return options

    def threads(self) -> int | None:
        if getattr(self.args, "threads", None) is not None:
            return int(self.args.threads)
        raw = self.environ.get("VFNATIVE_THREADS", "").strip()
        if not raw:
            return None
        try:
            value = int(raw)
        except ValueError:
            raise UsageError(f"VFNATIVE_THREADS: expected a positive integer; got {raw!r}") from None
        if value < 1:
            raise UsageError(f"VFNATIVE_THREADS: expected a positive integer; got {raw!r}")
        return value


# ---------------------------------------------------------------------------------------------- commands


def _settings(ctx: Context) -> vfnative.RenderSettings:
    """Preset, then explicit flags on top (explicit flags win).

    Commands with an ``--output`` (render, demo, submit) also have the output's name checked here,
    before any work: a format vfnative cannot write is a usage error (exit 2).
    """
    a = ctx.args
    settings = vfnative.RenderSettings.preset(a.preset) if a.preset else vfnative.RenderSettings()
    changes: dict[str, Any] = {}
    if a.width is not None:
        changes["width"] = a.width
    if a.height is not None:
        changes["height"] = a.height
    if a.scale is not None:
        changes["scale"] = a.scale
    if a.fps is not None:
        changes["fps"] = a.fps
    encode_changes: dict[str, Any] = {}
    if getattr(a, "quality", None):
        encode_changes["quality"] = a.quality
    if getattr(a, "speed", None):
        encode_changes["speed"] = a.speed
    for flag in ("codec", "crf", "bitrate", "pix_fmt", "dither", "gif_max_width"):
        if getattr(a, flag, None) is not None:
            encode_changes[flag] = getattr(a, flag)
    if getattr(a, "keyframe_interval", None) is not None:
        encode_changes["keyframe_interval_s"] = a.keyframe_interval
    if getattr(a, "transparent", False):
        encode_changes["alpha"] = True
    threads = ctx.threads()
    if threads is not None:
        encode_changes["threads"] = threads
    try:
        if encode_changes:
            changes["encode"] = replace(settings.encode, **encode_changes)
        settings = settings.replace(**changes) if changes else settings
        if getattr(a, "output", None) is not None:
            check_output(_output_target(ctx), settings)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    return settings


def _output_target(ctx: Context) -> Any:
    """The ``--output`` path, or the binary stdout for ``-o -``."""
    output = ctx.args.output
    if output != "-":
        return output  # a path or an object URL (s3://...)
    binary = getattr(ctx.stdout, "buffer", None)
    if binary is None:
        raise UsageError("--output -: standard output cannot take binary data here")
    return binary


@contextmanager
def _sigterm_cancels(token: vfnative.CancelToken) -> Iterator[None]:
    """SIGTERM cancels the render cleanly (no partial file) instead of killing the process."""
    try:
        previous = signal.signal(signal.SIGTERM, lambda _sig, _frame: token.cancel())
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _render_to(ctx: Context, doc: Any, output: Any, settings: vfnative.RenderSettings, base_dir: Any) -> int:
    from vfnative.api.render import chunkable

    jobs = getattr(ctx.args, "jobs", None)
    why_not = chunkable(output, check_output(output, settings))
    if why_not is not None and jobs not in (None, 1):
        raise UsageError(f"--jobs {jobs}: {why_not}; render it with --jobs 1")
    limit_heap_growth()  # this process renders: freed frame-sized buffers go back to the system
    token = vfnative.CancelToken()
    label = os.path.basename(output) if isinstance(output, str | os.PathLike) else "stdout"
    with (
        vfnative.Renderer(
            doc, settings=settings, base_dir=base_dir, font_dirs=ctx.font_dirs(), **ctx.media_options()
        ) as renderer,
        _sigterm_cancels(token),
        RichProgress(ctx.console, enabled=ctx.progress_enabled, label=label) as progress,
    ):
        if jobs == 1 or why_not is not None:
            report = renderer.render_video(output, on_progress=progress, cancel=token)
        else:  # frame ranges in worker processes, stitched (one process when the render is short)
            from vfnative.api.parallel import render_parallel

            report = render_parallel(renderer, output, jobs=jobs, on_progress=progress, cancel=token)
    if not ctx.args.quiet:
        ctx.say(
            f"Wrote {report.output} ({report.width}x{report.height}@{report.fps:g}, {report.frames} frames, "
            f"{report.duration_s:.2f} s) in {report.seconds:.2f} s ({report.realtime_factor:.2f}x realtime)"
            + (f", {len(report.warnings)} warning(s)" if report.warnings else "")
            + _cache_summary(report.media_cache)
        )
    return EXIT_OK


def _cache_summary(stats: Any) -> str:
    if not (stats.hits or stats.misses):
        return ""
    return f"; remote media: {stats.hits} cached, {stats.misses} fetched ({stats.bytes_fetched} bytes)"


def cmd_render(ctx: Context) -> int:
    a = ctx.args
    settings = _settings(ctx)
    return _render_to(ctx, a.document, _output_target(ctx), settings, a.base_dir)


def cmd_demo(ctx: Context) -> int:
    from vfnative.demo import DEMO_DOCUMENT

    settings = _settings(ctx)
    return _render_to(ctx, DEMO_DOCUMENT, _output_target(ctx), settings, None)


def _parse_frames(spec: str, count: int) -> list[int]:
    if spec.strip().lower() == "all":
        return list(range(count))
    frames: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part[1:]:
                lo, hi = part.split("-", 1)
                frames.extend(range(int(lo), int(hi) + 1))
            else:
                frames.append(int(part))
        except ValueError:
            raise UsageError(
                f"--frames: expected 'all' or numbers like 0,15,30 or 10-20; got {spec!r}"
            ) from None
    bad = [f for f in frames if not 0 <= f < count]
    if bad:
        raise UsageError(f"--frames: the document has frames 0..{count - 1}; got {bad[0]}")
    if not frames:
        raise UsageError(f"--frames: no frames selected by {spec!r}")
    return sorted(set(frames))


def _encode_png(pixels: Any) -> bytes:
    """(H, W, 4) uint8 straight-alpha RGBA → PNG bytes, with Skia's encoder (no Pillow at runtime)."""
    import skia

    image = skia.Image.fromarray(
        pixels, colorType=skia.ColorType.kRGBA_8888_ColorType, alphaType=skia.AlphaType.kUnpremul_AlphaType
    )
    data = image.encodeToData(skia.EncodedImageFormat.kPNG, 100)
    if data is None:
        raise vfnative.RenderError("PNG encoding failed")
    return bytes(data)


def cmd_frames(ctx: Context) -> int:
    a = ctx.args
    out_dir = Path(a.out_dir)
    with vfnative.Renderer(
        a.document,
        settings=_settings(ctx),
        base_dir=a.base_dir,
        font_dirs=ctx.font_dirs(),
        **ctx.media_options(),
    ) as renderer:
        frames = _parse_frames(a.frames, renderer.frame_count)
        out_dir.mkdir(parents=True, exist_ok=True)
        with RichProgress(ctx.console, enabled=ctx.progress_enabled, label="frames") as progress:
            for done, (n, pixels) in enumerate(renderer.iter_frames(frames), start=1):
                path = out_dir / f"frame_{n:05d}.png"
                tmp = path.with_name(f".{path.name}.part")
                tmp.write_bytes(_encode_png(pixels))
                os.replace(tmp, path)
                progress("render", done, len(frames))
    if not a.quiet:
        ctx.say(f"Wrote {len(frames)} PNG frame(s) to {out_dir}")
    return EXIT_OK


def cmd_audio(ctx: Context) -> int:
    a = ctx.args
    output = Path(a.output)
    with vfnative.Renderer(a.document, base_dir=a.base_dir, **ctx.media_options()) as renderer:
        written = renderer.write_audio(output)
        duration = renderer.document.duration
    if written is None:
        _emit(
            ctx.console,
            "vfnative audio: the document has no audio (no enabled audio or video layer); nothing written",
            json_logs=ctx.json_logs,
            level="error",
        )
        return EXIT_USAGE
    if not a.quiet:
        ctx.say(f"Wrote {written} (48 kHz stereo 16-bit PCM, {duration:g} s)")
    return EXIT_OK


def cmd_probe(ctx: Context) -> int:
    a = ctx.args
    renderer = vfnative.Renderer(a.document, base_dir=a.base_dir, strict=bool(a.strict))
    doc = renderer.document
    counts = Counter(layer.type for _path, layer in doc.walk_layers())
    info = {
        "name": doc.name,
        "width": doc.width,
        "height": doc.height,
        "fps": doc.fps,
        "duration": doc.duration,
        "frames": renderer.frame_count,
        "layers": sum(counts.values()),
        "top_level_layers": len(doc.layers),
        "layer_types": dict(sorted(counts.items())),
    }
    if a.json:
        ctx.stdout.write(json.dumps(info, indent=2) + "\n")
        return EXIT_OK
    by_type = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
    lines = [
        f"name      {doc.name or '-'}",
        f"size      {doc.width}x{doc.height}",
        f"fps       {doc.fps:g}",
        f"duration  {doc.duration:g} s",
        f"frames    {info['frames']}",
        f"layers    {info['layers']} ({by_type})" if by_type else "layers    0",
    ]
    ctx.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def cmd_doctor(ctx: Context) -> int:
    from vfnative.cli.doctor import print_report

    report = vfnative.check_environment(font_dirs=ctx.font_dirs())
    return print_report(report, Console(file=ctx.stdout, highlight=False))


def cmd_warmup(ctx: Context) -> int:
    from vfnative.api.warmup import warm_up, warmup_targets

    a = ctx.args
    effects = [n.strip() for n in a.effects.split(",") if n.strip()] if a.effects else None
    if effects is not None:
        from vfnative.raster.effects import EFFECT_NAMES

        unknown = sorted(set(effects) - set(EFFECT_NAMES))
        if unknown:
            raise UsageError(f"--effects: unknown effect {unknown[0]!r} (see the spec's effect list)")
    total = len(warmup_targets(effects))
    done = 0

    def report(result: Any) -> None:
        nonlocal done
        done += 1
        if result.error is not None:
            ctx.console.print(
                f"warmup: {result.target} failed: {result.error}", markup=False, highlight=False
            )
        elif a.verbose:
            ctx.console.print(
                f"warmup: {result.target} {result.seconds:.1f} s ({done}/{total})", highlight=False
            )

    start = time.perf_counter()
    results = warm_up(jobs=a.jobs, effects=effects, on_result=report)
    failed = [r for r in results if r.error is not None]
    cache = os.environ.get("NUMBA_CACHE_DIR") or "numba's default (next to the sources)"
    if not a.quiet:
        cpu = sum(r.seconds for r in results)
        print(
            f"warmup: {len(results) - len(failed)}/{len(results)} targets compiled in "
            f"{time.perf_counter() - start:.1f} s ({cpu:.0f} s in the processes) into {cache}",
            file=ctx.stdout,
        )
    return EXIT_RENDER if failed else EXIT_OK


# ---------------------------------------------------------------------------------------------- parser


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = False if top else argparse.SUPPRESS
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log details, FFmpeg too"
    )
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no progress or summary")
    parser.add_argument("--debug", action="store_true", default=default, help="show tracebacks for bugs")
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text" if top else argparse.SUPPRESS,
        help="text (one line per message when stderr is not a terminal) or json (one object per line: "
        "level, message, path, layer, frame)",
    )


def _document_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", help="VideoJSON file (or - for stdin)")
    parser.add_argument(
        "--base-dir", help="folder relative media paths resolve against (default: the document's)"
    )
    parser.add_argument(
        "--allow-root",
        action="append",
        metavar="DIR",
        help="also read media from DIR (repeatable; by default only the document's folder)",
    )
    parser.add_argument(
        "--allow-network", action="store_true", help="fetch http(s) media sources (public addresses only)"
    )
    parser.add_argument(
        "--allow-private",
        action="store_true",
        help="with --allow-network: also loopback and private addresses (tests, private deployments)",
    )
    parser.add_argument(
        "--fetch-fonts",
        nargs="?",
        const=True,
        default=False,
        metavar="URL",
        help="download the Google Fonts families the document names and no installed font provides "
        "(needs --allow-network; URL: another Google Fonts-compatible CSS API)",
    )
    parser.add_argument(
        "--allow-bucket",
        action="append",
        metavar="NAME",
        help="also read s3://NAME/... media sources (repeatable; no bucket by default; the s3 extra)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on what the reference tolerates: unknown keys, layer types and easings are errors "
        "(exit 3), a missing, refused or undecodable media source is an error (exit 4)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def _bitrate(text: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    try:
        value = float(text[:-1] if scale != 1 else text) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected bits/s like 8000000, 8M or 2500k; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected bits/s > 0; got {text!r}")
    return int(value)


def _render_args(parser: argparse.ArgumentParser, *, encode: bool) -> None:
    parser.add_argument(
        "--preset",
        choices=[*vfnative.PRESETS, *PRESET_ALIASES],
        metavar="{" + ",".join(vfnative.PRESETS) + "}",
        help="quality preset: draft (half size, fast), standard (the default), high (x264 medium, 2x bitrate)",
    )
    parser.add_argument("--width", type=int, help="output width in px (default: the document's)")
    parser.add_argument("--height", type=int, help="output height in px (default: the document's)")
    parser.add_argument("--scale", type=float, help="scale the document size by this factor")
    parser.add_argument("--fps", type=float, help="output frame rate (default: the document's)")
    parser.add_argument(
        "--font-dir",
        action="append",
        metavar="DIR",
        help="extra font folder (repeatable; also VFNATIVE_FONT_DIRS)",
    )
    parser.add_argument(
        "--transparent",
        action="store_true",
        help="leave the document's background colour out and keep alpha (.mov ProRes 4444, .webm VP9, "
        ".webp, PNG/WebP sequences; other formats: exit 2)",
    )
    if encode:
        parser.add_argument(
            "--codec",
            choices=list(get_args(Codec)),
            help="codec (default: the output's: .mp4 h264, .webm vp9, .mov prores, ...); "
            "with -o - it also picks the container (h264/h265/av1: fragmented MP4, vp9: WebM)",
        )
        parser.add_argument("--crf", type=int, help="constant quality (lower is better) instead of a bitrate")
        parser.add_argument(
            "--bitrate", type=_bitrate, help="target video bitrate in bits/s (e.g. 8M, 2500k)"
        )
        parser.add_argument("--pix-fmt", help="encoder pixel format, e.g. yuv420p10le for 10-bit h265/av1")
        parser.add_argument(
            "--keyframe-interval",
            type=float,
            metavar="SECONDS",
            help="force a keyframe this often (default 5)",
        )
        parser.add_argument(
            "--dither", choices=list(get_args(GifDither)), help="GIF dithering (default: none)"
        )
        parser.add_argument(
            "--gif-width",
            dest="gif_max_width",
            type=_positive_int,
            help="GIF: scale down to this width (default 640)",
        )
        parser.add_argument("--quality", choices=["very_low", "low", "medium", "high", "very_high"])
        parser.add_argument(
            "--speed",
            choices=[
                "ultrafast",
                "superfast",
                "veryfast",
                "faster",
                "fast",
                "medium",
                "slow",
                "slower",
                "veryslow",
            ],
            help="x264 speed preset",
        )
        parser.add_argument(
            "--threads", type=int, help="encoder threads (default: VFNATIVE_THREADS or CPU limit)"
        )
        parser.add_argument(
            "--jobs",
            type=_positive_int,
            metavar="N",
            help="render frame ranges in N processes and join them without re-encoding "
            "(default: the CPU limit; short renders use one)",
        )


def build_parser(stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; help goes to `stdout`, usage errors to `stderr` (defaults: sys streams)."""

    class _Parser(argparse.ArgumentParser):
        def _print_message(self, message: str, file: Any = None) -> None:
            if message:
                target = (
                    (stderr or sys.stderr) if file is None or file is sys.stderr else (stdout or sys.stdout)
                )
                target.write(message)

    parser = _Parser(prog="vfnative", description="Render VideoJSON documents to MP4 without a browser.")
    parser.add_argument("--version", action="version", version=f"vfnative {vfnative.__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "render", help="render a document to a video (H.264 MP4 by default), GIF, images or sound"
    )
    _document_args(p)
    p.add_argument(
        "-o", "--output", required=True,
        help="output path: .mp4 .mov .webm .gif .webp, frames/%%05d.png|.jpg|.webp, .wav .m4a .mp3 .opus "
        ".flac; - for stdout (fragmented MP4 or WebM); or s3://BUCKET/KEY (the s3 extra)",
    )  # fmt: skip
    _render_args(p, encode=True)
    _common(p, top=False)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("frames", help="render chosen frames to PNG files")
    _document_args(p)
    p.add_argument("--frames", default="0", help="'all', or frame numbers like 0,15,30 or 10-20 (default: 0)")
    p.add_argument("-o", "--out-dir", required=True, help="folder for frame_00000.png files")
    _render_args(p, encode=False)
    _common(p, top=False)
    p.set_defaults(func=cmd_frames)

    p = sub.add_parser("audio", help="mix a document's sound into a 16-bit WAV (exit 2 if it has none)")
    _document_args(p)
    p.add_argument("-o", "--output", required=True, help="output .wav path")
    _common(p, top=False)
    p.set_defaults(func=cmd_audio)

    p = sub.add_parser("probe", help="validate a document and print its size, timing and layers")
    _document_args(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    _common(p, top=False)
    p.set_defaults(func=cmd_probe, font_dir=None)

    p = sub.add_parser("demo", help="render the bundled demo document")
    p.add_argument("-o", "--output", default="demo.mp4", help="output .mp4 path (default: demo.mp4)")
    _render_args(p, encode=True)
    _common(p, top=False)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("doctor", help="check libx264, Skia, fonts and library versions")
    p.add_argument("--font-dir", action="append", metavar="DIR", help="also check this font folder")
    _common(p, top=False)
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser(
        "warmup", help="compile every numba kernel (timeline, effects) into the cache, in parallel"
    )
    p.add_argument("--jobs", type=_positive_int, metavar="N", help="processes (default: the CPU limit)")
    p.add_argument("--effects", metavar="NAMES", help="only these effects, comma-separated (default: all)")
    _common(p, top=False)
    p.set_defaults(func=cmd_warmup)

    from vfnative.worker.cli import add_commands  # the render farm: worker, submit, status (worker extra)

    add_commands(
        sub,
        common=lambda p: _common(p, top=False),
        render_args=lambda p: _render_args(p, encode=True),
        settings=_settings,
    )
    from vfnative.service.cli import add_command as add_serve  # the render service (server extra)

    add_serve(sub, common=lambda p: _common(p, top=False))
    from vfnative.cli.fonts import add_commands as add_font_commands

    add_font_commands(sub, common=lambda p: _common(p, top=False))
    return parser


# ---------------------------------------------------------------------------------------------- entry


def _read_stdin_document(args: argparse.Namespace, stdin: IO[str]) -> None:
    if getattr(args, "document", None) == "-":
        # bounded: one character more than the limit is enough for load() to refuse the document
        args.document = stdin.read(vfnative.Limits().max_document_bytes + 1)


def _emit(
    console: Console, message: str, *, json_logs: bool, level: str, exc: BaseException | None = None
) -> None:
    """One message for the user on stderr: as text, or as one JSON object (`--log-format json`)."""
    if not json_logs:
        console.print(message, markup=False, highlight=False, soft_wrap=True)
        return
    path = getattr(exc, "path", None)
    obj: dict[str, Any] = {
        "level": level,
        "message": message,
        **message_fields(message, path=path, frame=getattr(exc, "frame", None)),
    }
    if exc is not None:
        obj["type"] = type(exc).__name__
        issues = getattr(exc, "issues", None)
        if issues:
            obj["issues"] = [{"path": i.path, "message": i.message} for i in issues]
    console.file.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
    console.file.flush()


def _report_error(console: Console, exc: BaseException, *, json_logs: bool = False) -> None:
    _emit(console, f"{type(exc).__name__}: {exc}", json_logs=json_logs, level="error", exc=exc)


_ERROR_EXITS: tuple[tuple[type[BaseException], int], ...] = (
    (vfnative.DocumentError, EXIT_DOCUMENT),
    (vfnative.AssetError, EXIT_ASSET),
    (vfnative.RenderCancelled, EXIT_INTERRUPTED),
    (vfnative.RenderError, EXIT_RENDER),
    (vfnative.EncodeError, EXIT_ENCODE),
)


def run(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run the CLI and return its exit code; never calls `sys.exit` (tests call this directly)."""
    environ = os.environ if environ is None else environ
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    console = Console(file=stderr, _environ=dict(environ), highlight=False)
    if not console.is_terminal:  # a file or a pipe: never wrap a message at 80 columns
        console.soft_wrap = True
    parser = build_parser(stdout, stderr)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version or a usage error
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_USAGE
    ctx = Context(args=args, environ=environ, stdout=stdout, console=console)
    seed_numba_cache(environ)  # before anything loads numba: a prebuilt image cache (no-op elsewhere)
    json_logs = ctx.json_logs
    undo_logging = setup_logging(console, verbose=args.verbose, log_format=args.log_format)
    set_ffmpeg_logging(args.verbose)
    func: Callable[[Context], int] = args.func
    try:
        _read_stdin_document(args, stdin or sys.stdin)
        return func(ctx)
    except UsageError as exc:
        _emit(console, f"vfnative {args.command}: error: {exc}", json_logs=json_logs, level="error")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _emit(console, "Interrupted; no output was written.", json_logs=json_logs, level="error")
        return EXIT_INTERRUPTED
    except vfnative.VfnativeError as exc:
        _report_error(console, exc, json_logs=json_logs)
        for kind, code in _ERROR_EXITS:
            if isinstance(exc, kind):
                return code
        return EXIT_BUG
    except Exception as exc:
        if args.debug:
            console.print(traceback.format_exc(), markup=False, highlight=False)
        else:
            _report_error(console, exc, json_logs=json_logs)
            _emit(
                console,
                "This is a bug in vfnative; run again with --debug for the traceback.",
                json_logs=json_logs,
                level="error",
            )
        return EXIT_BUG
    finally:
        undo_logging()
        set_ffmpeg_logging(False)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: `vfnative ...`; ends the process with `exit_now`."""
    exit_now(run(argv))


def exit_now(code: int) -> NoReturn:
    """Flush the standard streams and logging, then end the process without the interpreter's
    teardown.

    Everything the command made is finished by then: `run` has closed its renderer, its output
    file and its worker processes. What is skipped is only freeing memory the system reclaims anyway
    (modules, Skia's caches, the heap): 0.07 s after a 1080p render (bench/compare.py's contender
    ends the same way).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say
            stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()

"""Compare vfnative with the x264-only floor, MoviePy 2 and (optionally) the VideoFlow reference renderer.

For each document, every contender runs in its own subprocess and is measured from outside:

* wall time of the whole process (interpreter start-up, imports and set-up included; Python's
  bytecode cache on and warm, as for an installed package, whatever the shell's
  ``PYTHONDONTWRITEBYTECODE``);
* peak RSS of the whole process tree — the sum over the process and all its descendants (worker
  processes, MoviePy's ffmpeg), sampled from /proc every 20 ms — and the largest single process
  (``ru_maxrss`` from ``wait4``, exact but per process; the contender is forked from a tiny
  interpreter, since a forked child's figure starts at its parent's size);
* ms/frame per stage, as each contender reports it (vfnative: set-up, audio mix, timeline, raster,
  encode hand-off and encoder-thread busy time, summed over chunks with ``--jobs``; MoviePy: clip
  building, compositing, and the time blocked writing to ffmpeg's pipe);
* ratios: vfnative's wall over the floor's, and MoviePy's (and the reference's) over vfnative's.

Contenders:

* ``vfnative --jobs 1`` and ``vfnative --jobs N`` (N = ``--jobs``, default the CPU limit; skipped
  when the render is too short to split) — bench/contender.py, the public API as the CLI uses it.
* ``x264-only`` — libx264 alone encoding the same frames with the same settings (rendered into
  memory first, untimed): the floor a renderer that draws for free would reach.
* ``moviepy`` — bench/peers/moviepy_<document>.py, the same scene written idiomatically with
  MoviePy 2 (``pip install '.[bench]'``), encoded with the same x264 preset, bitrate and threads.
* ``reference`` — with ``--reference PATH``: PATH is any executable called as ``PATH DOC OUT``
  that renders DOC to OUT, e.g. a wrapper around an existing build of VideoFlow's server renderer
  (``@videoflow/renderer-server``); nothing is built or installed by this script.

Then the default (``standard``) preset's quality: PSNR of the decoded render against the lossless
reference (the yuv420p conversion of the same frames: what x264 at qp 0 decodes to), and its video
bitrate.

    PYTHONPATH=src python bench/make_media.py            # once: generated inputs (not committed)
    PYTHONPATH=src python bench/compare.py bench/documents/*.json [--jobs 2] [--runs 1]
        [--reference PATH] [--no-moviepy] [--scale 0.5] [--keep DIR]

Each figure is the median of ``--runs`` runs (1 by default: these are long renders). The header
prints the load average: other work on the machine inflates every wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

PAGE = resource.getpagesize()
MiB = 1024 * 1024


# ---------------------------------------------------------------------------------------------- measuring


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc; threads' children included)."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    out.extend(int(c) for c in f.read().split())
            except OSError:
                continue
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, right now."""
    total = 0
    stack = [pid]
    seen = set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
        stack.extend(_children(p))
    return total


@dataclass
class Measurement:
    name: str
    wall: float
    tree_peak: int
    """Peak of the summed RSS of the process tree (sampled)."""
    proc_peak: int
    """Largest RSS of any single process of the tree (ru_maxrss)."""
    report: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    cpu: float = 0.0
    """User + system CPU seconds of the whole tree (descendants that were waited for included)."""
    process_wall: float | None = None
    """For the floor: the whole process (rendering its input frames included); `wall` is the encode."""


TRAMPOLINE = """
import json, os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"maxrss": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime}, f)
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs a contender from a tiny interpreter (``-S -I``): a child's ``ru_maxrss`` starts at its
parent's size when it forks, so forking from this script (vfnative imported) would inflate it."""


def measure(
    name: str, cmd: list[str], *, env: dict[str, str] | None = None, interval: float = 0.02
) -> Measurement:
    """Run `cmd`, sampling its tree's RSS; the last stdout line is parsed as a JSON report if it is one."""
    peak = [0]
    fd, usage_path = tempfile.mkstemp(prefix="vfnative-usage-", suffix=".json")
    os.close(fd)
    usage_file = Path(usage_path)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-S", "-I", "-c", TRAMPOLINE, str(usage_file), *cmd],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)  # fmt: skip
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(tree_rss(c) for c in _children(proc.pid)))  # not the trampoline
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for r in readers:
        r.start()
    proc.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    for r in readers:
        r.join()
    stdout, stderr = "".join(out_chunks), "".join(err_chunks)
    usage = {"maxrss": 0, "cpu": 0.0}
    with contextlib.suppress(OSError, ValueError):
        usage = json.loads(usage_file.read_text())
    usage_file.unlink(missing_ok=True)
    m = Measurement(name, wall, peak[0], int(usage["maxrss"]) * 1024, cpu=float(usage["cpu"]))
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    if lines:
        with contextlib.suppress(json.JSONDecodeError):
            m.report = json.loads(lines[-1])
    if proc.returncode != 0:
        tail = [line for line in stderr.strip().splitlines() if "Fontconfig" not in line][-3:]
        m.error = f"exit {proc.returncode}: " + " | ".join(tail)
    return m


def wait_for_quiet(threshold: float | None, max_wait: float) -> None:
    """Wait (up to `max_wait` s) until the 1-minute load average drops below `threshold`."""
    if threshold is None:
        return
    deadline = time.monotonic() + max_wait
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)


def median_of(runs: list[Measurement]) -> Measurement:
    """The run with the median wall time (its other figures come with it)."""
    ok = [r for r in runs if r.error is None] or runs
    ok.sort(key=lambda r: r.wall)
    return ok[(len(ok) - 1) // 2]


# ---------------------------------------------------------------------------------------------- output


def header() -> str:
    from importlib.metadata import PackageNotFoundError, version

    from vfnative.api.environment import library_versions
    from vfnative.settings import cpu_limit

    v = dict(library_versions())
    try:
        mp = version("moviepy")
    except PackageNotFoundError:
        mp = "not installed"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"# cpus={cpu_limit()} mem={mem:.0f}GiB load={load} python={v['python']} skia-python={v['skia-python']} "
        f"av={v['av']} (libavcodec {v['libavcodec']}) numba={v['numba']} moviepy={mp}"
    )


def _stages(m: Measurement, frames: int) -> str:
    stages = m.report.get("stages") or {}
    per_frame = {"setup", "audio", "build"}  # one-off costs: seconds, not ms/frame
    parts = []
    for k, v in stages.items():
        if k in per_frame:
            parts.append(f"{k} {v:.2f} s")
        else:
            parts.append(f"{k} {1000 * v / max(frames, 1):.1f}")
    return ", ".join(parts)


def print_document(doc: Path, rows: list[Measurement], frames: int, size: str, fps: float) -> None:
    print(f"\n{doc.name}  {size}@{fps:g}  {frames} frames ({frames / fps:.1f} s)", flush=True)
    print(f"  {'contender':<22}{'wall s':>8}{'ms/frame':>10}{'CPU s':>8}{'peak RSS tree':>15}{'max proc':>10}"
          "  stages (ms/frame)")  # fmt: skip
    for m in rows:
        if m.error:
            print(f"  {m.name:<22}  failed: {m.error}")
            continue
        rss = "      (holds all frames)" if m.process_wall is not None else (
            f"{m.tree_peak / MiB:11.0f} MiB{m.proc_peak / MiB:6.0f} MiB")  # fmt: skip
        # the floor's own process also rendered its input frames: show the encode's CPU only
        cpu = f"{m.cpu:8.1f}" if m.process_wall is None else f"{m.report.get('encode_cpu_seconds', 0.0):8.1f}"
        print(
            f"  {m.name:<22}{m.wall:8.2f}{1000 * m.wall / frames:10.1f}{cpu:>8}{rss}  {_stages(m, frames)}",
            flush=True,
        )


def print_ratios(rows: dict[str, Measurement]) -> None:
    floor = rows.get("x264-only")
    single = rows.get("vfnative --jobs 1")
    best = min((m for k, m in rows.items() if k.startswith("vfnative") and not m.error), key=lambda m: m.wall,
               default=None)  # fmt: skip
    if floor and not floor.error:
        for k, m in rows.items():
            if k.startswith("vfnative") and not m.error:
                render = m.report.get("render_seconds", m.wall)
                print(f"  {k}: wall / x264-only = {m.wall / floor.wall:.2f}x "
                      f"(render only, without start-up: {render / floor.wall:.2f}x)")  # fmt: skip
    if best is not None:
        for k, m in rows.items():
            if not k.startswith(("vfnative", "x264")) and not m.error:
                print(f"  {k}: {m.wall / best.wall:.1f}x the wall time of {best.name}"
                      + (f" ({m.wall / single.wall:.1f}x --jobs 1)" if single and single is not best else ""))  # fmt: skip
    if single and single.report.get("retain"):
        r = single.report["retain"]
        print(f"  retained raster (--jobs 1): frames reused {r['frames_reused']}, partial {r['frames_partial']}, "
              f"full {r['frames_full']}; layers recorded {r['layers_recorded']}, reused {r['layers_reused']}")  # fmt: skip
    if floor and floor.report.get("quality"):
        q = floor.report["quality"]
        print(f"  standard preset: video {q['video_bitrate'] / 1e6:.2f} Mb/s, PSNR vs lossless Y {q['psnr_y']:.2f} dB, "
              f"YUV {q['psnr_yuv']:.2f} dB (worst frame Y {q['psnr_y_worst_frame']:.2f} dB)")  # fmt: skip


# ---------------------------------------------------------------------------------------------- main


def _peer_script(doc: Path) -> Path | None:
    path = HERE / "peers" / f"moviepy_{doc.stem.replace('-', '_')}.py"
    return path if path.exists() else None


def compare(doc: Path, args: argparse.Namespace, work: Path) -> None:
    import vfnative
    from vfnative.api.parallel import effective_jobs
    from vfnative.settings import cpu_limit

    settings = vfnative.RenderSettings(scale=args.scale)
    probe = vfnative.Renderer(doc, settings=settings)
    frames, fps = probe.frame_count, float(probe.document.fps)
    size = f"{probe.document.width}x{probe.document.height}"
    jobs = args.jobs or cpu_limit()
    py = sys.executable
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Bytecode as an installed package has it (pip compiles on install): a dev shell's
    # PYTHONDONTWRITEBYTECODE=1 would make every vfnative process compile its sources (~0.1 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    if not (work / "pycache").is_dir():  # compiled once per comparison, not per document
        subprocess.run([sys.executable, "-c", "import vfnative.api.parallel, vfnative.raster.compose, "
                        "vfnative.encode.mux, vfnative.flow"], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    scale = ["--scale", str(args.scale)]
    out1 = work / f"{doc.stem}.jobs1.mp4"
    plan: list[tuple[str, list[str]]] = [
        (
            "vfnative --jobs 1",
            [py, str(HERE / "contender.py"), "vfnative", str(doc), str(out1), "--jobs", "1", *scale],
        ),
    ]
    if effective_jobs(frames, jobs) > 1:
        plan.append((f"vfnative --jobs {jobs}", [py, str(HERE / "contender.py"), "vfnative", str(doc),
                                                 str(work / f"{doc.stem}.jobs.mp4"), "--jobs", str(jobs), *scale]))  # fmt: skip
    plan.append(("x264-only", [py, str(HERE / "contender.py"), "x264", str(doc), str(work / f"{doc.stem}.x264.mp4"),
                               "--against", str(out1), *scale]))  # fmt: skip
    peer = _peer_script(doc)
    if peer is not None and not args.no_moviepy:
        try:
            from importlib.metadata import version

            mp_version = version("moviepy")
        except Exception:  # noqa: BLE001 - not installed
            mp_version = None
        if mp_version is not None:
            plan.append(
                (f"moviepy {mp_version}", [py, str(peer), str(work / f"{doc.stem}.moviepy.mp4"), *scale])
            )
    if args.reference:
        plan.append(("reference", [str(args.reference), str(doc), str(work / f"{doc.stem}.reference.mp4")]))
    rows: dict[str, Measurement] = {}
    for name, cmd in plan:
        runs = []
        for _ in range(args.runs if name != "x264-only" else 1):
            wait_for_quiet(args.quiet, args.quiet_wait)
            m = measure(name, cmd, env=env)
            if name == "x264-only" and "seconds" in m.report:  # the floor is its timed encode only
                m.process_wall, m.wall = m.wall, float(m.report["seconds"])
            runs.append(m)
        rows[name] = median_of(runs)
    print_document(doc, list(rows.values()), frames, size, fps)
    print_ratios(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", nargs="*", type=Path)
    parser.add_argument(
        "--jobs", type=int, default=None, help="processes for the parallel run (default: CPU limit)"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per contender (the median is shown)")
    parser.add_argument(
        "--reference", type=Path, help="executable called as PATH DOC OUT (VideoFlow's renderer)"
    )
    parser.add_argument("--no-moviepy", action="store_true", help="skip the MoviePy peers")
    parser.add_argument("--scale", type=float, default=1.0, help="scale every document (quick checks)")
    parser.add_argument("--keep", type=Path, help="keep the rendered files in this folder")
    parser.add_argument(
        "--quiet",
        type=float,
        default=None,
        metavar="LOAD",
        help="before each run, wait until the 1-minute load average is below LOAD",
    )
    parser.add_argument("--quiet-wait", type=float, default=600, help="longest wait for --quiet, seconds")
    args = parser.parse_args(argv)
    docs = args.documents or sorted((HERE / "documents").glob("*.json"))
    from make_media import ensure_media

    ensure_media(quiet=True)
    print(header(), flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="vfnative-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for doc in docs:
            compare(doc.resolve(), args, work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

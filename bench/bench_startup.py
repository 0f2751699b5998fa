"""Start-up benchmark: how long a fresh process takes to import, probe, and render one 1080p frame.

Hot path: interpreter start → ``import vfnative`` → document validation → timeline → fonts →
first frame → libx264 open/flush, each run as a new process (``python -m vfnative.cli.main``), and
numba's compiled-kernel cache cold (a new, empty ``NUMBA_CACHE_DIR``) and warm.

Fixed workload: bench/documents/dashboard.json (63 layers of text and shapes) cut to one frame at
1920×1080, and fixtures/goldens/effects.json (numba effect kernels) cut to one frame.

Python's own bytecode cache is on and warm for every case (``PYTHONPYCACHEPREFIX`` in a temp
folder), as it is for an installed package; this repository's dev environment sets
``PYTHONDONTWRITEBYTECODE=1``, which costs every process ~0.2 s of compiling vfnative's sources.
Each figure is the median of ``--runs`` runs (wall clock, ``time.perf_counter`` around the process).
Run it with the interpreter of a clean install (``python -m venv v && v/bin/pip install .``): when
SciPy is importable, numba's start-up imports it (its BLAS probe), which adds ~0.25 s to the effects
cases; the header line says whether it is.

    PYTHONPATH=src python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))


def one_frame(source: Path, out: Path, *, width: int = 1920, height: int = 1080) -> Path:
    """`source` cut to its first frame, at `width`×`height` (layout is relative)."""
    doc = json.loads(source.read_text())
    doc["duration"] = 1 / float(doc.get("fps", 30))
    doc["width"], doc["height"] = width, height
    out.write_text(json.dumps(doc))
    return out


def timed(cmd: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    """Median wall seconds of `runs` runs of `cmd`, and the largest peak RSS (bytes) of a run.

    Measured as bench/compare.py measures (forked from a tiny interpreter, so a child's RSS is its own).
    """
    from compare import measure

    times, rss = [], 0
    for _ in range(runs):
        m = measure("startup", cmd, env=env)
        if m.error:
            raise RuntimeError(f"{' '.join(cmd)} failed: {m.error}")
        times.append(m.wall)
        rss = max(rss, m.proc_peak)
    return statistics.median(times), rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from vfnative.api.environment import library_versions

    v = dict(library_versions())
    # numba imports scipy.linalg at start-up when SciPy is installed (a BLAS probe, ~0.25 s); vfnative
    # does not depend on SciPy, so a clean install has no such cost: say which kind of environment this is
    scipy = "present" if importlib.util.find_spec("scipy") is not None else "absent"
    print(f"# python={v['python']} numba={v['numba']} skia-python={v['skia-python']} av={v['av']} "
          f"scipy={scipy} load={os.getloadavg()[0]:.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="vfnative-startup-") as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        env["PYTHONPATH"] = str(ROOT / "src")
        env["NUMBA_CACHE_DIR"] = str(work / "numba-warm")
        py = [sys.executable]
        cli = [*py, "-m", "vfnative.cli.main"]
        dashboard = one_frame(HERE / "documents" / "dashboard.json", work / "dashboard-1.json")
        effects = one_frame(ROOT / "fixtures" / "goldens" / "effects.json", work / "effects-1.json")
        effects_doc = json.loads(effects.read_text())
        for layer in effects_doc["layers"]:  # media paths stay relative to the fixtures folder
            src = layer.get("settings", {}).get("source")
            if src and not src.startswith(("/", "http")):
                layer["settings"]["source"] = str(ROOT / "fixtures" / "goldens" / src)
        effects.write_text(json.dumps(effects_doc))
        cases = [
            ("python -c pass", [*py, "-c", "pass"]),
            ("import vfnative", [*py, "-c", "import vfnative"]),
            ("vfnative probe dashboard.json", [*cli, "probe", str(HERE / "documents" / "dashboard.json")]),
            (
                "vfnative render 1 frame 1080p (dashboard)",
                [*cli, "render", str(dashboard), "-o", str(work / "d.mp4"), "-q"],
            ),  # fmt: skip
        ]
        timed(cases[-1][1], env, 1)  # warm Python's bytecode cache
        for name, cmd in cases:
            seconds, rss = timed(cmd, env, args.runs)
            print(f"start  {name:<44} {seconds:6.2f} s   peak RSS {rss / 2**20:5.0f} MiB", flush=True)
        # numba: the effect kernels compile on first use; cold = an empty cache folder for each run
        render_fx = [*cli, "render", str(effects), "-o", str(work / "e.mp4"), "-q", "--allow-root", str(ROOT)]
        cold = []
        for i in range(min(args.runs, 3)):
            cold_env = dict(env, NUMBA_CACHE_DIR=str(work / f"numba-cold-{i}"))
            cold.append(timed(render_fx, cold_env, 1)[0])
        timed(render_fx, env, 1)  # fill the warm cache
        warm, rss = timed(render_fx, env, args.runs)
        print(f"start  {'vfnative render 1 frame 1080p (effects) cold':<44} {statistics.median(cold):6.2f} s"
              f"   (numba compiles its kernels; cache empty)")  # fmt: skip
        print(f"start  {'vfnative render 1 frame 1080p (effects) warm':<44} {warm:6.2f} s   peak RSS "
              f"{rss / 2**20:5.0f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""api/warmup and `vfnative warmup`: kernels compiled into numba's cache, found by a later process;
the prebuilt cache seeded from a read-only folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from vfnative.api.warmup import SEED_ENV, seed_numba_cache, warmup_targets
from vfnative.raster.effects import EFFECT_NAMES


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["NUMBA_CACHE_DIR"] = str(cache)
    env["NUMBA_DEBUG_CACHE"] = "1"  # numba prints "[cache] data saved to ..." for each kernel it compiles
    return env


def test_targets_cover_the_timeline_and_every_registered_effect() -> None:
    targets = warmup_targets()
    assert targets[0] == "timeline"
    assert targets[1:] == [f"effect:{name}" for name in EFFECT_NAMES]
    assert len(targets) == 43


@pytest.mark.slow
def test_warmup_compiles_what_a_later_render_loads(tmp_path: Path) -> None:
    """After `vfnative warmup --effects invert,vignette`, a fresh render of those effects and of
    numba-evaluated keyframes compiles nothing: every kernel it runs comes from the cache."""
    cache = tmp_path / "numba"
    done = subprocess.run(
        [sys.executable, "-m", "vfnative.cli.main", "warmup", "--effects", "invert,vignette", "--jobs", "2"],
        env=_env(cache), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3/3 targets compiled" in done.stdout
    assert "data saved" in done.stdout + done.stderr  # it did compile (into the cache)

    doc = {
        "width": 320, "height": 180, "fps": 30, "duration": 1,
        "layers": [{"id": "a", "type": "shape",
                    "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1, "shapeType": "rectangle"},
                    "properties": {"width": 500, "height": 500, "fill": "#336699"},
                    "effects": [{"effect": "vignette", "params": {}}, {"effect": "invert", "params": {}}]}],
    }  # fmt: skip
    script = (
        "import json, sys, vfnative\n"
        "from vfnative.timeline.evaluate import evaluate\n"
        "doc = json.loads(sys.argv[1])\n"
        "r = vfnative.Renderer(doc)\n"
        "evaluate(r.timeline, range(r.frame_count), kernel='numba')\n"
        "vfnative.render_frame(doc, 3)\n"
    )
    later = subprocess.run(
        [sys.executable, "-c", script, json.dumps(doc)],
        env=_env(cache), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert later.returncode == 0, later.stderr
    output = later.stdout + later.stderr
    saved = [line for line in output.splitlines() if "data saved" in line]
    assert saved == [], saved
    assert "data loaded" in output


def test_warmup_rejects_an_unknown_effect(tmp_path: Path) -> None:
    from vfnative.cli.main import run

    assert run(["warmup", "--effects", "invert,noSuchEffect"], environ=_env(tmp_path)) == 2


def test_seed_copies_a_read_only_cache_once(tmp_path: Path) -> None:
    seed = tmp_path / "seed" / "raster_abc"
    seed.mkdir(parents=True)
    (seed / "k.nbi").write_bytes(b"index")
    (seed / "k.1.nbc").write_bytes(b"data")
    for path in (seed / "k.nbi", seed / "k.1.nbc", seed, seed.parent):
        path.chmod(stat.S_IRUSR | stat.S_IXUSR | (stat.S_IRUSR if path.is_file() else 0))
    target = tmp_path / "tmp" / "numba"
    env = {SEED_ENV: str(seed.parent), "NUMBA_CACHE_DIR": str(target)}
    try:
        assert seed_numba_cache(env) == target
        assert (target / "raster_abc" / "k.nbi").read_bytes() == b"index"
        assert os.access(target / "raster_abc", os.W_OK)  # numba only uses a folder it can write to
        (target / "raster_abc" / "k.nbi").write_bytes(b"newer")  # numba rewrote its index since
        assert seed_numba_cache(env) is None  # seeded once: later processes keep what numba wrote
        assert (target / "raster_abc" / "k.nbi").read_bytes() == b"newer"
    finally:
        for path in (seed.parent, seed, seed / "k.nbi", seed / "k.1.nbc"):
            path.chmod(stat.S_IRWXU)


def test_seed_is_a_no_op_without_a_seed(tmp_path: Path) -> None:
    assert seed_numba_cache({"NUMBA_CACHE_DIR": str(tmp_path)}) is None
    assert seed_numba_cache({SEED_ENV: str(tmp_path / "missing"), "NUMBA_CACHE_DIR": str(tmp_path)}) is None
    assert list(tmp_path.iterdir()) == []

"""`warm_up()`: compile every numba kernel (timeline and effects) into numba's on-disk cache, in parallel.

A fresh environment pays for numba's JIT on its first render: about 107 CPU-seconds for the 42 effects'
kernels. Container images run `vfnative warmup` at build time so that cost is paid once, and
`seed_numba_cache()` makes that prebuilt (read-only) cache usable in a container whose root file
system is read-only.

The kernels are found through the public registries, never by module path: every effect of
`raster.effects.EFFECT_NAMES` is drawn once through the real compositing path (`render_frame` of a
tiny document carrying that effect), and the timeline kernels run once through
`timeline.evaluate(kernel="numba")`. Whatever signatures a real render compiles, this compiles.

Cache validity: numba keys a cache entry by the source file's contents (hash), its directory, the
Python version and the codegen's (CPU name, CPU features). A cache built on one CPU is therefore
missed (and silently rebuilt) on another, unless both set `NUMBA_CPU_NAME=generic` (baseline x86-64
code, features ""), as the container image does at build and at run time.

Imports api.render (wiring) lazily in the child processes; the parent only schedules.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vfnative.settings import cpu_limit

__all__ = ["WarmupResult", "seed_numba_cache", "warm_up", "warmup_targets"]

log = logging.getLogger(__name__)

SEED_ENV = "VFNATIVE_NUMBA_CACHE_SEED"
"""Names a prebuilt numba cache folder (read-only is fine) to copy into NUMBA_CACHE_DIR before use."""

_SEEDED_MARK = ".vfnative-seeded"

TIMELINE = "timeline"
"""The warm-up target that compiles the timeline kernels (easing and track evaluation)."""


@dataclass(frozen=True)
class WarmupResult:
    """One compiled target: ``timeline`` or ``effect:<name>``, and the seconds its process spent."""

    target: str
    seconds: float
    error: str | None = None


def warmup_targets(effects: Sequence[str] | None = None) -> list[str]:
    """The targets `warm_up` compiles: the timeline, then one per registered effect (or `effects`)."""
    if effects is None:
        from vfnative.raster.effects import EFFECT_NAMES

        effects = EFFECT_NAMES
    return [TIMELINE, *(f"effect:{name}" for name in effects)]


def seed_numba_cache(environ: Mapping[str, str] | None = None) -> Path | None:
    """Copy the prebuilt cache named by VFNATIVE_NUMBA_CACHE_SEED into NUMBA_CACHE_DIR, once.

    numba only uses a cache folder it can write to (its locators probe writability before reading),
    so a cache baked into a read-only image layer is ignored as it is. Copying it into the writable
    cache folder (a tmpfs in a read-only container) costs a few tens of milliseconds, once per
    container: a mark file says it is done. Returns the folder seeded, or None when there is
    nothing to do (no seed, no cache dir, already seeded, or the seed is missing).
    """
    env = os.environ if environ is None else environ
    seed, target = env.get(SEED_ENV, ""), env.get("NUMBA_CACHE_DIR", "")
    if not seed or not target:
        return None
    seed_dir, target_dir = Path(seed), Path(target)
    if (target_dir / _SEEDED_MARK).exists() or not seed_dir.is_dir():
        return None
    try:
        if seed_dir.resolve() == target_dir.resolve():
            return None
        for folder, _dirs, files in os.walk(seed_dir):
            # copy contents only: the seed's (read-only) modes would make numba refuse the copy too
            into = target_dir / Path(folder).relative_to(seed_dir)
            into.mkdir(parents=True, exist_ok=True)
            for name in files:
                shutil.copyfile(Path(folder) / name, into / name)
        (target_dir / _SEEDED_MARK).touch()
    except OSError as exc:  # a cache problem only costs compile time: say so, render on
        log.warning("could not seed the numba cache %s from %s: %s", target_dir, seed_dir, exc)
        return None
    return target_dir


def warm_up(
    *,
    jobs: int | None = None,
    effects: Sequence[str] | None = None,
    on_result: Callable[[WarmupResult], None] | None = None,
) -> list[WarmupResult]:
    """Compile every timeline and effect kernel into numba's cache, in `jobs` processes.

    `jobs` defaults to the CPU limit. Each target runs in a fresh (spawned) process so it compiles
    with nothing preloaded, and numba writes each kernel's cache entry as it compiles it (the cache
    folder is NUMBA_CACHE_DIR, inherited by the processes). A target that fails is reported with its
    error, not raised: the other targets still compile. Results come back in completion order.
    """
    targets = warmup_targets(effects)
    workers = max(1, min(jobs or cpu_limit(), len(targets)))
    results: list[WarmupResult] = []
    # spawn: a fork would copy whatever the caller has loaded (threads included) into each child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_compile_target, target): target for target in targets}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # the child died (not a compile error, those come back as results)
                result = WarmupResult(futures[future], 0.0, f"{type(exc).__name__}: {exc}")
            results.append(result)
            if on_result is not None:
                on_result(result)
    return results


# ------------------------------------------------------------------------------ in the child processes

_TIMELINE_DOCUMENT: dict[str, Any] = {
    "width": 64, "height": 36, "fps": 30, "duration": 1,
    "layers": [{"id": "w", "type": "shape",
                "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1, "shapeType": "rectangle"},
                "properties": {"width": 10, "height": 10},
                "animations": [
                    {"property": "position", "keyframes": [
                        {"time": 0, "value": [0.1, 0.1], "easing": easing}, {"time": 1, "value": [0.9, 0.9]}]}
                    for easing in ("linear", "easeIn", "easeOut", "easeInOut", "step")
                ] + [{"property": "fill", "keyframes": [
                    {"time": 0, "value": "#102030", "easing": "easeInOut"}, {"time": 1, "value": "#f0e0d0"}]}]}],
}  # fmt: skip
"""Every easing kind on a numeric track, and a colour track (the CSS-eased path)."""


def _effect_document(name: str) -> dict[str, Any]:
    """Effect `name` (default params) on a small opaque rectangle and on a canvas-filling one.

    Both are needed: fixed-tap passes run their folded-tap filter on canvas-interior pixels and the
    exact kernel only near the canvas edges, which a small centred layer never reaches.
    """
    layers = [
        {"id": f"w{i}", "type": "shape",
         "settings": {"enabled": True, "startTime": 0, "sourceDuration": 1, "shapeType": "rectangle"},
         "properties": {"width": w, "height": h, "fill": "#3366cc"},
         "animations": [], "effects": [{"effect": name, "params": {}}]}
        for i, (w, h) in enumerate(((40, 40), (400, 300)))
    ]  # fmt: skip
    return {
        "width": 160,
        "height": 90,
        "fps": 30,
        "duration": 1,
        "backgroundColor": "#000000",
        "layers": layers,
    }


def _compile_target(target: str) -> WarmupResult:
    start = time.perf_counter()
    try:
        if target == TIMELINE:
            import vfnative
            from vfnative.timeline.evaluate import evaluate

            timeline = vfnative.Renderer(_TIMELINE_DOCUMENT).timeline
            evaluate(timeline, range(timeline.frame_count), kernel="numba")
        elif target.startswith("effect:"):
            import vfnative

            vfnative.render_frame(_effect_document(target.removeprefix("effect:")), 1)
        else:
            raise ValueError(f"unknown warm-up target {target!r}")
    except Exception as exc:
        return WarmupResult(target, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    return WarmupResult(target, time.perf_counter() - start)

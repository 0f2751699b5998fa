"""raster/effects_time.TIME_EFFECTS names exactly the effects whose pass kernels read `time`."""

from __future__ import annotations

import ast
import inspect
import textwrap

from vfnative.raster.effects import PASSES
from vfnative.raster.effects_time import TIME_EFFECTS, effects_use_time


def _reads_time(kernel: object) -> bool:
    func = getattr(kernel, "py_func", kernel)
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))  # type: ignore[arg-type]
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    name = fn.args.args[7].arg  # (src, dst, orig, x0, y0, x1, y1, time, p)
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(fn) if n is not fn.args)


def test_time_effects_match_the_kernels() -> None:
    reading = {name for name, passes in PASSES.items() if any(_reads_time(p.kernel) for p in passes)}
    assert reading == TIME_EFFECTS


def test_effects_use_time() -> None:
    assert not effects_use_time(["colorCorrection", "bloom", "noSuchEffect"])
    assert effects_use_time(["colorCorrection", "filmGrain"])
    assert effects_use_time([None])  # an entry of unknown shape counts as changing

"""Easing curves: the reference's two families, as plain functions and as numba kernels.

Numbers and transition progress use polynomial curves (spec 01 §3.3a); colours and mixed-unit
values are animated by the browser with CSS cubic-bezier timing functions (§3.3b), so the same
name gives different curves in the two families. The plain-Python functions are the scalar
reference; numba kernels of the same functions serve large batch evaluations. numba is imported
only when a kernel is first asked for (`_poly_ease_kernel` and friends are built on first access):
importing it costs ~0.2 s and ~60 MB, and most renders never need it. Imports numba lazily only.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "BEZIER_PARAMS",
    "EASE_EASE_IN",
    "EASE_EASE_IN_OUT",
    "EASE_EASE_OUT",
    "EASE_LINEAR",
    "EASE_STEP",
    "EASING_NAMES",
    "css_ease",
    "cubic_bezier",
    "easing_id",
    "poly_ease",
]

EASE_LINEAR, EASE_EASE_IN, EASE_EASE_OUT, EASE_EASE_IN_OUT, EASE_STEP = 0, 1, 2, 3, 4
EASE_CUSTOM = 5
"""An easing name the reference does not know: linear for numbers, ease-in-out for colours."""

EASING_NAMES: dict[str, int] = {
    "linear": EASE_LINEAR,
    "easeIn": EASE_EASE_IN,
    "easeOut": EASE_EASE_OUT,
    "easeInOut": EASE_EASE_IN_OUT,
    "step": EASE_STEP,
}

BEZIER_PARAMS: dict[int, tuple[float, float, float, float]] = {
    EASE_EASE_IN: (0.42, 0.0, 1.0, 1.0),
    EASE_EASE_OUT: (0.0, 0.0, 0.58, 1.0),
    EASE_EASE_IN_OUT: (0.42, 0.0, 0.58, 1.0),
    EASE_CUSTOM: (0.42, 0.0, 0.58, 1.0),
}


def easing_id(name: str | None) -> int:
    """The id of an easing name; None (the compiler strips 'linear') is linear."""
    if name is None:
        return EASE_LINEAR
    return EASING_NAMES.get(name, EASE_CUSTOM)


def poly_ease(ease: int, u: float) -> float:
    """Polynomial easing E(u) (numbers, transition progress). `step` gives 0: hold the start."""
    if ease == EASE_EASE_IN:
        return u * u
    if ease == EASE_EASE_OUT:
        return u * (2.0 - u)
    if ease == EASE_EASE_IN_OUT:
        return 2.0 * u * u if u < 0.5 else -1.0 + (4.0 - 2.0 * u) * u
    if ease == EASE_STEP:
        return 0.0
    return u


def cubic_bezier(x1: float, y1: float, x2: float, y2: float, x: float) -> float:
    """CSS cubic-bezier(x1, y1, x2, y2) at input progress x, solved as browsers do.

    Newton's method on x(s) = x first, bisection when the slope is too flat, then y(s).
    """
    cx = 3.0 * x1
    bx = 3.0 * (x2 - x1) - cx
    ax = 1.0 - cx - bx
    cy = 3.0 * y1
    by = 3.0 * (y2 - y1) - cy
    ay = 1.0 - cy - by
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    s = x
    for _ in range(8):
        xs = ((ax * s + bx) * s + cx) * s - x
        if abs(xs) < 1e-7:
            return ((ay * s + by) * s + cy) * s
        d = (3.0 * ax * s + 2.0 * bx) * s + cx
        if abs(d) < 1e-6:
            break
        s -= xs / d
    lo, hi, s = 0.0, 1.0, x
    for _ in range(64):
        xs = ((ax * s + bx) * s + cx) * s
        if abs(xs - x) < 1e-7:
            break
        if x > xs:
            lo = s
        else:
            hi = s
        s = (lo + hi) * 0.5
    return ((ay * s + by) * s + cy) * s


def css_ease(ease: int, u: float) -> float:
    """CSS timing-function progress for colours and mixed units; `step` holds (0)."""
    if ease == EASE_LINEAR:
        return u
    if ease == EASE_STEP:
        return 0.0
    x1, y1, x2, y2 = BEZIER_PARAMS[ease]
    return cubic_bezier(x1, y1, x2, y2, u)


# --- numba kernels: the same maths, compiled; private, called from keyframes/evaluate -----------


def _ensure_writable_numba_cache() -> None:
    """Point numba's on-disk cache somewhere writable when the install itself is read-only.

    `cache=True` writes next to the source; in a read-only site-packages (containers, non-root
    users) numba would refuse to cache, and every process would pay the cold JIT again. An explicit
    NUMBA_CACHE_DIR always wins.
    """
    config = sys.modules.get("numba.core.config")
    if getattr(config, "CACHE_DIR", "") or os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).resolve().parent
    pycache = here / "__pycache__"
    if os.access(pycache if pycache.exists() else here, os.W_OK):
        return
    for base in (Path.home() / ".cache", Path(tempfile.gettempdir())):
        target = base / "vfnative" / "numba"
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(target, os.W_OK):
            if config is not None:  # numba already imported: its config was read
                config.CACHE_DIR = str(target)  # type: ignore[attr-defined]
            else:  # read by numba when it is imported (this module no longer imports it)
                os.environ["NUMBA_CACHE_DIR"] = str(target)
            return


_ensure_writable_numba_cache()

_KERNEL_NAMES = ("_poly_ease_kernel", "_cubic_bezier_kernel", "_css_ease_kernel")
_cubic_bezier_kernel: Any  # bound by compile_kernels (module __getattr__ builds them on first access)
_kernels: dict[str, Any] = {}


def compile_kernels() -> dict[str, Any]:
    """The numba kernels (dispatchers) by name, built on first call; loads numba."""
    if not _kernels:
        from numba import njit

        _ensure_writable_numba_cache()
        cubic = njit(cache=True, nogil=True)(cubic_bezier)
        globals()["_cubic_bezier_kernel"] = cubic  # resolved by name when _css_ease compiles
        _kernels.update(
            _poly_ease_kernel=njit(cache=True, nogil=True)(poly_ease),
            _cubic_bezier_kernel=cubic,
            _css_ease_kernel=njit(cache=True, nogil=True)(_css_ease),
        )
    return _kernels


def __getattr__(name: str) -> Any:
    if name in _KERNEL_NAMES:
        return compile_kernels()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _css_ease(ease: int, u: float) -> float:
    """`css_ease` with the bezier parameters inlined, as the kernel compiles it."""
    if ease == EASE_LINEAR:
        return u
    if ease == EASE_STEP:
        return 0.0
    if ease == EASE_EASE_IN:
        return float(_cubic_bezier_kernel(0.42, 0.0, 1.0, 1.0, u))  # noqa: F821 - bound when numba compiles
    if ease == EASE_EASE_OUT:
        return float(_cubic_bezier_kernel(0.0, 0.0, 0.58, 1.0, u))  # noqa: F821 - bound when numba compiles
    return float(_cubic_bezier_kernel(0.42, 0.0, 0.58, 1.0, u))  # noqa: F821 - bound when numba compiles

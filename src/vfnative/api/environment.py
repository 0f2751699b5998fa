"""check_environment(): can this machine render? libx264, Skia (libEGL), fonts, library versions.

Each check has a description and, when it fails, a recommendation (`vfnative doctor` prints both).
Nothing here prints or exits; it only inspects. Imports av, skia and fonts lazily, because a failing
import (libEGL missing) is itself a result to report.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from vfnative.settings import cpu_limit

__all__ = ["Check", "EnvironmentReport", "check_environment", "limit_heap_growth", "set_ffmpeg_logging"]


@dataclass(frozen=True)
class Check:
    """One environment check and its outcome."""

    name: str
    ok: bool
    detail: str
    """What was found (a version, a path, or the error)."""
    fix: str = ""
    """What to do when the check fails."""


@dataclass(frozen=True)
class EnvironmentReport:
    """Every check, plus the library versions worth quoting in a bug report."""

    checks: tuple[Check, ...]
    versions: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(check.ok for check in self.checks)

    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


def _version(dist: str) -> str:
    from importlib import metadata  # ~15 ms to import: only `vfnative doctor` and reports need it

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _check_python() -> Check:
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, platform.python_version(), "" if ok else "vfnative needs Python 3.11 or newer")


def _check_skia() -> Check:
    try:
        import skia
    except ImportError as exc:
        fix = "pip install skia-python==144.1"
        if "libEGL" in str(exc) or "libGL" in str(exc):
            fix = "install the EGL/GL runtime: apt-get install libegl1 libgl1 (Debian/Ubuntu)"
        return Check("skia", False, f"import failed: {exc}", fix)
    surface = skia.Surface(4, 4)
    surface.getCanvas().clear(skia.ColorRED)
    return Check("skia", True, f"skia-python {skia.__version__}, CPU raster surface works")


def _check_libx264() -> Check:
    try:
        import av
        import av.codec
    except ImportError as exc:
        return Check("libx264", False, f"import av failed: {exc}", "pip install 'av>=18.1,<19'")
    try:
        av.codec.Codec("libx264", "w")
    except Exception as exc:  # noqa: BLE001 - any failure means no usable encoder
        return Check(
            "libx264",
            False,
            f"PyAV {av.__version__} has no libx264 encoder ({exc})",
            "install the PyPI 'av' wheel (GPL build, bundles libx264), not 'pyav' or a system FFmpeg without x264",
        )
    return Check("libx264", True, f"PyAV {av.__version__}, encoder libx264 available")


def _check_encode() -> Check:
    """Encode two tiny frames end to end: catches broken FFmpeg builds and unwritable temp folders."""
    try:
        import numpy as np

        from vfnative.encode.mux import Muxer
        from vfnative.settings import EncodeSettings

        with tempfile.TemporaryDirectory(prefix="vfnative-doctor-") as tmp:
            out = Path(tmp) / "check.mp4"
            frame = np.zeros((16, 16, 4), np.uint8)
            frame[..., 3] = 255
            with Muxer(
                out, width=16, height=16, fps=30, frame_count=2, settings=EncodeSettings(threads=1)
            ) as mux:
                mux.write(frame)
                mux.write(frame)
            size = out.stat().st_size
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Check(
            "encode", False, f"{type(exc).__name__}: {exc}", "run `vfnative --debug doctor` and report it"
        )
    return Check("encode", True, f"wrote a 2-frame H.264 MP4 ({size} bytes)")


def _check_fonts(font_dirs: Sequence[str | os.PathLike[str]]) -> Check:
    try:
        import fontpkg  # type: ignore[import-untyped]

        families = sorted(family.name for family in fontpkg.families().values())
    except Exception as exc:  # noqa: BLE001
        return Check("fonts", False, f"bundled fonts unavailable: {exc}", "pip install fontpkg-noto-sans")
    if "Noto Sans" not in families:
        return Check(
            "fonts",
            False,
            f"bundled families: {families}",
            "pip install fontpkg-noto-sans (the default font)",
        )
    extra = []
    for folder in font_dirs:
        path = Path(folder)
        if not path.is_dir():
            return Check(
                "fonts", False, f"font folder {path} does not exist", "fix --font-dir / VFNATIVE_FONT_DIRS"
            )
        count = sum(1 for p in path.rglob("*") if p.suffix.lower() in (".ttf", ".otf", ".ttc", ".woff2"))
        extra.append(f"{path} ({count} files)")
    detail = "bundled: " + ", ".join(families)
    if extra:
        detail += "; folders: " + ", ".join(extra)
    return Check("fonts", True, detail)


def _check_threads() -> Check:
    limit = cpu_limit()
    return Check(
        "cpus", True, f"{limit} usable (host reports {os.cpu_count()}); encoder threads capped at {limit}"
    )


def library_versions() -> tuple[tuple[str, str], ...]:
    """Versions of vfnative, Python, skia-python, PyAV, FFmpeg's libavcodec, numpy, numba, pydantic."""
    from vfnative import __version__

    versions = [
        ("vfnative", __version__),
        ("python", platform.python_version()),
        ("skia-python", _version("skia-python")),
        ("av", _version("av")),
    ]
    try:
        import av

        major, minor, micro = av.library_versions["libavcodec"]
        versions.append(("libavcodec", f"{major}.{minor}.{micro}"))
    except Exception:  # noqa: BLE001
        versions.append(("libavcodec", "unknown"))
    versions += [(name, _version(name)) for name in ("numpy", "numba", "pydantic", "rich")]
    return tuple(versions)


def check_environment(*, font_dirs: Sequence[str | os.PathLike[str]] = ()) -> EnvironmentReport:
    """Run every environment check; never raises for a failed check."""
    checks: list[Callable[[], Check]] = [
        _check_python,
        _check_skia,
        _check_libx264,
        _check_encode,
        lambda: _check_fonts(font_dirs),
        _check_threads,
    ]
    return EnvironmentReport(tuple(check() for check in checks), library_versions())


def set_ffmpeg_logging(verbose: bool) -> None:
    """Send FFmpeg's log to stdlib logging (logger ``libav``) at VERBOSE level, or keep it silent.

    PyAV silences FFmpeg by default: its log is noisy and per-frame. ``vfnative --verbose`` turns it on.
    """
    import av.logging

    av.logging.set_level(av.logging.VERBOSE if verbose else None)


_M_MMAP_THRESHOLD = -3
"""glibc's mallopt() parameter number for the mmap threshold."""
HEAP_MMAP_THRESHOLD = 1 << 20
"""Blocks from 1 MiB up get their own mapping, returned to the system when freed."""


def limit_heap_growth(threshold: int = HEAP_MMAP_THRESHOLD) -> bool:
    """Make glibc give freed frame-sized blocks back to the system at once (a fixed mmap threshold).

    A render allocates and frees blocks of megabytes on several threads every frame (4:2:0 pictures,
    Skia layers, numpy masks). glibc raises its mmap threshold after the first such block is freed
    and then serves them from per-thread heaps it seldom returns: +100 to +250 MB of resident memory
    on a 1080p render (bench/compare.py). A fixed threshold turns off that adjustment.

    Process-wide, so the CLI and the render worker processes call it; a library user may. Returns
    False where there is no glibc `mallopt` (other C libraries, other systems).
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(threshold)))

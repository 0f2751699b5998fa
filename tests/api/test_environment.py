"""check_environment(): this machine (and CI) must pass every check."""

from __future__ import annotations

from pathlib import Path

import vfnative


def test_every_check_passes_here() -> None:
    report = vfnative.check_environment()
    assert [c.name for c in report.checks] == ["python", "skia", "libx264", "encode", "fonts", "cpus"]
    assert report.ok, report.failures()
    versions = dict(report.versions)
    assert versions["skia-python"] == "144.1"
    assert versions["av"].startswith("18.")
    assert versions["vfnative"] == vfnative.__version__


def test_a_missing_font_folder_fails_with_a_fix(tmp_path: Path) -> None:
    report = vfnative.check_environment(font_dirs=[tmp_path / "nope"])
    (fonts,) = [c for c in report.checks if c.name == "fonts"]
    assert not fonts.ok
    assert "VFNATIVE_FONT_DIRS" in fonts.fix
    assert not report.ok

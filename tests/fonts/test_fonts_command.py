"""`vfnative fonts check | install`: what a document needs, what provides it, and a real pip install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vfnative.cli.main import run

from .fontmaker import make_fontpkg_wheel, noto_sans_as


def _doc(path: Path, *families: str) -> Path:
    layers = [
        {"id": f"t{i}", "type": "text", "settings": {}, "properties": {"text": "Ag", "fontFamily": f}}
        for i, f in enumerate(families)
    ]
    path.write_text(json.dumps({"width": 320, "height": 180, "fps": 30, "duration": 1, "layers": layers}))
    return path


def _check(*argv: str) -> tuple[int, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    code = run(["fonts", "check", *argv], environ={}, stdout=out, stderr=err)
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue()


def test_check_lists_providers_and_the_pip_line(tmp_path: Path) -> None:
    doc = _doc(tmp_path / "d.json", "Inter", "Pacifico", "Righteous", "No Such Face")
    code, out = _check(str(doc))
    assert code == 1
    rows = {line.split("  ")[0].strip(): line for line in out.splitlines() if line and line[0] != " "}
    assert "fontpkg-inter" in rows["Inter"]
    assert "MISSING" in rows["Pacifico"]
    assert "pip install fontpkg-pacifico fontpkg-righteous" in out  # known packages, sorted
    assert "No fontpkg package is known for: No Such Face" in out
    code, out = _check(str(doc), "--json")
    data = json.loads(out)
    assert code == 1
    assert data["missing"] == ["Pacifico", "Righteous", "No Such Face"]
    assert data["pip"] == "pip install fontpkg-pacifico fontpkg-righteous"
    assert [f["provider"] for f in data["fonts"]] == ["fontpkg-inter", "missing", "missing", "missing"]


def test_check_passes_when_everything_resolves(tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    noto_sans_as(fonts / "Pacifico.ttf", "Pacifico")
    doc = _doc(tmp_path / "d.json", "Inter", "Pacifico")
    code, out = _check(str(doc), "--font-dir", str(fonts))
    assert code == 0, out
    assert f"folder {fonts}" in out
    assert "pip install" not in out


def test_install_runs_pip_then_checks_again(tmp_path: Path) -> None:
    """A real pip install of a real wheel (from a local folder: no index, no network) into a target
    folder on this process's path; the check that follows sees the new package."""
    wheels = tmp_path / "wheels"
    font = noto_sans_as(tmp_path / "Abel-Regular.ttf", "Abel")
    make_fontpkg_wheel(wheels, "Abel", font)
    site = tmp_path / "site"
    doc = _doc(tmp_path / "d.json", "Abel")
    env = {**os.environ, "PYTHONPATH": str(site)}
    cmd = [sys.executable, "-m", "vfnative.cli.main", "fonts"]
    before = subprocess.run([*cmd, "check", str(doc)], env=env, capture_output=True, text=True, timeout=120)
    assert before.returncode == 1, before
    assert "pip install fontpkg-abel" in before.stdout
    pip_args = ["--pip-arg=--no-index", f"--pip-arg=--find-links={wheels}", f"--pip-arg=--target={site}"]
    done = subprocess.run([*cmd, "install", str(doc), *pip_args], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done
    assert "fontpkg-abel" in done.stdout
    assert (site / "fontpkg_abel-1.0.dist-info").is_dir()
    after = subprocess.run([*cmd, "check", str(doc)], env=env, capture_output=True, text=True, timeout=120)
    assert after.returncode == 0, after


@pytest.mark.parametrize("argv", [["fonts"], ["fonts", "check"], ["fonts", "frobnicate", "x.json"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    import io

    assert run(argv, environ={}, stdout=io.StringIO(), stderr=io.StringIO()) == 2


FIXTURE_FONTS = {
    "fonts-display": {("Bebas Neue", "normal"), ("Lobster", "normal")},
    "fonts-fallback": {("Noto Sans", "normal"), ("Montserrat", "normal"), ("Poppins", "normal")},
    "fonts-scripts": {("Cairo", "normal"), ("Amiri", "normal"), ("Noto Serif", "normal"), ("Noto Serif", "italic")},
    "fonts-static": {("Poppins", "normal"), ("Poppins", "italic"), ("Lato", "italic"), ("Lato", "normal")},
    "fonts-synthetic": {("Lobster", "normal"), ("Oswald", "italic"), ("Bebas Neue", "italic"),
                        ("Bebas Neue", "normal")},
    "fonts-variable": {("Montserrat", "normal"), ("Montserrat", "italic"), ("Playfair Display", "normal"),
                       ("Playfair Display", "italic"), ("Oswald", "normal")},
}  # fmt: skip


@pytest.mark.parametrize("fixture", sorted(FIXTURE_FONTS))
def test_check_lists_exactly_what_each_font_golden_needs(fixture: str) -> None:
    """The test extra installs every package the font goldens name, so each check passes."""
    goldens = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"
    code, out = _check(str(goldens / f"{fixture}.json"), "--json")
    data = json.loads(out)
    assert {(f["family"], f["style"]) for f in data["fonts"]} == FIXTURE_FONTS[fixture]
    assert code == 0, data
    assert all(f["provider"].startswith("fontpkg-") for f in data["fonts"])

"""The compatibility corpus: documents the reference renders, with the mistakes apps make.

Every document renders (in-process, 160×90, 2 frames) with exactly the expected warnings, one per
path, in the log and in `RenderReport.warnings`; `strict=True` refuses it with a DocumentError
naming the same paths. A few go through the real CLI: exit 0 with the warnings on stderr, exit 3
with `--strict`. make_corpus.py wrote the corpus and expected.json; every document was checked
against VideoFlow's own renderer when it was made (see its docstring).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import vfnative

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SRC = HERE.parents[1] / "src"
EXPECTED: dict[str, list[list[str]]] = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
NAMES = sorted(EXPECTED)


def test_corpus_is_complete() -> None:
    assert len(NAMES) >= 40
    assert sorted(p.stem for p in CORPUS.glob("*.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_renders_with_one_warning_per_path(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    seen: list[str] = []
    with vfnative.Renderer(CORPUS / f"{name}.json", on_warning=seen.append) as renderer:
        warnings = renderer.document.warnings
        assert [w.split(": ", 1)[0] for w in warnings] == [path for path, _ in expected]
        for warning, (_path, fragment) in zip(warnings, expected, strict=True):
            assert fragment in warning
        report = renderer.render_video(tmp_path / "out.mp4")
    assert report.frames == 2
    assert report.warnings[: len(warnings)] == warnings  # listed first, once each
    assert len(set(report.warnings)) == len(report.warnings)
    assert seen == list(report.warnings)


@pytest.mark.parametrize("name", NAMES)
def test_strict_refuses_with_the_same_paths(name: str) -> None:
    with pytest.raises(vfnative.DocumentError) as info:
        vfnative.load(CORPUS / f"{name}.json", strict=True)
    assert sorted(issue.path for issue in info.value.issues) == sorted(path for path, _ in EXPECTED[name])


CLI_SAMPLE = ["text-glowamount", "unknown-layer-type", "kitchen-sink"]


def _cli(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(tmp)}
    return subprocess.run(
        [sys.executable, "-m", "vfnative.cli.main", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_real_cli(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    lenient = _cli("render", str(CORPUS / f"{name}.json"), "-o", str(out), tmp=tmp_path)
    assert lenient.returncode == 0, lenient.stderr
    assert out.is_file()
    lines = [
        line.removeprefix("WARNING: ") for line in lenient.stderr.splitlines() if line.startswith("WARNING: ")
    ]
    assert [line.split(": ", 1)[0] for line in lines] == [path for path, _ in EXPECTED[name]]
    out.unlink()
    strict = _cli("render", str(CORPUS / f"{name}.json"), "-o", str(out), "--strict", tmp=tmp_path)
    assert strict.returncode == 3, strict.stderr
    assert strict.stderr.startswith("DocumentError: ")
    for path, _ in EXPECTED[name]:
        assert f"{path}: " in strict.stderr
    assert not out.exists()
    assert "Traceback" not in lenient.stderr + strict.stderr

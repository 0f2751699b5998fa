"""bench/bench_timeline.py runs and prints one row per document (so the script cannot rot unseen)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bench_timeline_prints_a_row_per_document(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = ROOT / "fixtures" / "goldens" / "keyframes-easing.json"
    monkeypatch.setattr(sys, "argv", ["bench_timeline.py", str(doc), "--runs", "1"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_path(str(ROOT / "bench" / "bench_timeline.py"), run_name="__main__")
    assert stop.value.code == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("keyframes-easing.json")]
    assert len(rows) == 1
    assert rows[0].rstrip().endswith("x")  # the scalar / batch ratio

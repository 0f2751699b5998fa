"""Messages for machines: one line per message when stderr is not a terminal, `--log-format json`,
`--strict` for what the reference tolerates, and no fontconfig noise on the user's stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_main import cli, tiny_document

SRC = Path(__file__).resolve().parents[2] / "src"
LONG_KEY = "anAppSpecificFieldWithAVeryLongNameThatWouldWrapAtEightyColumns" * 2


def odd_document() -> dict[str, Any]:
    doc = tiny_document(duration=1 / 30)
    doc["meta"] = {"app": "template-editor"}
    layer = doc["layers"][0]
    layer["properties"][LONG_KEY] = 1
    layer["properties"]["glowAmount"] = 3
    layer["animations"] = [
        {
            "property": "opacity",
            "keyframes": [{"time": 0, "value": 0, "easing": "bounce"}, {"time": 1, "value": 1}],
        }
    ]
    doc["layers"].append({"id": "x", "type": "sprite", "settings": {"enabled": True}})
    return doc


EXPECTED_PATHS = [
    "meta",
    f"layers[0].properties.{LONG_KEY}",
    "layers[0].properties.glowAmount",
    "layers[0].animations[0].keyframes[0].easing",
    "layers[1].type",
]


@pytest.fixture
def odd_path(tmp_path: Path) -> Path:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(odd_document()))
    return path


def test_warnings_are_one_line_each_when_stderr_is_not_a_terminal(odd_path: Path, tmp_path: Path) -> None:
    result = cli("render", str(odd_path), "-o", str(tmp_path / "out.mp4"))
    assert result.code == 0, result
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING: ")]
    assert [w.removeprefix("WARNING: ").split(": ", 1)[0] for w in warnings] == EXPECTED_PATHS
    assert len(warnings[1]) > 120  # a long line stays whole
    assert result.stderr.splitlines()[-1].startswith("Wrote ")
    assert "5 warning(s)" in result.stderr


def test_log_format_json(odd_path: Path, tmp_path: Path) -> None:
    result = cli("--log-format", "json", "render", str(odd_path), "-o", str(tmp_path / "out.mp4"))
    assert result.code == 0, result
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    warnings = [obj for obj in lines if obj["level"] == "warning"]
    assert [w["path"] for w in warnings] == EXPECTED_PATHS
    assert [w["layer"] for w in warnings] == [None, "layers[0]", "layers[0]", "layers[0]", "layers[1]"]
    assert all(set(w) >= {"level", "message", "path", "layer", "frame"} for w in lines)
    assert lines[-1]["level"] == "info"
    assert lines[-1]["message"].startswith("Wrote ")


def test_log_format_json_after_the_command_and_for_errors(odd_path: Path, tmp_path: Path) -> None:
    result = cli("render", str(odd_path), "-o", str(tmp_path / "out.mp4"), "--strict", "--log-format", "json")
    assert result.code == 3, result
    (line,) = result.stderr.splitlines()
    obj = json.loads(line)
    assert obj["level"] == "error"
    assert obj["type"] == "DocumentError"
    assert sorted(i["path"] for i in obj["issues"]) == sorted(EXPECTED_PATHS)
    assert not (tmp_path / "out.mp4").exists()


def test_strict_fails_with_every_path(odd_path: Path, tmp_path: Path) -> None:
    result = cli("render", str(odd_path), "-o", str(tmp_path / "out.mp4"), "--strict")
    assert result.code == 3, result
    assert result.stderr.startswith("DocumentError: 5 problems")
    for path in EXPECTED_PATHS:
        assert f"  {path}: " in result.stderr
    probe = cli("probe", str(odd_path), "--strict")
    assert probe.code == 3
    assert cli("probe", str(odd_path)).code == 0


def test_real_cli_stderr_has_no_fontconfig_noise(tmp_path: Path) -> None:
    """Text makes Skia load fontconfig, whose parser warns about Debian's `reset-dirs` element."""
    doc = tiny_document(duration=1 / 30)
    doc["layers"].append(
        {"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
         "properties": {"text": "Hi", "fontFamily": "No Such Family"}}
    )  # fmt: skip
    path = tmp_path / "text.json"
    path.write_text(json.dumps(doc))
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-m", "vfnative.cli.main", "render", str(path), "-o", str(tmp_path / "o.mp4")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Fontconfig" not in proc.stderr
    assert "WARNING: font family 'No Such Family' is not installed" in proc.stderr  # other stderr stays

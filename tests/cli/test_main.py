"""The CLI: exit codes, error output without tracebacks, probe, frames, render, demo, doctor."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import vfnative
from vfnative.cli.main import run
from vfnative.encode.mux import video_metadata

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_SHAPES = ROOT / "fixtures" / "goldens" / "shapes.json"


def tiny_document(duration: float = 0.2) -> dict[str, Any]:
    return {
        "name": "cli tiny",
        "width": 64,
        "height": 36,
        "fps": 30,
        "duration": duration,
        "backgroundColor": "#112233",
        "layers": [
            {
                "id": "dot",
                "type": "shape",
                "settings": {
                    "enabled": True,
                    "startTime": 0,
                    "sourceDuration": duration,
                    "shapeType": "ellipse",
                },
                "properties": {"width": 40, "height": 40, "fill": "#ffcc00"},
            }
        ],
    }


class Result:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def __repr__(self) -> str:
        return f"<Result {self.code} stdout={self.stdout!r} stderr={self.stderr!r}>"


def cli(*argv: str, environ: dict[str, str] | None = None, stdin: str = "") -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), environ=environ or {}, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def doc_path(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_document()))
    return path


def test_invalid_document_exits_3_with_every_path_and_no_traceback(tmp_path: Path) -> None:
    bad = tiny_document()
    bad["height"] = -5
    bad["layers"][0]["properties"]["fill"] = 12
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = cli("render", str(path), "-o", str(tmp_path / "x.mp4"))
    assert result.code == 3, result
    assert result.stderr.startswith("DocumentError: ")
    assert "height" in result.stderr
    assert "layers[0].properties.fill" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.mp4").exists()


def test_missing_document_exits_4(tmp_path: Path) -> None:
    result = cli("probe", str(tmp_path / "nowhere.json"))
    assert result.code == 4, result
    assert result.stderr.startswith("MissingAssetError: ")


def test_probe_prints_size_timing_and_layer_counts() -> None:
    result = cli("probe", str(GOLDEN_SHAPES))
    assert result.code == 0, result
    assert result.stdout.splitlines() == [
        "name      Shapes",
        "size      1280x720",
        "fps       30",
        "duration  2 s",
        "frames    60",
        "layers    6 (shape 6)",
    ]


def test_probe_json_counts_nested_layers() -> None:
    result = cli("probe", "--json", str(ROOT / "fixtures" / "goldens" / "groups.json"))
    assert result.code == 0, result
    info = json.loads(result.stdout)
    assert info["frames"] == 90
    assert info["top_level_layers"] == 2
    assert info["layer_types"] == {"group": 1, "shape": 1, "text": 3}


def test_probe_reads_stdin() -> None:
    result = cli("probe", "-", stdin=json.dumps(tiny_document()))
    assert result.code == 0, result
    assert "frames    6" in result.stdout


def test_frames_writes_pngs(doc_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "frames"
    result = cli("frames", str(doc_path), "--frames", "0,3,5", "--out-dir", str(out))
    assert result.code == 0, result
    assert sorted(p.name for p in out.iterdir()) == ["frame_00000.png", "frame_00003.png", "frame_00005.png"]
    with Image.open(out / "frame_00003.png") as im:
        assert (im.size, im.mode) == ((64, 36), "RGBA")
        assert im.getpixel((32, 18)) == (255, 204, 0, 255)
        assert im.getpixel((1, 1)) == (0x11, 0x22, 0x33, 255)


def test_frames_all_and_out_of_range(doc_path: Path, tmp_path: Path) -> None:
    result = cli("frames", str(doc_path), "--frames", "all", "-o", str(tmp_path / "all"))
    assert result.code == 0, result
    assert len(list((tmp_path / "all").iterdir())) == 6
    result = cli("frames", str(doc_path), "--frames", "6", "-o", str(tmp_path / "none"))
    assert result.code == 2, result
    assert "frames 0..5" in result.stderr


def test_render_golden_fixture(tmp_path: Path) -> None:
    out = tmp_path / "shapes.mp4"
    result = cli("render", str(GOLDEN_SHAPES), "-o", str(out), "--scale", "0.25", "--speed", "superfast")
    assert result.code == 0, result
    assert "Wrote" in result.stderr
    meta = video_metadata(out)
    assert (meta["width"], meta["height"], meta["nb_frames"], meta["avg_frame_rate"]) == (
        320,
        180,
        60,
        "30/1",
    )


def test_demo_renders_the_bundled_document(tmp_path: Path) -> None:
    out = tmp_path / "demo.mp4"
    result = cli("demo", "-o", str(out), "--scale", "0.25", "--speed", "superfast", "-q")
    assert result.code == 0, result
    assert result.stderr == ""
    meta = video_metadata(out)
    assert (meta["width"], meta["height"], meta["nb_frames"]) == (320, 180, 120)


def test_doctor_passes_here() -> None:
    result = cli("doctor")
    assert result.code == 0, result
    assert "libx264" in result.stdout
    assert "All checks passed" in result.stdout


def test_environment_threads_must_be_a_positive_integer(doc_path: Path, tmp_path: Path) -> None:
    result = cli("render", str(doc_path), "-o", str(tmp_path / "t.mp4"), environ={"VFNATIVE_THREADS": "lots"})
    assert result.code == 2, result
    assert "VFNATIVE_THREADS" in result.stderr
    ok = cli("render", str(doc_path), "-o", str(tmp_path / "t.mp4"), "-q", environ={"VFNATIVE_THREADS": "1"})
    assert ok.code == 0, ok


def test_usage_errors_exit_2() -> None:
    assert cli().code == 2
    assert cli("render").code == 2
    assert cli("render", "x.json", "-o", "y.mp4", "--width", "1").code == 2


def test_interrupt_exits_130(doc_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_a: object, **_k: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(vfnative.Renderer, "render_video", interrupted)
    result = cli("render", str(doc_path), "-o", str(tmp_path / "i.mp4"))
    assert result.code == 130, result
    assert "Interrupted" in result.stderr


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (vfnative.FontError("no such font"), 4),
        (vfnative.RenderError("skia failed"), 5),
        (vfnative.EncodeError("disk full"), 6),
        (vfnative.RenderCancelled("stop"), 130),
    ],
)
def test_error_exit_codes(
    doc_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, code: int
) -> None:
    def fail(*_a: object, **_k: object) -> None:
        raise error

    monkeypatch.setattr(vfnative.Renderer, "render_video", fail)
    result = cli("render", str(doc_path), "-o", str(tmp_path / "e.mp4"))
    assert result.code == code, result
    assert result.stderr.startswith(f"{type(error).__name__}: ")


def test_unexpected_errors_exit_1_with_traceback_only_under_debug(
    doc_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(vfnative.Renderer, "render_video", bug)
    plain = cli("render", str(doc_path), "-o", str(tmp_path / "b.mp4"))
    assert plain.code == 1, plain
    assert "ZeroDivisionError: oops" in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = cli("--debug", "render", str(doc_path), "-o", str(tmp_path / "b.mp4"))
    assert debug.code == 1
    assert "Traceback" in debug.stderr

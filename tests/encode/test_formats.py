"""Output formats: the output's name is checked before any work; each format decodes as promised."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

import vfnative
from vfnative.cli.main import run
from vfnative.encode.formats import resolve_output

REFUSED = ["out.avi", "out.txt", "out", "still.png", "frames/%05d.bmp", "clip.mkv.part"]


def tiny_document(duration: float = 0.2) -> dict[str, Any]:
    return {
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


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), environ={}, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, err.getvalue()


@pytest.mark.parametrize("name", REFUSED)
def test_an_output_name_vfnative_cannot_honour_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="output: "):
        resolve_output(name)


@pytest.mark.parametrize("name", ["out.mp4", "OUT.MP4", "dir.v2/clip.mp4"])
def test_mp4_names_are_h264_by_default(name: str) -> None:
    fmt = resolve_output(name)
    assert (fmt.container.name, fmt.codec) == ("mp4", "h264")


@pytest.mark.parametrize("name", REFUSED)
def test_cli_refuses_the_name_with_exit_2_before_reading_the_document(tmp_path: Path, name: str) -> None:
    """The document is invalid too: exit 2 (not 3) proves the name is checked before any work."""
    bad = tiny_document()
    bad["height"] = -5
    doc = tmp_path / "bad.json"
    doc.write_text(json.dumps(bad))
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    code, err = cli("render", str(doc), "-o", str(out))
    assert code == 2, err
    assert "cannot write" in err or "image-sequence" in err
    assert "Traceback" not in err
    assert list(out.parent.iterdir()) == ([doc] if out.parent == tmp_path else [])


def test_demo_refuses_a_bad_name_too(tmp_path: Path) -> None:
    code, err = cli("demo", "-o", str(tmp_path / "demo.avi"))
    assert code == 2, err
    assert not list(tmp_path.iterdir())


def test_api_refuses_a_bad_name_before_loading_the_document(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"out\.avi"):
        vfnative.render({"not": "a document"}, tmp_path / "out.avi")
    with vfnative.Renderer(tiny_document()) as renderer, pytest.raises(ValueError, match="cannot write"):
        renderer.render_video(tmp_path / "sound.xyz")
    assert not list(tmp_path.iterdir())

"""api: source policy, strict mode, limits with render settings, tolerated problems reported by name."""

from __future__ import annotations

import base64
import copy
from pathlib import Path
from typing import Any

import pytest

import vfnative
from vfnative import AssetError, DocumentError, Limits, RenderSettings, SourcePolicy

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)

BASE: dict[str, Any] = {"width": 32, "height": 18, "fps": 10, "duration": 0.3, "layers": []}


def _doc(*layers: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc["layers"] = list(layers)
    doc.update(changes)
    return doc


def _image(source: str, **settings: Any) -> dict[str, Any]:
    return {
        "id": "i",
        "type": "image",
        "settings": {"enabled": True, "sourceDuration": 1, "source": source, **settings},
    }


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    doc_dir = tmp_path / "doc"
    other = tmp_path / "other"
    doc_dir.mkdir()
    other.mkdir()
    (doc_dir / "ok.png").write_bytes(PNG)
    (other / "b.png").write_bytes(PNG)
    return doc_dir, other


def test_tolerant_mode_skips_refused_and_missing_images_with_warnings(folders: tuple[Path, Path]) -> None:
    doc_dir, _ = folders
    doc = _doc(
        _image("../other/b.png"), _image("missing.png"), _image("https://example.com/a.png"), _image("ok.png")
    )
    warnings: list[str] = []
    with vfnative.Renderer(doc, base_dir=doc_dir, on_warning=warnings.append) as renderer:
        renderer.render_frame(0)
    assert len(warnings) == 3
    assert "layers[0]: image '../other/b.png' skipped" in warnings[0]
    assert "outside the allowed folders" in warnings[0]
    assert "layers[1]: image 'missing.png' skipped" in warnings[1]
    assert "--allow-network" in warnings[2]


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("../other/b.png", "outside the allowed folders"),
        ("missing.png", "file not found"),
        ("http://127.0.0.1/a.png", "network sources are off"),
        ("data:image/png;base64,AAAA", "cannot decode image"),
    ],
)
def test_strict_mode_raises_before_any_output(folders: tuple[Path, Path], source: str, fragment: str) -> None:
    doc_dir, _ = folders
    output = doc_dir / "out.mp4"
    with pytest.raises(AssetError, match=fragment) as info:
        vfnative.render(_doc(_image(source)), output, base_dir=doc_dir, strict=True)
    assert any("layers[0] (image layer" in note for note in getattr(info.value, "__notes__", []))
    assert not output.exists()
    assert sorted(p.name for p in doc_dir.iterdir()) == ["ok.png"]


def test_strict_mode_ignores_layers_that_never_show(folders: tuple[Path, Path]) -> None:
    doc_dir, _ = folders
    off = _image("missing.png", enabled=False)
    group = {"id": "g", "type": "group", "settings": {"enabled": True, "sourceDuration": 1},
             "children": [_image("missing.png", enabled=False)]}  # fmt: skip
    vfnative.render_frame(_doc(off, group, _image("ok.png")), 0, base_dir=doc_dir, strict=True)


def test_allowed_roots_and_policies(folders: tuple[Path, Path]) -> None:
    doc_dir, other = folders
    doc = _doc(_image("../other/b.png"))
    pixels = vfnative.render_frame(doc, 0, base_dir=doc_dir, allowed_roots=[other], strict=True)
    assert pixels[9, 16, 3] == 255
    vfnative.render_frame(doc, 0, base_dir=doc_dir, sources=SourcePolicy(allowed_roots=(other,)), strict=True)
    with pytest.raises(ValueError, match="either sources="):
        vfnative.render_frame(doc, 0, sources=SourcePolicy(), allow_network=True)


def test_render_settings_are_checked_against_the_limits() -> None:
    settings = RenderSettings(width=20000, height=100)
    with pytest.raises(DocumentError) as info:
        vfnative.Renderer(_doc(), settings=settings)
    assert str(info.value) == (
        "width: expected px <= 16384 (with the render settings' size and fps) (limit max_dimension); got 20000"
    )
    with pytest.raises(DocumentError, match="limit max_frames"):
        vfnative.Renderer(_doc(), settings=RenderSettings(fps=1000, limits=Limits(max_frames=100)))
    with pytest.raises(DocumentError, match="limit max_layers"):
        vfnative.load(_doc(_image("a.png"), _image("b.png")), limits=Limits(max_layers=1))


def test_limits_come_from_the_settings() -> None:
    doc = _doc(duration=100)
    with pytest.raises(
        DocumentError, match=r"duration: expected seconds <= 10 \(limit max_duration_s\); got 100"
    ):
        vfnative.Renderer(doc, settings=RenderSettings(limits=Limits(max_duration_s=10)))


def test_tolerated_problems_are_reported_by_name(tmp_path: Path) -> None:
    text = {"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
            "properties": {"text": "Hi", "fontFamily": "No Such Family 123"},
            "transitionIn": {"transition": "wobbleIn", "duration": 0.1},
            "effects": [{"effect": "noSuchEffect"}]}  # fmt: skip
    report = vfnative.render(_doc(text), tmp_path / "out.mp4")
    joined = "\n".join(report.warnings)
    assert "layers[0].transitionIn: unknown transition 'wobbleIn'" in joined
    assert "'No Such Family 123'" in joined
    assert "layers[0]: effect 'noSuchEffect' is not a registered effect; skipped" in joined


@pytest.mark.timeout(300)  # a guard against a hang; its speed is measured in bench/, not here
def test_enormous_text_within_the_limit_renders_without_hanging() -> None:
    words = ("lorem ipsum dolor sit amet " * 4000)[: Limits().max_text_chars]
    text = {"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
            "properties": {"text": words, "fontSize": 2}}  # fmt: skip
    pixels = vfnative.render_frame(_doc(text), 0)
    assert (pixels != vfnative.render_frame(_doc(), 0)).any()  # the text was laid out and drawn

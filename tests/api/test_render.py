"""render(), Renderer, render_frame(): end to end on a tiny shape document."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import vfnative
from vfnative.encode.mux import video_metadata

from .conftest import tiny_document

FAST = vfnative.RenderSettings(encode=vfnative.EncodeSettings(speed="superfast", threads=2))


def test_render_writes_an_mp4_with_the_expected_metadata(tiny: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "tiny.mp4"
    report = vfnative.render(tiny, out, settings=FAST)
    assert report.output == out
    assert report.frames == 15  # round(0.5 s * 30 fps)
    assert (report.width, report.height, report.fps) == (96, 54, 30.0)
    assert report.duration_s == pytest.approx(0.5)
    assert report.warnings == ()
    assert report.seconds > 0
    t = report.timings
    assert min(t.setup, t.timeline, t.raster, t.encode, t.encoder_thread) > 0  # every stage did its work
    # the main thread's stages follow one another inside the render's wall time
    assert t.setup + t.timeline + t.raster + t.encode + t.audio <= report.seconds
    meta = video_metadata(out)
    assert {k: meta[k] for k in ("codec", "width", "height", "pix_fmt", "avg_frame_rate", "nb_frames")} == {
        "codec": "h264",
        "width": 96,
        "height": 54,
        "pix_fmt": "yuv420p",
        "avg_frame_rate": "30/1",
        "nb_frames": 15,
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.mp4"]


def test_progress_is_reported_per_frame_then_finish(tiny: dict[str, Any], tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    vfnative.render(tiny, tmp_path / "p.mp4", settings=FAST, on_progress=lambda *a: calls.append(a))
    assert calls[:15] == [("render", i, 15) for i in range(1, 16)]
    assert calls[15:] == [("finish", 0, 1), ("finish", 1, 1)]


@pytest.mark.parametrize("kind", ["token", "event", "callable"])
def test_cancel_raises_and_leaves_no_file(tiny: dict[str, Any], tmp_path: Path, kind: str) -> None:
    token = vfnative.CancelToken()
    event = threading.Event()
    flag = {"stop": False}
    cancel: Any = {"token": token, "event": event, "callable": lambda: flag["stop"]}[kind]

    def on_progress(stage: str, done: int, total: int) -> None:
        if done == 4:
            token.cancel()
            event.set()
            flag["stop"] = True

    with pytest.raises(vfnative.RenderCancelled) as info:
        vfnative.render(tiny, tmp_path / "c.mp4", settings=FAST, on_progress=on_progress, cancel=cancel)
    assert info.value.frame == 3
    assert list(tmp_path.iterdir()) == []


def test_render_frame_is_straight_rgba8(tiny: dict[str, Any]) -> None:
    pixels = vfnative.render_frame(tiny, 7)
    assert pixels.shape == (54, 96, 4)
    assert pixels.dtype == np.uint8
    assert pixels.flags.c_contiguous
    assert tuple(pixels[27, 48]) == (255, 0, 0, 255)  # the square crosses the centre mid-way
    assert tuple(pixels[2, 2]) == (0, 0, 255, 255)  # background


def test_render_frame_rejects_frames_outside_the_document(tiny: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"0 <= frame < 15; got 15"):
        vfnative.render_frame(tiny, 15)


def test_batch_frames_match_single_frames(tiny: dict[str, Any]) -> None:
    """The video path (batched timeline) and render_frame (scalar timeline) draw the same pixels."""
    with vfnative.Renderer(tiny, settings=vfnative.RenderSettings(batch_frames=4)) as renderer:
        batched = dict(renderer.iter_frames(range(15)))
        for n in (0, 3, 4, 9, 14):
            np.testing.assert_array_equal(batched[n], renderer.render_frame(n))


def test_settings_rescale_the_document(tiny: dict[str, Any]) -> None:
    with vfnative.Renderer(tiny, settings=vfnative.RenderSettings(scale=2)) as renderer:
        assert (renderer.document.width, renderer.document.height) == (192, 108)
        assert renderer.render_frame(0).shape == (108, 192, 4)
    half = vfnative.RenderSettings.preset("draft")
    assert vfnative.Renderer(tiny_document(), settings=half).document.width == 48


def test_renderer_reuses_its_caches(tiny: dict[str, Any], tmp_path: Path) -> None:
    renderer = vfnative.Renderer(tiny, settings=FAST)
    first = renderer.render_video(tmp_path / "a.mp4")
    compositor = renderer.compositor
    second = renderer.render_video(tmp_path / "b.mp4")
    assert renderer.compositor is compositor
    assert second.timings.setup == 0
    assert first.frames == second.frames == 15
    assert "tiny" in repr(renderer)


def test_load_accepts_paths_text_bytes_and_dicts(tiny: dict[str, Any], tmp_path: Path) -> None:
    import json

    path = tmp_path / "doc.json"
    path.write_text(json.dumps(tiny))
    for source in (path, str(path), json.dumps(tiny), json.dumps(tiny).encode(), tiny):
        doc = vfnative.load(source)
        assert (doc.width, doc.height, doc.fps) == (96, 54, 30)
    assert vfnative.load(path).base_dir == tmp_path


def test_invalid_documents_raise_document_error_with_every_issue(tiny: dict[str, Any]) -> None:
    tiny["width"] = -1
    tiny["layers"][0]["properties"]["fill"] = "not-a-colour"
    with pytest.raises(vfnative.DocumentError) as info:
        vfnative.render_frame(tiny, 0)
    paths = [issue.path for issue in info.value.issues]
    assert "width" in paths
    assert len(paths) >= 2


def test_missing_output_folder_is_an_encode_error(tiny: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(vfnative.EncodeError):
        vfnative.render(tiny, tmp_path / "missing" / "x.mp4", settings=FAST)

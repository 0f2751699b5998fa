"""`VideoFlow.render` / `render_frame` hand the compiled document to the renderer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vfnative.flow import VideoFlow

from .conftest import BUILDER_DIR, load_script


def red_on_blue() -> VideoFlow:
    vf = VideoFlow("smoke", width=64, height=36, fps=30, background_color="#0000ff")
    vf.add_shape("rectangle", width=20, height=20, fill="#ff0000", source_duration=1)
    return vf


def test_render_frame_draws_the_compiled_flow() -> None:
    pixels = red_on_blue().render_frame(0)
    assert pixels.shape == (36, 64, 4)
    assert pixels.dtype == np.uint8
    assert tuple(pixels[18, 32]) == (255, 0, 0, 255)  # the shape, centred
    assert tuple(pixels[1, 1]) == (0, 0, 255, 255)  # the background


def test_render_writes_an_mp4(tmp_path: Path) -> None:
    report = red_on_blue().render(tmp_path / "smoke.mp4")
    assert report.frames == 30
    assert (tmp_path / "smoke.mp4").stat().st_size > 0


def test_relative_media_resolve_against_base_dir() -> None:
    flow = load_script(BUILDER_DIR / "image-fit.py").build()
    pixels = flow.render_frame(0)
    assert pixels.shape == (720, 1280, 4)
    assert pixels[:, :, :3].std() > 10  # the photo was found and drawn


def test_render_options_pass_through() -> None:
    pixels = red_on_blue().render_frame(0, font_dirs=(), strict=True)
    assert tuple(pixels[18, 32]) == (255, 0, 0, 255)

"""Single layers drawn from hand-built LayerFrames, checked pixel by pixel where CSS defines them."""

from __future__ import annotations

import numpy as np
import pytest

from vfnative.raster.compose import Compositor, to_rgba8

RED = (1.0, 0.0, 0.0, 1.0)
BLUE = (0.0, 0.0, 1.0, 1.0)


@pytest.fixture
def rect(make_layer):
    """A filled rectangle shape layer (default 100×50 red, centred)."""

    def build(**props):
        base = {"width": 100.0, "height": 50.0, "fill": RED, "strokeWidth": 0.0}
        base.update(props)
        return make_layer("shape", settings={"shape_type": "rectangle"}, **base)

    return build


def test_background_fills_frame(make_doc) -> None:
    c = Compositor(make_doc(background="#336699"))
    out = c.render([])
    assert out.shape == (100, 200, 4)
    assert (out == np.array([0x33, 0x66, 0x99, 255], np.uint8)).all()


def test_unparsable_background_is_black(make_doc) -> None:
    out = Compositor(make_doc(background="not-a-colour")).render([])
    assert (out[..., :3] == 0).all()
    assert (out[..., 3] == 255).all()


def test_render_returns_the_surface_buffer(make_doc, rect) -> None:
    c = Compositor(make_doc())
    a = c.render([])
    b = c.render([rect()])
    assert a is b


def test_centred_red_rect_exact_pixels(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect()])
    # 100×50 centred in 200×100: x 50..150, y 25..75 (integer edges, no AA residue)
    assert (out[25:75, 50:150] == [255, 0, 0, 255]).all()
    assert (out[:25] == [0, 0, 0, 255]).all()
    assert (out[75:] == [0, 0, 0, 255]).all()
    assert (out[:, :50] == [0, 0, 0, 255]).all()
    assert (out[:, 150:] == [0, 0, 0, 255]).all()


def test_position_moves_anchor_point(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(width=20.0, height=20.0, position=(0.25, 0.5))])
    # anchor (centre) at x = 50: rect spans x 40..60, y 40..60
    assert (out[40:60, 40:60, 0] == 255).all()
    assert out[50, 39, 0] == 0
    assert out[50, 60, 0] == 0


def test_opacity_half_over_black(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(opacity=0.5)])
    px = out[50, 100]
    assert px[3] == 255
    assert abs(int(px[0]) - 128) <= 1
    assert px[1] == 0
    assert px[2] == 0


@pytest.mark.parametrize(("value", "expected"), [(-1.0, 0), (2.0, 255)])
def test_opacity_is_clamped(value: float, expected: int, make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(opacity=value)])
    assert out[50, 100, 0] == expected


def test_multiply_of_two_known_colours(make_doc, rect) -> None:
    a = rect(fill=(0.8, 0.6, 0.4, 1.0))
    b = rect(fill=(0.5, 0.5, 1.0, 1.0), blendMode="multiply", path="layers[1]")
    out = Compositor(make_doc()).render([a, b])
    expected = np.round(np.array([204 * 128, 153 * 128, 102 * 255]) / 255)
    assert np.abs(out[50, 100, :3].astype(int) - expected).max() <= 1


def test_screen_and_difference_only_touch_the_footprint(make_doc, rect) -> None:
    under = rect(width=200.0, height=100.0, fill=(0.2, 0.4, 0.6, 1.0))
    over = rect(width=20.0, height=20.0, fill=(1.0, 1.0, 1.0, 1.0), blendMode="difference", path="layers[1]")
    out = Compositor(make_doc()).render([under, over])
    assert np.abs(out[50, 100, :3].astype(int) - [204, 153, 102]).max() <= 1
    assert np.abs(out[5, 5, :3].astype(int) - [51, 102, 153]).max() <= 1


def test_visible_false_draws_nothing(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(visible=False)])
    assert (out[..., 0] == 0).all()


def test_rotation_90_swaps_extent(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(width=60.0, height=20.0, rotation=90.0)])
    # rotated about its centre (100, 50): now 20 wide, 60 tall
    assert out[50, 100, 0] == 255
    assert out[25, 100, 0] == 255
    assert out[50, 85, 0] == 0


def test_scale_about_anchor(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(width=20.0, height=20.0, scale=2.0, anchor=(0.0, 0.0))])
    # top-left anchor at frame centre: box spans x 100..140, y 50..90
    assert out[51, 101, 0] == 255
    assert out[89, 139, 0] == 255
    assert out[49, 101, 0] == 0
    assert out[51, 99, 0] == 0
    assert out[91, 120, 0] == 0


def test_rotate_y_goes_through_both_perspectives(make_doc, rect) -> None:
    # W = 200: element perspective 200 px about the anchor, container perspective 200 px about the
    # frame centre. Edge x = ±50 at rotateY(60°): x' = ±25, z' = ∓43.30; w = 1 ± 2·43.30/200.
    out = Compositor(make_doc()).render([rect(width=100.0, height=50.0, rotation=(0.0, 0.0, 60.0))])
    row = np.nonzero(out[50, :, 0] > 128)[0]
    z = 50 * np.sin(np.radians(60))
    left = 100 - 25 / (1 - 2 * z / 200)
    right = 100 + 25 / (1 + 2 * z / 200)
    assert abs(row.min() - left) <= 1
    assert abs(row.max() + 1 - right) <= 1


def test_depth_scales_about_frame_centre(make_doc, rect) -> None:
    # position z = 10 → 10·vw = 20 px toward the viewer: ×200/180 about the frame centre
    out = Compositor(make_doc()).render([rect(width=90.0, height=36.0, position=(0.5, 0.5, 10.0))])
    red = np.argwhere(out[..., 0] > 128)
    assert red.min(axis=0).tolist() == [30, 50]
    assert red.max(axis=0).tolist() == [69, 149]


def test_negative_perspective_drops_transform(make_doc, rect) -> None:
    out = Compositor(make_doc()).render(
        [rect(width=20.0, height=20.0, position=(0.1, 0.1), perspective=-5.0)]
    )
    # invalid transform: the box stays centred at its static position
    assert out[50, 100, 0] == 255
    assert out[10, 20, 0] == 0


def test_to_rgba8_unpremultiplies() -> None:
    buf = np.array([[[64, 32, 0, 128], [255, 255, 255, 255], [0, 0, 0, 0]]], np.uint8)
    out = to_rgba8(buf)
    assert out[0, 0].tolist() == [128, 64, 0, 128]
    assert out[0, 1].tolist() == [255, 255, 255, 255]
    assert out[0, 2].tolist() == [0, 0, 0, 0]
    assert buf[0, 0].tolist() == [64, 32, 0, 128]  # input untouched


def test_background_with_alpha_keeps_alpha(make_doc) -> None:
    out = Compositor(make_doc(background="rgba(255, 0, 0, 0.5)")).render([])
    assert out[0, 0, 3] == 128
    assert out[0, 0, 0] == 128


def test_unsupported_features_warn_once_each(make_doc, rect) -> None:
    warnings: list[str] = []
    c = Compositor(make_doc(), on_warning=warnings.append)
    layer = rect(
        borderWidth=2.0, borderStyle="dotted", borderColor=BLUE, borderRadius=6.0,
        outlineStyle="dashed", outlineWidth=2.0, outlineColor=BLUE,
    )  # fmt: skip
    fx = rect(path="layers[1]")
    fx.layer.effects.append({"effect": "notAnEffect"})
    c.render([layer, layer, fx])
    c.render([layer, fx])
    joined = "\n".join(warnings)
    assert len(warnings) == 3, warnings
    assert "dotted" in joined
    assert "outlineStyle 'dashed'" in joined
    assert "notAnEffect" in joined


def test_brightness_filter_scales_colour(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(fill=(0.4, 0.2, 0.8, 1.0), filterBrightness=0.5)])
    assert np.abs(out[50, 100, :3].astype(int) - [51, 26, 102]).max() <= 1


def test_invert_filter(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(fill=(1.0, 0.0, 0.0, 1.0), filterInvert=1.0)])
    assert out[50, 100, :3].tolist() == [0, 255, 255]


def test_negative_filter_value_drops_every_filter(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(filterInvert=1.0, filterBlur=-1.0)])
    assert out[50, 100, :3].tolist() == [255, 0, 0]


def test_blur_spreads_past_the_box(make_doc, rect) -> None:
    out = Compositor(make_doc()).render([rect(filterBlur=4.0)])
    assert 0 < out[50, 47, 0] < 255  # outside the left edge (x = 50), within 3σ
    assert out[50, 100, 0] == 255


def test_box_shadow_offset_and_clipped_under_the_box(make_doc, rect) -> None:
    layer = rect(
        fill=None, boxShadow=True, boxShadowColor=BLUE, boxShadowOffset=(10.0, 0.0),
        boxShadowBlur=0.0, boxShadowSpread=0.0,
    )  # fmt: skip
    out = Compositor(make_doc()).render([layer])
    assert out[50, 155, 2] == 255  # right of the box, inside the shifted shadow
    assert out[50, 100, 2] == 0  # under the (transparent) box: clipped out
    assert out[50, 161, 2] == 0


def test_solid_outline_ring(make_doc, rect) -> None:
    layer = rect(outlineStyle="solid", outlineWidth=4.0, outlineOffset=2.0, outlineColor=BLUE)
    out = Compositor(make_doc()).render([layer])
    # box x 50..150: gaps 48..50 and 150..152, rings 44..48 and 152..156
    assert out[50, 45, 2] == 255
    assert out[50, 49, 2] == 0
    assert out[50, 151, 2] == 0
    assert out[50, 153, 2] == 255
    assert out[50, 43, 2] == 0
    assert out[50, 156, 2] == 0


def test_video_layer_with_missing_source_warns_once_and_draws_nothing(make_doc, make_layer, tmp_path) -> None:
    warnings: list[str] = []
    settings = {"source": "nope.mp4", "start_time": 0, "source_duration": 1, "source_start": 0, "speed": 1}
    c = Compositor(make_doc(), base_dir=tmp_path, on_warning=warnings.append)
    for _ in range(3):
        out = c.render([make_layer("video", fit="cover", settings=settings)])
    assert len(warnings) == 1
    assert "layers[0]" in warnings[0]
    assert "nope.mp4" in warnings[0]
    assert (out[..., :3] == 0).all()


def test_video_layer_shows_the_frame_at_its_source_time(make_doc, make_layer, tmp_path) -> None:
    """A 10 fps clip whose frame k is grey 20 + 10k: frame 9 of a 30 fps project at speed 2 shows k = 6."""
    from fractions import Fraction

    import av

    path = tmp_path / "grey.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 200, 100, "yuv420p"
        stream.time_base = Fraction(1, 10)
        stream.options = {"qp": "0", "bf": "0"}
        for k in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((100, 200, 3), 20 + 10 * k, np.uint8), format="rgb24")
            frame.pts = k
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    settings = {"source": "grey.mp4", "start_time": 0, "source_duration": 2, "source_start": 0, "speed": 2}
    layer = make_layer("video", fit="cover", settings=settings)
    layer = type(layer)(layer=layer.layer, path=layer.path, props=layer.props, frame=9, children=())
    out = Compositor(make_doc(), base_dir=tmp_path).render([layer])
    assert abs(int(out[50, 100, 0]) - 80) <= 2


def test_text_without_engine_warns(monkeypatch: pytest.MonkeyPatch, make_doc, make_layer) -> None:
    import vfnative.raster.compose as compose

    monkeypatch.setattr(compose, "_default_text_painter", lambda width, height, on_warning: None)
    warnings: list[str] = []
    c = Compositor(make_doc(), on_warning=warnings.append)
    c.render([make_layer("text", text="hi")])
    assert len(warnings) == 1
    assert "text" in warnings[0]


class _BoxPainter:
    """A stand-in text engine: a fixed 40×20 box whose content is a blue square at (10, 5)."""

    def measure(self, props):
        return type("Box", (), {"width": 40.0, "height": 20.0})()

    def paint(self, canvas, props, box):
        import skia

        canvas.drawRect(skia.Rect.MakeXYWH(10, 5, 10, 10), skia.Paint(skia.Color4f(0, 0, 1, 1)))


@pytest.mark.parametrize(
    ("align", "vertical", "left", "top"),
    [("center", "middle", 80, 40), ("left", "top", 100, 50), ("right", "bottom", 60, 30)],
)
def test_text_box_static_offsets(
    align: str, vertical: str, left: int, top: int, make_doc, make_layer
) -> None:
    c = Compositor(make_doc(), text_painter=_BoxPainter())
    out = c.render(
        [make_layer("text", text="x", textAlign=align, verticalAlign=vertical, backgroundColor=RED)]
    )
    red = np.argwhere((out[..., 0] == 255) | (out[..., 2] == 255))
    assert red.min(axis=0).tolist() == [top, left]
    assert red.max(axis=0).tolist() == [top + 19, left + 39]
    assert out[top + 5, left + 10, 2] == 255


def test_solid_border_and_radius(make_doc, rect) -> None:
    layer = rect(
        width=100.0, height=50.0, fill=None, backgroundColor=BLUE,
        borderWidth=5.0, borderColor=RED, borderStyle="solid", borderRadius=10.0,
    )  # fmt: skip
    out = Compositor(make_doc()).render([layer])
    assert out[50, 52, 0] == 255
    assert out[50, 52, 2] == 0
    assert out[50, 100, 2] == 255  # background inside
    assert out[26, 51, 0] == 0
    assert out[26, 51, 2] == 0


def test_percent_border_radius_makes_ellipse(make_doc, rect) -> None:
    from vfnative.timeline.scene import Percent

    layer = rect(width=100.0, height=50.0, fill=None, backgroundColor=RED, borderRadius=Percent(50.0))
    out = Compositor(make_doc()).render([layer])
    assert out[50, 100, 0] == 255
    assert out[50, 52, 0] == 255
    assert out[27, 55, 0] == 0  # the corner is cut on an ellipse, not a circle

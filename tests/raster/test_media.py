"""Image and group layers: decoding, fit boxes, tier-1 placement, failures, group compositing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vfnative.raster.compose import Compositor
from vfnative.raster.media import fit_dims, sampling_for_scale


@pytest.fixture
def quad_png(tmp_path):
    """A 20×10 PNG: left half opaque red, right half 50 % transparent green."""
    a = np.zeros((10, 20, 4), np.uint8)
    a[:, :10] = (255, 0, 0, 255)
    a[:, 10:] = (0, 255, 0, 128)
    Image.fromarray(a, "RGBA").save(tmp_path / "quad.png")
    return tmp_path


def image(make_layer, source="quad.png", **props):
    return make_layer("image", settings={"source": source}, **{"fit": "contain", **props})


@pytest.mark.parametrize(
    ("fit", "size", "expected"),
    [
        ("contain", (400, 200), (200.0, 100.0)),
        ("cover", (100, 100), (200.0, 200.0)),
        ("fill", (5, 5), (200.0, 100.0)),
    ],
)
def test_fit_dims(fit, size, expected) -> None:
    assert fit_dims(200, 100, *size, fit) == expected


def test_sampler_choice() -> None:
    assert sampling_for_scale(2.0, 1.5) != sampling_for_scale(1.0, 1.5)
    assert sampling_for_scale(0.5, 0.5) == sampling_for_scale(1.0, 0.9)


def test_contain_image_fills_frame_of_same_aspect(make_doc, make_layer, quad_png) -> None:
    out = Compositor(make_doc(), base_dir=quad_png).render([image(make_layer)])
    # 20×10 → 200×100 (×10): left half red, right half green at 50 % over black
    assert (out[5:95, 5:95, :3] == [255, 0, 0]).all()
    right = out[5:95, 105:195]
    assert (right[..., 0] == 0).all()
    assert (np.abs(right[..., 1].astype(int) - 128) <= 1).all()


def test_tier1_scale_and_position(make_doc, make_layer, quad_png) -> None:
    layer = image(make_layer, scale=0.5, position=(0.25, 0.5))
    out = Compositor(make_doc(), base_dir=quad_png).render([layer])
    # 100×50 box whose centre is at (50, 50): x 0..100, y 25..75, non-antialiased edges
    assert (out[26:74, 1:45, 0] == 255).all()  # bilinear blends towards green near x = 50
    assert (out[:25, :, 0] == 0).all()
    assert (out[75:, :, 0] == 0).all()


def test_missing_image_warns_and_skips(make_doc, make_layer, tmp_path) -> None:
    warnings: list[str] = []
    c = Compositor(make_doc(), base_dir=tmp_path, on_warning=warnings.append)
    out = c.render([image(make_layer, source="nope.png", path="layers[4]")])
    c.render([image(make_layer, source="nope.png", path="layers[4]")])
    assert len(warnings) == 1
    assert "layers[4]" in warnings[0]
    assert "nope.png" in warnings[0]
    assert (out[..., :3] == 0).all()


def test_undecodable_image_warns(make_doc, make_layer, tmp_path) -> None:
    (tmp_path / "bad.png").write_bytes(b"not an image")
    warnings: list[str] = []
    Compositor(make_doc(), base_dir=tmp_path, on_warning=warnings.append).render(
        [image(make_layer, source="bad.png")]
    )
    assert len(warnings) == 1
    assert "bad.png" in warnings[0]


def test_exif_orientation_is_applied(make_doc, make_layer, tmp_path) -> None:
    a = np.zeros((10, 20, 3), np.uint8)
    a[:, :10] = (255, 0, 0)
    a[:, 10:] = (0, 0, 255)
    im = Image.fromarray(a)
    exif = im.getexif()
    exif[274] = 6  # rotate 90° clockwise for display: the left (red) half ends on top
    im.save(tmp_path / "rot.jpg", exif=exif, quality=95)
    out = Compositor(make_doc(200, 400), base_dir=tmp_path).render([image(make_layer, source="rot.jpg")])
    assert out[50, 100, 0] > 200
    assert out[50, 100, 2] < 60
    assert out[350, 100, 2] > 200
    assert out[350, 100, 0] < 60


def test_group_opacity_applies_to_flattened_children(make_doc, make_layer) -> None:
    red = (1.0, 0.0, 0.0, 1.0)
    a = make_layer("shape", settings={"shape_type": "rectangle"}, width=100.0, height=50.0, fill=red)
    b = make_layer("shape", settings={"shape_type": "rectangle"}, width=50.0, height=50.0, fill=red)
    group = make_layer("group", children=(a, b), opacity=0.5)
    out = Compositor(make_doc()).render([group])
    # the overlap is not double-blended: one flattened red at 50 %
    assert abs(int(out[50, 100, 0]) - 128) <= 1
    assert abs(int(out[50, 60, 0]) - 128) <= 1


def test_group_transform_moves_children(make_doc, make_layer) -> None:
    child = make_layer(
        "shape", settings={"shape_type": "rectangle"}, width=20.0, height=20.0, fill=(0, 0, 1, 1)
    )
    group = make_layer("group", children=(child,), position=(0.25, 0.5))
    out = Compositor(make_doc()).render([group])
    assert out[50, 50, 2] == 255
    assert out[50, 100, 2] == 0


def test_nested_groups_and_child_blend_against_group_backdrop(make_doc, make_layer) -> None:
    # a multiply child inside a group only sees the group's transparent backdrop → normal
    child = make_layer(
        "shape", settings={"shape_type": "rectangle"}, width=20.0, height=20.0,
        fill=(1.0, 1.0, 1.0, 1.0), blendMode="multiply",
    )  # fmt: skip
    inner = make_layer("group", children=(child,))
    outer = make_layer("group", children=(inner,))
    out = Compositor(make_doc(background="#808080")).render([outer])
    assert out[50, 100, :3].tolist() == [255, 255, 255]

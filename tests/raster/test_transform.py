"""3D transforms of one layer through the Compositor (spec 02 §3.3–3.5)."""

from __future__ import annotations

import numpy as np

from vfnative.raster.compose import Compositor

RED = (1.0, 0.0, 0.0, 1.0)
BLUE = (0.0, 0.0, 1.0, 1.0)


def _rect(make_layer, **props):
    base = {"width": 100.0, "height": 50.0, "fill": RED, "strokeWidth": 0.0}
    base.update(props)
    return make_layer("shape", settings={"shape_type": "rectangle"}, **base)


def _lit(out: np.ndarray) -> np.ndarray:
    return np.argwhere(out[..., :3].max(axis=2) > 0)


def test_rotate_y_90_is_edge_on(make_doc, make_layer) -> None:
    # rotation array order is [Z, X, Y]: [0, 0, 90] turns the layer edge-on about Y
    out = Compositor(make_doc()).render([_rect(make_layer, rotation=(0.0, 0.0, 90.0))])
    assert (out[..., :3].astype(int).sum(axis=2) <= 3 * 8).all()  # at most a faint AA hairline


def test_rotate_x_90_is_edge_on(make_doc, make_layer) -> None:
    out = Compositor(make_doc()).render([_rect(make_layer, rotation=(0.0, 90.0, 0.0))])
    assert (out[..., :3].astype(int).sum(axis=2) <= 3 * 8).all()


def test_rotate_y_180_mirrors(make_doc, make_layer) -> None:
    # a blue left border: after rotateY(180°) (backface visible) it shows on the right
    layer = _rect(
        make_layer, rotation=(0.0, 0.0, 180.0), borderWidth=(0.0, 0.0, 0.0, 10.0),
        borderColor=BLUE, borderStyle="solid",
    )  # fmt: skip
    out = Compositor(make_doc()).render([layer])
    # box x 50..150; mirrored about x = 100: the border now covers 140..150
    assert out[50, 145, 2] == 255
    assert out[50, 145, 0] == 0
    assert out[50, 55, 0] == 255
    assert out[50, 55, 2] == 0
    lit = _lit(out)
    assert lit.min(axis=0).tolist() == [25, 50]
    assert lit.max(axis=0).tolist() == [74, 149]


def test_rotate_y_0_keeps_border_on_the_left(make_doc, make_layer) -> None:
    layer = _rect(make_layer, borderWidth=(0.0, 0.0, 0.0, 10.0), borderColor=BLUE, borderStyle="solid")
    out = Compositor(make_doc()).render([layer])
    assert out[50, 55, 2] == 255
    assert out[50, 145, 0] == 255


def test_position_z_scales_toward_the_viewer_about_the_centre(make_doc, make_layer) -> None:
    # z = 25·vw = 50 px at W = 200 → ×200/150 about the frame centre (100, 50)
    out = Compositor(make_doc()).render(
        [_rect(make_layer, width=60.0, height=30.0, position=(0.5, 0.5, 25.0))]
    )
    k = 200 / (200 - 50)
    lit = _lit(out[..., :3] > 128)
    left, right = 100 - 30 * k, 100 + 30 * k
    top, bottom = 50 - 15 * k, 50 + 15 * k
    assert abs(lit[:, 1].min() - left) <= 1
    assert abs(lit[:, 1].max() + 1 - right) <= 1
    assert abs(lit[:, 0].min() - top) <= 1
    assert abs(lit[:, 0].max() + 1 - bottom) <= 1


def test_negative_z_moves_away_and_shrinks(make_doc, make_layer) -> None:
    # z = −50·vw = −100 px → ×200/300
    out = Compositor(make_doc()).render(
        [_rect(make_layer, width=90.0, height=60.0, position=(0.5, 0.5, -50.0))]
    )
    lit = _lit(out[..., :3] > 128)
    assert abs(lit[:, 1].min() - (100 - 45 * 2 / 3)) <= 1
    assert abs(lit[:, 1].max() + 1 - (100 + 45 * 2 / 3)) <= 1


def test_off_centre_layer_moves_outward_with_z(make_doc, make_layer) -> None:
    # anchor at x = 150 (60 px box): x' = 100 + (150 − 100)·k
    out = Compositor(make_doc()).render(
        [_rect(make_layer, width=20.0, height=20.0, position=(0.75, 0.5, 25.0))]
    )
    k = 200 / 150
    lit = _lit(out[..., :3] > 128)
    centre = (lit[:, 1].min() + lit[:, 1].max() + 1) / 2
    assert abs(centre - (100 + 50 * k)) <= 1


def test_layer_behind_the_viewer_is_clipped_not_inverted(make_doc, make_layer) -> None:
    # z = 150·vw = 300 px > W = 200: every point has w' < 0 → nothing is drawn
    out = Compositor(make_doc()).render([_rect(make_layer, position=(0.5, 0.5, 150.0))])
    assert (out[..., :3] == 0).all()


def test_layer_partly_behind_the_viewer_is_clipped(make_doc, make_layer) -> None:
    # a 4000 px tall strip tilted 80° about X (element perspective made negligible): its lower
    # half comes toward the viewer and passes the viewer plane (z > W) beyond y ≈ 203. The far
    # end (y = −2000: y' = −347, w' = 1 + 1970/200) lands on row 50 − 347/10.85 ≈ 18; the part
    # behind the viewer (w' < 0) would land on rows 0..11 if it were inverted instead of clipped.
    layer = _rect(make_layer, width=40.0, height=4000.0, rotation=(0.0, 80.0, 0.0), perspective=1e6)
    out = Compositor(make_doc()).render([layer])
    lit = _lit(out[..., :3] > 128)
    assert lit.size > 0
    assert abs(lit[:, 0].min() - 18) <= 2
    assert lit[:, 0].max() == 99
    assert (out[:14, :, :3] == 0).all()


def test_planar_fast_path_equals_the_4x4_chain() -> None:
    """`layer_matrix` builds z = 0 layers' matrices directly; they equal the full 4×4 reduction."""
    import random

    from vfnative.raster.transform import _planar_affine, layer_matrix, layer_matrix4, to_placement

    rng = random.Random(7)
    taken = 0
    for _ in range(400):
        props: dict[str, object] = {
            "position": [rng.uniform(-1, 2), rng.uniform(-1, 2)] + ([rng.choice([0.0, 0.3])] if rng.random() < 0.3 else []),
            "anchor": [rng.uniform(0, 1), rng.uniform(0, 1)] + ([rng.choice([0.0, 0.2])] if rng.random() < 0.3 else []),
            "scale": rng.choice([1.0, rng.uniform(-2, 3), [rng.uniform(0, 2), rng.uniform(0, 2)]]),
            "rotation": rng.choice([0.0, rng.uniform(-400, 400), [rng.uniform(-90, 90), 0.0, 0.0],
                                    [10.0, rng.choice([0.0, 20.0]), rng.choice([0.0, 15.0])]]),
        }  # fmt: skip
        if rng.random() < 0.2:
            props["perspective"] = rng.choice([300.0, -5.0, 0.0])
        args = (
            props,
            rng.uniform(0, 900),
            rng.uniform(0, 500),
            rng.randint(-50, 900),
            rng.randint(-50, 600),
            1920,
            1080,
        )
        fast = _planar_affine(*args)
        m4 = layer_matrix4(*args)
        slow = to_placement(m4)
        if fast is None:
            continue
        taken += 1
        assert slow.affine
        m3 = m4[np.ix_((0, 1, 3), (0, 1, 3))]
        want = (m3 / m3[2, 2]).reshape(-1)
        assert np.allclose(fast, want, rtol=0, atol=1e-9), (props, fast, want)
        assert layer_matrix(*args).scale_translate == slow.scale_translate
    assert taken > 100

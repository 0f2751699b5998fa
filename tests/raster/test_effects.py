"""Effects: list resolution, uniform binding, the GL runtime model and each of the 42 effects.

Per-effect tests use small synthetic canvases and check the spec's formulas (spec 03 §B.4) —
exact 8-bit values where the spec gives them, identities for neutral params, and the quirks the
reference shows (rgb > a outputs). The ten warps (displacement … prismSplit) are written out here
from their §B.4 formulas in float32 and checked for the exact stored value at sampled pixels.
Golden parity lives in test_golden (effects, effects-warp) / bench/parity.py.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from vfnative.raster import effects as effects_module
from vfnative.raster import effects_gl as gl
from vfnative.raster.effects import (
    EFFECT_NAMES,
    PASSES,
    SCHEMAS,
    EffectCall,
    apply_effects,
    bind_params,
    parse_color_vec4,
    resolve_effects,
)

F = np.float32
W, H = 48, 32


# --------------------------------------------------------------------------- helpers


def call(name: str, **params: object) -> EffectCall:
    defaults = {p.name: p.default for p in SCHEMAS[name]}
    defaults.update(params)
    return EffectCall(name, defaults)


def run(img: np.ndarray, name: str, time_s: float = 0.0, bounds=None, **params: object) -> np.ndarray:
    h, w = img.shape[:2]
    return apply_effects(img, [call(name, **params)], time_s=time_s, width=w, height=h, bounds=bounds)


def solid(r: int, g: int, b: int, a: int = 255, w: int = W, h: int = H) -> np.ndarray:
    img = np.empty((h, w, 4), np.uint8)
    img[...] = (r, g, b, a)
    return img


def blob(seed: int = 0, w: int = W, h: int = H, box=(14, 8, 34, 24)) -> np.ndarray:
    """Random premultiplied content inside `box` (x0, y0, x1, y1), transparent elsewhere."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = box
    img = np.zeros((h, w, 4), np.uint8)
    a = rng.integers(0, 256, (y1 - y0, x1 - x0))
    img[y0:y1, x0:x1, 3] = a
    for c in range(3):
        img[y0:y1, x0:x1, c] = rng.integers(0, 256, a.shape) * a // 255
    return img


def em(px: float, w: int = W) -> float:
    """Effect em for a px length: em params are % of the project width (spec 03 §B.1)."""
    return px / w * 100


def q8(v: float) -> int:
    """Reference storage: clamp, round to nearest (spec 03 §B.0.2)."""
    return int(math.floor(min(max(v, 0.0), 1.0) * 255 + 0.5))


def lum(r: float, g: float, b: float) -> float:
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def smooth(e0: float, e1: float, x: float) -> float:
    u = min(max((x - e0) / (e1 - e0), 0.0), 1.0)
    return u * u * (3 - 2 * u)


def hash21_np(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spec 03 §B.2.1 hash21, step by step in numpy float32."""
    x = np.asarray(x, F)
    y = np.asarray(y, F)
    px = x * F(123.34)
    px = px - np.floor(px)
    py = y * F(456.21)
    py = py - np.floor(py)
    d = px * (px + F(45.32)) + py * (py + F(45.32))
    px = px + d
    py = py + d
    v = px * py
    return v - np.floor(v)


# --------------------------------------------------------------------------- registry


def test_all_42_effects_registered_in_source_order() -> None:
    assert len(EFFECT_NAMES) == 42
    assert EFFECT_NAMES[0] == "gaussianBlur"
    assert EFFECT_NAMES[-1] == "invert"
    assert set(PASSES) == set(SCHEMAS)
    multi = {name: len(p) for name, p in PASSES.items() if len(p) > 1}
    assert multi == {"gaussianBlur": 2, "glow": 4, "bloom": 4, "frostedGlass": 2, "edgeGlow": 4}


# --------------------------------------------------------------------------- resolution (spec 01 §3.7)


def fx(effect: str, enabled: bool = True, **params: object) -> SimpleNamespace:
    return SimpleNamespace(effect=effect, enabled=enabled, params=params)


def layer(effects=(), properties=None, animations=()) -> SimpleNamespace:
    return SimpleNamespace(effects=list(effects), properties=properties or {}, animations=list(animations))


def test_resolve_drops_disabled_appends_injected_and_fills_defaults() -> None:
    lay = layer([fx("invert", amount=0.5), fx("pixelate", enabled=False), fx("vignette", strength=3)])
    calls = resolve_effects(lay, {"__effects": (("wipeMask", {"progress": 0.25}),)})
    assert [c.name for c in calls] == ["invert", "vignette", "wipeMask"]
    assert calls[0].params == {"amount": 0.5}
    assert "strength" not in calls[1].params  # stale doc name: not in the schema, binds nothing
    assert calls[1].params["intensity"] == 0.6
    assert calls[2].params["progress"] == 0.25
    assert calls[2].params["edgeColor"] == "#ffffff"


def test_resolve_keeps_unknown_effects_with_their_params() -> None:
    calls = resolve_effects(layer([fx("sparkle", size=3)]), {})
    assert calls == [EffectCall("sparkle", {"size": 3})]


def test_dot_path_index_counts_enabled_entries_only() -> None:
    lay = layer(
        [fx("pixelate", enabled=False), fx("pixelate", pixelSize=2), fx("pixelate", pixelSize=3)],
        properties={"effects.pixelate[0].pixelSize": 9, "effects.pixelate[1].mix": 0.5},
    )
    calls = resolve_effects(lay, {})
    assert [c.params["pixelSize"] for c in calls] == [9, 3]
    assert [c.params["mix"] for c in calls] == [1, 0.5]


def test_dot_path_reaches_injected_entries_and_ignores_out_of_range() -> None:
    lay = layer(
        [fx("rgbSplit")], properties={"effects.rgbSplit[1].amount": 0.2, "effects.rgbSplit[5].amount": 9}
    )
    calls = resolve_effects(lay, {"__effects": (("rgbSplit", {"amount": 0.01}),)})
    assert [c.params["amount"] for c in calls] == [0.005, 0.2]


def test_dot_path_without_index_targets_first_and_props_value_wins() -> None:
    lay = layer([fx("invert"), fx("invert")], properties={"effects.invert.amount": 0.3})
    assert [c.params["amount"] for c in resolve_effects(lay, {})] == [0.3, 1]
    # a value the timeline resolved (animated) takes precedence over the static one
    assert resolve_effects(lay, {"effects.invert.amount": 0.7})[0].params["amount"] == 0.7


def test_animated_dot_path_falls_back_to_static_then_first_keyframe() -> None:
    kf = [SimpleNamespace(time=0, value=-0.2), SimpleNamespace(time=1, value=1.2)]
    anim = SimpleNamespace(property="effects.lightSweep.progress", keyframes=kf)
    lay = layer([fx("lightSweep")], animations=[anim])
    assert resolve_effects(lay, {})[0].params["progress"] == -0.2
    lay = layer([fx("lightSweep")], properties={"effects.lightSweep.progress": 0.4}, animations=[anim])
    assert resolve_effects(lay, {})[0].params["progress"] == 0.4


def test_resolve_reads_pydantic_layers() -> None:
    from vfnative.model import load

    doc = load(
        {
            "name": "x", "width": 64, "height": 36, "fps": 30, "duration": 1,
            "layers": [{
                "id": "a", "type": "shape", "settings": {"startTime": 0, "sourceDuration": 1},
                "properties": {"effects.glow[0].intensity": 2},
                "effects": [{"effect": "glow", "params": {"radius": 1}}, {"effect": "invert", "enabled": False}],
            }],
        }
    )  # fmt: skip
    calls = resolve_effects(doc.layers[0], {})
    assert [c.name for c in calls] == ["glow"]
    assert calls[0].params["intensity"] == 2
    assert calls[0].params["radius"] == 1


# --------------------------------------------------------------------------- binding (spec 03 §B.1)


def test_em_params_are_percent_of_project_width() -> None:
    p = bind_params("gaussianBlur", {"radius": 1.5}, 1920)
    assert p[0] == F(28.8)  # blurResolve at t = 0 on 1920 wide (spec 03 §B.4.1)
    assert bind_params("pixelate", {"pixelSize": "2"}, 1000)[0] == F(20.0)
    assert bind_params("digitalBlocks", {}, 1920)[0] == F(24.0)


@pytest.mark.parametrize(
    ("value", "index"),
    [
        ("vertical", 2),
        ("horizontal", 1),
        (1.9, 1),
        (-3, 0),
        (7, 2),
        ("nope", 0),
        (None, 0),
        (float("nan"), 0),
    ],
)
def test_option_binding(value: object, index: int) -> None:
    assert bind_params("gaussianBlur", {"direction": value}, 100)[1] == index


@pytest.mark.parametrize(
    ("value", "bound"), [(True, 1), (False, 0), ("false", 1), ("", 0), (0, 0), (None, 0), ([], 1), (2, 1)]
)
def test_bool_binding_is_js_truthiness(value: object, bound: int) -> None:
    assert bind_params("invert", {}, 100).shape == (1,)
    assert bind_params("rgbSplit", {"preserveLuminance": value}, 100)[5] == bound


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("0.5", 0.5),
        (" 2 ", 2.0),
        ("", 0.0),
        (None, 0.0),
        (True, 1.0),
        ([3], 3.0),
        ("0x10", 16.0),
        ("1e-1", 0.1),
    ],
)
def test_float_binding_is_js_number(value: object, number: float) -> None:
    assert bind_params("invert", {"amount": value}, 100)[0] == F(number)


@pytest.mark.parametrize("value", ["abc", [1, 2], {"a": 1}, "1_0", "inf"])
def test_non_numeric_float_binds_nan(value: object) -> None:
    assert math.isnan(bind_params("invert", {"amount": value}, 100)[0])


@pytest.mark.parametrize(
    ("value", "rgba"),
    [
        ("#fff", (1, 1, 1, 1)),
        ("#ff000080", (1, 0, 0, 128 / 255)),
        ("#3a0a00", (0x3A / 255, 0x0A / 255, 0, 1)),
        ("#f008", (1, 0, 0, 0x88 / 255)),
        ("rgba(255, 0, 0, 0.5)", (1, 0, 0, 0.5)),
        ("rgb(0,128,255)", (0, 128 / 255, 1, 1)),
        ([0.5, 0.25, 1], (0.5, 0.25, 1, 1)),
        ([0.5, 0.25, 1, 0.2], (0.5, 0.25, 1, 0.2)),
        ("red", (0, 0, 0, 1)),
        ("hsl(0, 100%, 50%)", (0, 0, 0, 1)),
        ("rgb(100%, 0%, 0%)", (0, 0, 0, 1)),
        (12, (0, 0, 0, 1)),
    ],
)
def test_parse_color_to_vec4(value: object, rgba: tuple[float, ...]) -> None:
    assert parse_color_vec4(value) == pytest.approx(rgba)


# --------------------------------------------------------------------------- GL runtime model (spec 03 §B.0, §B.2)


@pytest.mark.parametrize(
    ("frame", "tframe"), [(63, 125), (125, 249), (126, 251), (127, 253), (1, 2), (30, 60)]
)
def test_tframe_uses_float32_maths(frame: int, tframe: int) -> None:
    assert gl.t_frame(F(frame / 30)) == tframe


def test_hash21_matches_the_float32_recipe() -> None:
    rng = np.random.default_rng(7)
    xs = (rng.random(2000) * 2000 - 500).astype(F)
    ys = (rng.random(2000) * 2000 - 500).astype(F)
    ref = hash21_np(xs, ys)
    got = np.array([gl.hash21(x, y) for x, y in zip(xs, ys, strict=True)], F)
    assert np.array_equal(got, ref)
    # fixed vectors (float32 recipe of §B.2.1)
    assert gl.hash21(F(0), F(0)) == F(0)
    assert gl.hash21(F(1), F(7.31)) == hash21_np(F(1), F(7.31))
    assert 0 <= gl.hash21(F(12.5), F(3.25)) < 1


def test_value_noise_and_fbm() -> None:
    # value noise interpolates the lattice hashes: exact at integer points
    assert gl.value_noise(F(3), F(5)) == hash21_np(F(3), F(5))
    vals = np.array([gl.fbm(F(x), F(y)) for x in np.linspace(-20, 20, 41) for y in np.linspace(0, 9, 37)])
    assert vals.min() >= 0
    assert vals.max() <= 0.9375
    assert 0.35 < vals.mean() < 0.6


def test_fragment_uv_per_triangle_plane() -> None:
    w, h = 1280, 720
    # lower-left triangle (below the top-left → bottom-right diagonal): anchored at the top-left corner
    assert gl.frag_uv(0, h - 1, w, h) == (F(0.5) * (F(1) / F(w)), F(1) - F(h - 0.5) * (F(1) / F(h)))
    # upper-right triangle: anchored at the bottom-right corner
    u, v = gl.frag_uv(w - 1, 0, w, h)
    assert (u, v) == (F(1) + F(-0.5) * (F(1) / F(w)), F(h - 0.5) * (F(1) / F(h)))
    # both agree with (x+.5)/W to within an ulp
    for x, y in ((5, 700), (640, 10), (1279, 719), (100, 50)):
        u, v = gl.frag_uv(x, y, w, h)
        assert u == pytest.approx((x + 0.5) / w, rel=1e-6)
        assert v == pytest.approx(1 - (y + 0.5) / h, rel=1e-6)


def test_texture_sampling_model() -> None:
    img = np.zeros((4, 4, 4), np.uint8)
    img[3, 0] = (255, 0, 0, 255)  # bottom-left texel (uv origin is bottom-left)
    img[3, 1] = (0, 0, 255, 255)
    # at a texel centre: the texel exactly
    assert gl.tex(img, F(0.125), F(0.125)) == (1, 0, 0, 1)
    # half-way between two texels: the average, in float32
    r, g, b, a = gl.tex(img, F(0.25), F(0.125))
    assert (r, b, a) == (F(0.5), F(0.5), F(1))
    # clamp to edge: beyond the canvas the edge texel repeats
    assert gl.tex(img, F(-0.5), F(0.125)) == (1, 0, 0, 1)
    # sampleEdge transparent mode: zero outside [0,1]
    assert gl.sample_edge(img, F(-0.01), F(0.125), 1) == (0, 0, 0, 0)
    # mirror: reflects about the edge
    assert gl.sample_edge(img, F(-0.125), F(0.125), 2) == (1, 0, 0, 1)


@pytest.mark.parametrize(
    ("v", "byte"), [(0.0, 0), (1.0, 255), (0.5, 128), (-3, 0), (7, 255), (float("nan"), 0)]
)
def test_storage_rounds_to_nearest_and_clamps(v: float, byte: int) -> None:
    assert gl.q8(F(v)) == byte


def test_smoothstep_reversed_edges() -> None:
    assert gl.smoothstep(F(1), F(0), F(0.25)) == pytest.approx(1 - smooth(0, 1, 0.25))


# --------------------------------------------------------------------------- the pipeline


def test_no_calls_returns_input_and_unknown_effects_warn_once() -> None:
    img = blob()
    assert apply_effects(img, [], time_s=0, width=W, height=H) is img
    warnings: list[str] = []
    out = apply_effects(
        img, [EffectCall("sparkle", {}), EffectCall("sparkle", {})], time_s=0, width=W, height=H,
        on_warning=warnings.append,
    )  # fmt: skip
    assert out is img
    assert warnings == ["effect 'sparkle' is not a registered effect; skipped"]


def test_shape_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError, match="expected"):
        apply_effects(np.zeros((4, 4, 3), np.uint8), [call("invert")], time_s=0, width=4, height=4)


def test_disabled_effect_is_not_run() -> None:
    img = blob()
    lay = layer([fx("invert", enabled=False)])
    out = apply_effects(img, resolve_effects(lay, {}), time_s=0, width=W, height=H)
    assert np.array_equal(out, img)


@pytest.mark.parametrize("name", EFFECT_NAMES)
def test_every_effect_runs_deterministically_and_bounds_match_full_canvas(name: str) -> None:
    img = blob(3)
    full = run(img, name, time_s=41 / 30)
    assert full.shape == img.shape
    assert full.dtype == np.uint8
    assert np.array_equal(run(img, name, time_s=41 / 30), full)
    part = run(img, name, time_s=41 / 30, bounds=(14, 8, 34, 24))
    assert np.array_equal(part, full)


@pytest.mark.parametrize("name", EFFECT_NAMES)
def test_passes_split_into_row_bands_give_the_same_pixels(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(effects_module, "_SPLIT_MIN_PIXELS", 1)  # split even this small canvas
    img = blob(7, box=(6, 3, 40, 29))
    h, w = img.shape[:2]
    calls = [call(name)]
    one = apply_effects(img, calls, time_s=41 / 30, width=w, height=h, threads=1)
    for threads in (2, 3):
        banded = apply_effects(img, calls, time_s=41 / 30, width=w, height=h, threads=threads)
        assert np.array_equal(banded, one), threads


def test_row_bands_cover_the_box_once_and_small_boxes_stay_whole() -> None:
    assert effects_module._row_parts((0, 0, 1920, 1080), 1) == [(0, 0, 1920, 1080)]
    assert effects_module._row_parts((0, 0, 100, 100), 2) == [
        (0, 0, 100, 100)
    ]  # 10k px: not worth a hand-off
    bands = effects_module._row_parts((10, 7, 1910, 1080), 3)
    assert [b[1] for b in bands] == [7, bands[0][3], bands[1][3]]
    assert bands[-1][3] == 1080
    assert all(b[0] == 10 and b[2] == 1910 and b[3] > b[1] for b in bands)
    assert len(effects_module._row_parts((0, 0, 100_000, 2), 8)) == 2  # never more bands than rows


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("zoomBlur", {"amount": 0.6, "centerX": 0.2, "centerY": 0.9}),
        ("zoomBlur", {"amount": 0.5, "mode": "in"}),
        ("spinBlur", {"amount": 40, "centerX": 0.1}),
        ("lightRays", {"length": 0.6, "threshold": 0.1, "centerX": 0.9}),
        ("volumetricLight", {"density": 0.5}),
        ("motionBlur", {"amount": 0.3, "angle": 30}),
        ("displacement", {"mode": "waves", "amount": 0.1}),
        ("chromaticAberration", {"radial": True, "intensity": 0.05, "edgeFalloff": 1}),
        ("rgbSplit", {"axis": "both", "amount": 0.05}),
        ("sliceGlitch", {"axis": "vertical", "offsetAmount": 0.3, "edgeMode": "clamp"}),
        ("crtScanlines", {"curvature": 1}),
        ("halftone", {"spacing": 1}),
        ("datamoshSmear", {"mode": "blocky"}),
        ("vhsDistortion", {"noiseAmount": 0, "trackingAmount": 4}),
        ("prismSplit", {"spectrumWidth": 0, "amount": 0.1}),
        ("edgeGlow", {"threshold": 0.05}),
        ("glow", {"source": "brightness", "threshold": 0.2}),
        ("liquidRipple", {"amplitude": 0.2, "decay": -2}),
        ("frostedGlass", {"distortion": 4}),
    ],
)
def test_bounds_match_full_canvas_with_reaching_params(name: str, params: dict[str, object]) -> None:
    for box in ((14, 8, 34, 24), (0, 8, 20, 32), (30, 0, 48, 12)):
        img = blob(5, box=box)
        full = run(img, name, time_s=0.4, **params)
        assert np.array_equal(run(img, name, time_s=0.4, bounds=box, **params), full), box


def test_empty_bounds_skip_work_but_full_canvas_effects_still_paint() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    assert run(img, "invert", bounds=(0, 0, 0, 0)) is img
    leak = run(img, "lightLeak", bounds=(0, 0, 0, 0))
    assert leak[..., :3].any()
    assert not leak[..., 3].any()


def test_passes_store_8bit_between_them() -> None:
    """gaussianBlur 'both' equals a horizontal run then a vertical one (each stored as RGBA8)."""
    img = blob(9)
    both = run(img, "gaussianBlur", radius=em(3), direction="both")
    h_then_v = run(run(img, "gaussianBlur", radius=em(3), direction="horizontal"), "gaussianBlur", radius=em(3),
                   direction="vertical")  # fmt: skip
    assert np.array_equal(both, h_then_v)


# --------------------------------------------------------------------------- per-effect formulas

# neutral params under which an effect must leave an image unchanged (±1 LSB for resampling ones)
NEUTRAL: list[tuple[str, dict[str, object], int]] = [
    ("gaussianBlur", {"radius": 0.4}, 0),
    ("motionBlur", {"amount": 0.4}, 0),
    ("zoomBlur", {"amount": 0}, 0),
    ("chromaticAberration", {"intensity": 0}, 0),
    ("rgbSplit", {"amount": 0, "bandOffset": 0}, 0),
    ("displacement", {"amount": 0}, 0),
    ("lensDistortion", {"distortion": 0}, 1),
    ("fisheye", {"strength": 0}, 1),
    ("colorCorrection", {}, 1),
    ("vignette", {"intensity": 0}, 0),
    ("lightSweep", {"intensity": 0}, 0),
    ("streakBlur", {"amount": 0.4}, 0),
    ("spinBlur", {"amount": 0}, 0),
    ("waveWarp", {"amplitude": 0}, 0),
    ("liquidRipple", {"amplitude": 0}, 0),
    ("shockwave", {"strength": 0}, 0),
    ("heatHaze", {"intensity": 0}, 0),
    ("glassRefraction", {"refractionAmount": 0, "highlightAmount": 0, "edgeStrength": 0}, 0),
    ("prismSplit", {"amount": 0, "spectrumWidth": 0}, 0),
    ("sliceGlitch", {"offsetAmount": 0}, 0),
    ("digitalBlocks", {"blockAmount": 0}, 0),
    ("datamoshSmear", {"amount": 0}, 0),
    ("pixelate", {"mix": 0}, 0),
    ("filmGrain", {"amount": 0}, 1),
    ("crtScanlines", {"scanlineIntensity": 0, "rgbMaskAmount": 0, "curvature": 0, "brightnessRollOff": 0}, 0),
    ("duotone", {"mix": 0}, 1),
    ("lightRays", {"intensity": 0}, 0),
    ("volumetricLight", {"intensity": 0}, 0),
    ("invert", {"amount": 0}, 1),
    ("bloom", {"threshold": 1.5}, 0),
    ("glow", {"intensity": 0}, 0),
    ("edgeGlow", {"strength": 0}, 0),
    ("lightLeak", {"amount": 0}, 0),
    ("frostedGlass", {"blurRadius": 0, "distortion": 0, "frostAmount": 0}, 1),
    ("noiseDissolve", {"progress": 1, "edgeWidth": 0}, 0),
    ("burnDissolve", {"progress": 1, "edgeWidth": 1e-4, "ashAmount": 0}, 0),
    ("wipeMask", {"progress": 1, "softness": 1e-4}, 0),
    ("mosaicReveal", {"progress": 1, "softness": 1e-4}, 0),
    ("radialReveal", {"progress": 1, "softness": 1e-4, "edgeGlow": 0}, 0),
    ("scanReveal", {"progress": 1.2, "softness": 1e-4, "edgeGlow": 0, "edgeDistortion": 0}, 0),
]


@pytest.mark.parametrize(("name", "params", "tol"), NEUTRAL, ids=[n for n, _, _ in NEUTRAL])
def test_neutral_params_leave_the_image_unchanged(name: str, params: dict[str, object], tol: int) -> None:
    rng = np.random.default_rng(11)
    img = np.empty((H, W, 4), np.uint8)
    img[..., 3] = 255
    img[..., :3] = rng.integers(0, 256, (H, W, 3))
    out = run(img, name, time_s=0.7, **params)
    assert np.abs(out.astype(int) - img.astype(int)).max() <= tol


def test_effects_neutral_table_covers_all_but_pattern_effects() -> None:
    covered = {n for n, _, _ in NEUTRAL}
    assert set(EFFECT_NAMES) - covered == {"vhsDistortion", "halftone"}


def test_invert_exact() -> None:
    img = solid(40, 100, 10, 200)
    out = run(img, "invert", amount=0.7)
    for c, v in enumerate((40, 100, 10)):
        x = F(v) / F(255) / (F(200) / F(255))
        assert out[0, 0, c] == q8(float((x * F(0.3) + (F(1) - x) * F(0.7)) * (F(200) / F(255))))
    assert out[0, 0, 3] == 200
    assert np.array_equal(run(solid(0, 0, 0, 0), "invert"), solid(0, 0, 0, 0))


def test_color_correction_exact() -> None:
    img = solid(100, 150, 50, 255)
    out = run(img, "colorCorrection", exposure=0.3, contrast=1.2, saturation=0.5, temperature=0.3, tint=-0.1,
              gamma=1.1)  # fmt: skip
    x = np.array([100, 150, 50]) / 255 * 2**0.3
    x = (x - 0.5) * 2.2 + 0.5
    x = x + [0.03, 0.01, -0.03]
    lu = lum(*x)
    x = lu + (x - lu) * 1.5
    x = np.maximum(x, 0) ** (1 / 1.1)
    assert [int(v) for v in out[0, 0, :3]] == pytest.approx([q8(v) for v in x], abs=1)


def test_color_correction_semi_transparent_can_exceed_alpha() -> None:
    out = run(solid(100, 100, 100, 128), "colorCorrection", exposure=2)
    assert out[0, 0, 0] > out[0, 0, 3] == 128  # ⚠ rgb > a, composited additively


def test_vignette_darkens_corners_not_centre() -> None:
    img = solid(200, 200, 200, 255, 64, 64)
    out = run(img, "vignette", intensity=1, radius=0.3, softness=0.1)
    assert tuple(out[32, 32, :3]) == (200, 200, 200)
    assert tuple(out[0, 0, :3]) == (0, 0, 0)
    assert out[0, 0, 3] == 255


def test_wipe_mask_90_degrees_keeps_bottom_half() -> None:
    out = run(solid(255, 0, 0), "wipeMask", progress=0.5, angle=90, softness=1e-4)
    assert out[-1, 5, 3] == 255  # bottom row visible
    assert out[0, 5, 3] == 0  # top row hidden
    assert tuple(out[0, 5]) == (0, 0, 0, 0)


def test_wipe_mask_edge_colour() -> None:
    img = solid(0, 0, 0, 255, 100, 4)
    out = run(img, "wipeMask", progress=0.5, angle=0, softness=1e-4, edgeWidth=0.05, edgeColor="#00ff00")
    u = (49 + 0.5) / 100
    diff = 0.5 - u
    edge = math.exp(-((diff / 0.05) ** 2))
    assert out[0, 49, 1] == pytest.approx(q8(edge), abs=1)


def test_light_sweep_add_exact_at_band_centre() -> None:
    img = solid(50, 50, 50, 255, 101, 1)
    out = run(
        img, "lightSweep", progress=0.5, angle=0, width=0.2, softness=0.01, intensity=0.5, color="#ff0000"
    )
    # along = u at angle 0; P = mix(-0.3, 1.3, 0.5) = 0.5 → pixel 50 sits on the band centre: band = 0.5
    assert tuple(out[0, 50, :3]) == (q8(50 / 255 + 0.5), 50, 50)
    assert tuple(out[0, 0, :3]) == (50, 50, 50)


def test_light_sweep_gated_by_alpha() -> None:
    out = run(solid(0, 0, 0, 0), "lightSweep", progress=0.5, intensity=4)
    assert not out.any()


def test_scan_and_radial_reveal_keep_rgb_in_hidden_area() -> None:
    """⚠ The hidden part keeps its colour with alpha 0 (additive ghost, verified in the reference)."""
    red = solid(255, 0, 0)
    scan = run(red, "scanReveal", progress=0.2, edgeDistortion=0, edgeGlow=0, softness=1e-3)
    assert tuple(scan[5, -1]) == (255, 0, 0, 0)
    assert tuple(scan[5, 0]) == (255, 0, 0, 255)
    radial = run(red, "radialReveal", progress=0.1, edgeGlow=0, softness=1e-3)
    assert tuple(radial[0, 0]) == (255, 0, 0, 0)
    assert tuple(radial[H // 2, W // 2]) == (255, 0, 0, 255)


def test_burn_dissolve_burnt_area_glows_additively() -> None:
    out = run(solid(255, 255, 255), "burnDissolve", progress=0)
    # fully burnt: eT = 0, res = hot·a, ash = 0.4·a → rgb = hot·0.6 + ash colour·0.4, alpha 0.16
    hot = (0xFF / 255, 0xB3 / 255, 0x47 / 255)
    ash = (0.04, 0.03, 0.03)
    expected = [q8(h + (a - h) * 0.4) for h, a in zip(hot, ash, strict=True)]
    assert [int(v) for v in out[5, 5, :3]] == pytest.approx(expected, abs=1)
    assert out[5, 5, 3] == q8(0.16)


def test_noise_dissolve_progress_zero_hides_almost_everything() -> None:
    out = run(solid(255, 255, 255), "noiseDissolve", progress=0, edgeWidth=0)
    assert (out[..., 3] == 0).mean() > 0.95


def test_chromatic_aberration_shifts_red_and_blue_only() -> None:
    img = blob(2)
    out = run(img, "chromaticAberration", intensity=0.05)
    assert np.array_equal(out[..., 1], img[..., 1])
    assert np.array_equal(out[..., 3], img[..., 3])
    # red at pixel x samples uv + 0.05 in x: 2.4 px to the right on a 48-wide canvas
    assert not np.array_equal(out[..., 0], img[..., 0])


def test_chromatic_aberration_fringe_exceeds_alpha() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[:, 20:30] = (255, 255, 255, 255)
    out = run(img, "chromaticAberration", intensity=0.1)
    fringe = (out[..., 3] == 0) & (out[..., :3].max(-1) > 0)
    assert fringe.any()  # ⚠ colour with a = 0 next to the shape


def test_rgb_split_without_randomness_is_a_fixed_shift() -> None:
    img = np.zeros((4, 40, 4), np.uint8)
    img[:, 20] = (255, 255, 255, 255)
    out = run(img, "rgbSplit", amount=0.1, randomness=0)  # 4 px
    assert out[0, 16, 0] == 255  # red sampled from x + 4
    assert out[0, 24, 2] == 255  # blue sampled from x − 4
    assert out[0, 20, 1] == 255


def test_rgb_split_reseeds_per_tframe() -> None:
    img = blob(4)
    a = run(img, "rgbSplit", time_s=0.0, amount=0.02, bandOffset=0.05, randomness=1)
    b = run(img, "rgbSplit", time_s=0.01, amount=0.02, bandOffset=0.05, randomness=1)  # same tFrame (0)
    c = run(img, "rgbSplit", time_s=1 / 30, amount=0.02, bandOffset=0.05, randomness=1)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gaussian_blur_spreads_and_keeps_energy_inside() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[16, 24] = (255, 255, 255, 255)
    out = run(img, "gaussianBlur", radius=em(4))
    assert out[16, 24, 3] < 255
    assert out[16, 27, 3] > 0
    assert out[16, 30, 3] == 0  # beyond ±r
    assert np.array_equal(out[..., 0], out[..., 3])


def test_gaussian_blur_direction_and_alpha_aware() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[16, 24] = (255, 255, 255, 255)
    hor = run(img, "gaussianBlur", radius=em(4), direction="horizontal")
    assert hor[15, 24, 3] == 0
    assert hor[16, 26, 3] > 0
    keep = run(img, "gaussianBlur", radius=em(4), alphaAware=False)
    assert keep[16, 26, 3] == 0 < keep[16, 26, 0]  # ⚠ rgb with a = 0


def test_gaussian_blur_transparent_edge_fades_canvas_border() -> None:
    img = solid(255, 255, 255)
    out = run(img, "gaussianBlur", radius=em(4), edgeMode="transparent")
    assert out[16, 0, 3] < 255
    assert out[16, 24, 3] == 255
    clamp = run(img, "gaussianBlur", radius=em(4), edgeMode="clamp")
    assert np.array_equal(clamp, img)


def test_motion_and_streak_blur_preserve_flat_images() -> None:
    img = solid(90, 60, 30)
    assert np.array_equal(run(img, "motionBlur", amount=5, angle=33), img)
    assert np.array_equal(run(img, "streakBlur", amount=5, edgeMode="clamp"), img)


def test_glow_alpha_is_max_of_original_and_glow() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[12:20, 20:28] = (0, 0, 255, 255)
    out = run(img, "glow", radius=em(4), intensity=1)
    assert out[16, 30, 3] > 0  # halo outside the shape
    assert out[16, 24, 3] == 255
    assert out[16, 30, 0] == out[16, 30, 3]  # white glow, screen over transparent: rgb = g


def test_bloom_keeps_original_alpha() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[12:20, 20:28] = (255, 255, 255, 255)
    out = run(img, "bloom", radius=em(4), threshold=0.5)
    assert out[16, 31, 3] == 0 < out[16, 31, 0]  # ⚠ halo outside the alpha


def test_edge_glow_lights_edges_not_flat_areas() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    img[8:24, 12:36] = (255, 255, 255, 255)
    out = run(img, "edgeGlow", radius=0, blendMode="normal", color="#ff0000", sampleDistance=1)
    assert out[16, 12, 0] == 255
    assert out[16, 12, 1] == 0  # normal blend: replaced by the glow colour
    assert tuple(out[16, 24]) == (255, 255, 255, 255)


def test_light_leak_screen_paints_transparent_pixels_add_does_not() -> None:
    img = np.zeros((H, W, 4), np.uint8)
    screen = run(img, "lightLeak", shape="radial", positionX=0.5, positionY=0.5)
    assert screen[H // 2, W // 2, 0] > 0
    assert not screen[..., 3].any()
    assert not run(img, "lightLeak", blendMode="add").any()


def test_pixelate_makes_constant_cells() -> None:
    img = blob(6, box=(0, 0, W, H))
    out = run(img, "pixelate", pixelSize=8 / W * 100)  # 8 px cells anchored bottom-left
    cell = out[H - 8 : H, 0:8]
    assert (cell == cell[0, 0]).all()


def test_mosaic_reveal_progress_ends() -> None:
    img = solid(255, 255, 255)
    assert not run(img, "mosaicReveal", progress=0, softness=1e-4)[..., 3].any()
    assert (run(img, "mosaicReveal", progress=1, softness=1e-4)[..., 3] == 255).all()


def test_digital_blocks_hide_share() -> None:
    img = solid(255, 255, 255, 255, 480, 270)
    out = run(img, "digitalBlocks", time_s=1.0, blockSize=1, blockAmount=1, hideBlocks=True, offsetAmount=0)
    hidden = (out[..., 3] == 0).mean()
    assert 0.2 < hidden < 0.4  # r2 < 0.3 on every gated block


def test_slice_glitch_gap_clears_slice_edges() -> None:
    img = solid(255, 255, 255, 255, 10, 100)
    out = run(img, "sliceGlitch", sliceCount=10, gap=0.5, offsetAmount=0)
    # f = uv.y·10 has fractional parts .05, .15, ... .95 at the row centres: 4 of 10 fall in the gaps
    assert (out[:, 5, 3] == 0).mean() == pytest.approx(0.4, abs=0.05)


def test_vhs_scanlines_are_a_uniform_dimming() -> None:
    img = solid(200, 200, 200)
    out = run(
        img,
        "vhsDistortion",
        trackingAmount=0,
        tearAmount=0,
        colorBleed=0,
        noiseAmount=0,
        scanlineIntensity=0.4,
    )
    # cos(uv.y·H·π) ≈ 0 at every pixel centre → factor 1 − 0.5·0.4 = 0.8 (spec 03 §B.4.30)
    assert np.abs(out[..., 0].astype(int) - q8(200 / 255 * 0.8)).max() <= 1


def test_vhs_noise_covers_transparent_canvas() -> None:
    out = run(np.zeros((H, W, 4), np.uint8), "vhsDistortion", time_s=0.5)
    assert out[..., :3].any()
    assert not out[..., 3].any()


def test_film_grain_changes_opaque_pixels_and_keeps_alpha() -> None:
    img = solid(128, 128, 128)
    out = run(img, "filmGrain", time_s=0.2, amount=0.5)
    assert np.array_equal(out[..., 3], img[..., 3])
    assert out[..., 0].std() > 1
    assert np.array_equal(out[..., 0], out[..., 1])  # monochrome


def test_crt_rgb_mask_cycles_by_column() -> None:
    img = solid(255, 255, 255)
    out = run(img, "crtScanlines", scanlineIntensity=0, curvature=0, brightnessRollOff=0, rgbMaskAmount=1)
    assert tuple(out[5, 0, :3]) == (255, 153, 153)
    assert tuple(out[5, 1, :3]) == (153, 255, 153)
    assert tuple(out[5, 2, :3]) == (153, 153, 255)


def test_crt_curvature_blanks_corners() -> None:
    out = run(solid(255, 255, 255), "crtScanlines", curvature=1)
    assert tuple(out[0, 0]) == (0, 0, 0, 0)


def test_duotone_maps_black_to_shadow_colour() -> None:
    out = run(solid(0, 0, 0), "duotone")
    assert tuple(out[0, 0, :3]) == (0x1A, 0x1A, 0x3A)
    out = run(solid(255, 255, 255), "duotone")
    assert tuple(out[0, 0, :3]) == (0xFF, 0xD9, 0x66)


def test_halftone_dark_areas_get_big_white_dots() -> None:
    black = run(solid(0, 0, 0, 255, 64, 64), "halftone", spacing=10 / 64 * 100)
    white = run(solid(255, 255, 255, 255, 64, 64), "halftone", spacing=10 / 64 * 100)
    assert black[..., 0].mean() > white[..., 0].mean()
    assert not run(np.zeros((H, W, 4), np.uint8), "halftone").any()


def test_light_rays_and_volumetric_add_light_toward_centre() -> None:
    img = np.zeros((64, 64, 4), np.uint8)
    img[28:36, 28:36] = (255, 255, 255, 255)
    rays = run(img, "lightRays", threshold=0.2, length=0.6)
    assert rays[32, 39, 0] > 0 == rays[32, 39, 3]
    vol = run(img, "volumetricLight")
    assert vol[32, 50, 0] > 0 == vol[32, 50, 3]


def test_zoom_blur_smears_toward_centre() -> None:
    img = np.zeros((64, 64, 4), np.uint8)
    img[:, 56:60] = (255, 255, 255, 255)
    out = run(img, "zoomBlur", amount=0.5, mode="out")
    assert out[32, 50, 3] > 0  # pixels nearer the centre sample outward and see the stripe
    assert out[32, 63, 3] == 0


def test_warps_move_content() -> None:
    img = blob(8)
    for name, params in (
        ("displacement", {"amount": 0.1}),
        ("lensDistortion", {"distortion": 0.8}),
        ("fisheye", {"strength": 1}),
        ("waveWarp", {"amplitude": 0.05}),
        ("liquidRipple", {"amplitude": 0.1}),
        ("shockwave", {"progress": 0.3, "strength": 0.2}),
        ("heatHaze", {"intensity": 4}),
        ("spinBlur", {"amount": 60}),
        ("glassRefraction", {"highlightAmount": 0, "edgeStrength": 0, "refractionAmount": 8}),
        ("datamoshSmear", {"amount": 20}),
    ):
        assert not np.array_equal(run(img, name, time_s=0.3, **params), img), name


# --------------------------------------------------------------------------- warps, pixel by pixel (spec 03 §B.4)
#
# The ten warps written out from the spec's formulas, float32 step by step, sampling through the GL
# sampling model (gl.tex, checked above) and noise from the hash21 recipe (hash21_np). Each case checks
# sampled pixels for the exact 8-bit value the reference stores.


def _mixf(a, b, t):  # type: ignore[no-untyped-def]
    return a * (F(1) - t) + b * t


def _clamp01(x):  # type: ignore[no-untyped-def]
    return min(max(x, F(0)), F(1))


def _smoothstep(e0, e1, x):  # type: ignore[no-untyped-def]
    u = _clamp01((x - e0) / (e1 - e0))
    return u * u * (F(3) - F(2) * u)


def _fbm(x, y):  # type: ignore[no-untyped-def]
    """§B.2.1 fbm: 4 octaves of value noise over hash21 corners, lacunarity 2.02, gain 0.5."""
    v, amp = F(0), F(0.5)
    for _ in range(4):
        ix, iy = np.floor(x), np.floor(y)
        fx, fy = x - ix, y - iy
        ux, uy = fx * fx * (F(3) - F(2) * fx), fy * fy * (F(3) - F(2) * fy)
        a, b = hash21_np(ix, iy), hash21_np(ix + F(1), iy)
        c, d = hash21_np(ix, iy + F(1)), hash21_np(ix + F(1), iy + F(1))
        v = v + amp * _mixf(_mixf(a, b, ux), _mixf(c, d, ux), uy)
        x, y, amp = x * F(2.02), y * F(2.02), amp * F(0.5)
    return v


def _tex(img, u, v):  # type: ignore[no-untyped-def]
    return np.array(gl.tex(img, F(u), F(v)), F)


def _texc(img, u, v):  # type: ignore[no-untyped-def]
    return _tex(img, _clamp01(F(u)), _clamp01(F(v)))


def _sample_edge(img, u, v, mode):  # type: ignore[no-untyped-def]
    if mode == 1:
        return _tex(img, u, v) if 0 <= u <= 1 and 0 <= v <= 1 else np.zeros(4, F)
    if mode == 2:

        def mirror(c):  # type: ignore[no-untyped-def]
            m = np.floor(c) - F(2) * np.floor(np.floor(c) / F(2))
            return _mixf(c - np.floor(c), F(1) - (c - np.floor(c)), m)

        return _tex(img, mirror(F(u)), mirror(F(v)))
    return _texc(img, u, v)


TAU = F(6.2832)
RAD = F(math.pi / 180.0)


def ref_displacement(img, u, v, t, amount, scale, angle, noiseStrength, mode, axis):  # type: ignore[no-untyped-def]
    """§B.4.8."""
    sc, th, ns = max(scale, F(0.001)), angle * RAD, noiseStrength
    if mode == 0:
        px, py = u * sc + F(0.35) * t, v * sc + F(-0.27) * t
        dx = (_fbm(px, py) - F(0.5)) * F(2) * ns
        dy = (_fbm(px + F(13.7), py + F(91.3)) - F(0.5)) * F(2) * ns
        if th != 0:  # rotate2d(θ)·D: clockwise in y-up space
            dx, dy = np.cos(th) * dx + np.sin(th) * dy, -np.sin(th) * dx + np.cos(th) * dy
    elif mode == 1:
        dx = F(0.5) * np.sin((v + F(0.5) * np.sin(th)) * sc * TAU)
        dy = F(0.5) * np.sin((u + F(0.5) * np.cos(th)) * sc * TAU + F(1.5708))
    else:
        vx, vy = u - F(0.5), v - F(0.5)
        r = np.sqrt(vx * vx + vy * vy)
        phi = np.arctan2(vy, vx) + r * sc
        dx, dy = F(2) * ((F(0.5) + r * np.cos(phi)) - u), F(2) * ((F(0.5) + r * np.sin(phi)) - v)
    dx, dy = (dx, F(0)) if axis == 0 else (F(0), dy) if axis == 1 else (dx, dy)
    return _texc(img, u + dx * amount, v + dy * amount)


def ref_lens_distortion(img, u, v, t, distortion, centerX, centerY, zoom, curve, edgeMode):  # type: ignore[no-untyped-def]
    """§B.4.9."""
    h, w = img.shape[:2]
    dx, dy = (u - centerX) * (F(w) / F(h)), v - centerY
    k = F(1) + distortion * np.sqrt(dx * dx + dy * dy) ** max(curve, F(0.001))
    z = max(zoom, F(0.001))
    return _sample_edge(img, centerX + dx * k / z * (F(h) / F(w)), centerY + dy * k / z, edgeMode)


def ref_wave_warp(img, u, v, t, amplitude, frequency, angle, phase, falloff, axis):  # type: ignore[no-untyped-def]
    """§B.4.20."""
    th = angle * RAD
    dx, dy = np.cos(th), np.sin(th)
    px, py = -dy, dx
    fr = max(frequency, F(0.001))
    cu, cv = u - F(0.5), v - F(0.5)
    ox = oy = F(0)
    if axis in (0, 2):
        s = np.sin((cu * px + cv * py) * fr * TAU + phase) * amplitude
        ox, oy = ox + dx * s, oy + dy * s
    if axis in (1, 2):
        s = np.sin((cu * dx + cv * dy) * fr * TAU + phase + F(1.5708)) * amplitude
        ox, oy = ox + px * s, oy + py * s
    m = _mixf(F(1), max(F(0), F(1) - np.sqrt((F(2) * cu) ** 2 + (F(2) * cv) ** 2)), _clamp01(falloff))
    return _texc(img, u + ox * m, v + oy * m)


def _radial(img, u, v, cx, cy):  # type: ignore[no-untyped-def]
    """(r, unit direction with x divided by the aspect) of uv from the centre, aspect-corrected."""
    h, w = img.shape[:2]
    asp = F(w) / F(h)
    dx, dy = (u - cx) * asp, v - cy
    r = np.sqrt(dx * dx + dy * dy)
    return (r, dx / r / asp, dy / r) if r > 0 else (r, F(0), F(0))


def ref_liquid_ripple(img, u, v, t, centerX, centerY, amplitude, frequency, decay, radius, phase):  # type: ignore[no-untyped-def]
    """§B.4.21."""
    r, ux, uy = _radial(img, u, v, centerX, centerY)
    big_r = max(radius, F(1e-4))
    if r > big_r:
        return _tex(img, u, v)
    wave = np.sin(r * frequency * TAU - phase) * np.exp(-r * decay)
    k = wave * amplitude * (F(1) - _smoothstep(F(0), big_r, r))
    return _texc(img, u + ux * k, v + uy * k)


def ref_shockwave(img, u, v, t, progress, centerX, centerY, strength, width, softness, invert):  # type: ignore[no-untyped-def]
    """§B.4.22 (softness is declared but unused)."""
    r, ux, uy = _radial(img, u, v, centerX, centerY)
    w = max(width, F(1e-4))
    x = r - progress
    band = np.exp(-((x / w) ** 2))
    profile = np.sin(min(max(x / w, F(-1)), F(1)) * F(3.1415926))
    push = profile * band * strength * (F(-1) if invert else F(1))
    return _texc(img, u + ux * push, v + uy * push)


def ref_heat_haze(img, u, v, t, intensity, waveScale, waveAngle, noiseAmount, verticalFalloff):  # type: ignore[no-untyped-def]
    """§B.4.23."""
    ws, b = max(waveScale, F(0.001)), waveAngle * RAD
    dx, dy = np.cos(b), np.sin(b)
    px, py = -dy, dx
    vf = _mixf(F(1), _smoothstep(F(0), F(1), F(1) - v), _clamp01(verticalFalloff))
    s1 = F(0.5) * np.sin((u * px + v * py) * ws * F(20) + F(4.7) * t)
    s2 = F(0.3) * np.sin((u * dx + v * dy) * ws * F(17) + F(1) + F(3.9) * t)
    nx = _fbm(F(3) * ws * u + F(0.6) * t, F(3) * ws * v + F(-0.4) * t)
    ny = _fbm(F(3) * ws * u + (F(31.7) - F(0.5) * t), F(3) * ws * v + (F(23.1) + F(0.7) * t))
    ox = dx * s1 + px * s2 + (nx - F(0.5)) * F(2) * noiseAmount
    oy = dy * s1 + py * s2 + (ny - F(0.5)) * F(2) * noiseAmount
    k = intensity * vf * F(0.01)
    return _texc(img, u + ox * k, v + oy * k)


def ref_spin_blur(img, u, v, t, amount, centerX, centerY, samples, radiusFalloff, direction):  # type: ignore[no-untyped-def]
    """§B.4.19 (the test never uses |amount| < 0.001, where the output is the input)."""
    h, w = img.shape[:2]
    n = int(min(max(samples, F(2)), F(64)))
    asp = F(w) / F(h)
    dx, dy = (u - centerX) * asp, v - centerY
    r = np.sqrt(dx * dx + dy * dy)
    m = amount * RAD * _clamp01(F(2) * r) ** max(radiusFalloff, F(0)) * (F(1) if direction == 0 else F(-1))
    acc = np.zeros(4, F)
    for i in range(n):
        s = (F(i) + F(0.5)) / F(n) - F(0.5)
        c, sn = np.cos(m * s), np.sin(m * s)
        acc = acc + _texc(img, centerX + (c * dx + sn * dy) / asp, centerY + (-sn * dx + c * dy))
    return acc / F(n)


def ref_glass_refraction(img, u, v, t, refractionAmount, roughness, highlightAmount, edgeStrength, ior):  # type: ignore[no-untyped-def]
    """§B.4.25 (⚠ highlights are added to rgb whatever the alpha)."""
    e = F(0.002)

    def normal(k):  # type: ignore[no-untyped-def]
        h0 = _fbm(k * u, k * v)
        return (_fbm(k * (u + e), k * v) - h0) / e, (_fbm(k * u, k * (v + e)) - h0) / e

    nx, ny = normal(F(6))
    if roughness > 0:
        mx, my = normal(F(30))
        nx, ny = nx + mx * roughness * F(0.5), ny + my * roughness * F(0.5)
    k = refractionAmount * F(0.005) * (max(ior, F(0.5)) - F(0.5))
    c = _texc(img, u + nx * k, v + ny * k)
    spec = max(F(0), F(0.7071) * (F(0.005) * nx) + F(0.7071) * (F(0.005) * ny))
    c[:3] = c[:3] + spec * spec * highlightAmount
    c[:3] = c[:3] + _smoothstep(F(0.5), F(1), F(0.001) * np.sqrt(nx * nx + ny * ny)) * edgeStrength
    return c


def ref_datamosh_smear(img, u, v, t, amount, blockSize, angle, smearLength, randomness, mode):  # type: ignore[no-untyped-def]
    """§B.4.29, modes blocky (1) and streak (2); amount and blockSize arrive in px."""
    h, w = img.shape[:2]
    bs, th = max(blockSize, F(1)), angle * RAD
    dx, dy = np.cos(th) / F(w), np.sin(th) / F(h)
    cx, cy = np.floor(u * F(w) / bs), np.floor(v * F(h) / bs)
    tf = np.floor(t * F(60))
    ox = tf * F(53.17) - F(977) * np.floor(tf * F(53.17) / F(977))
    oy = tf * F(71.93) - F(991) * np.floor(tf * F(71.93) / F(991))
    big_l = amount * _mixf(smearLength, smearLength * hash21_np(cx + ox, cy + oy), _clamp01(randomness))
    if mode == 1:
        gx, gy = F(w) / bs, F(h) / bs
        return _texc(img, cx / gx + F(0.5) / gx + dx * big_l, cy / gy + F(0.5) / gy + dy * big_l)
    assert mode == 2
    acc = np.zeros(4, F)
    for i in range(16):
        s = F(i) / F(15)
        acc = acc + _texc(img, u - dx * s * big_l, v - dy * s * big_l) * (F(1) - s)
    return acc / F(8)


def ref_prism_split(img, u, v, t, amount, angle, spectrumWidth, centerX, centerY, falloff):  # type: ignore[no-untyped-def]
    """§B.4.26 (no aspect correction; ⚠ shifted channels and the tint can exceed alpha)."""
    th = angle * RAD
    dx, dy = np.cos(th), np.sin(th)
    du, dv = u - centerX, v - centerY
    fall = np.sqrt(du * du + dv * dv) ** max(falloff, F(0))
    sp = amount * fall
    c = _tex(img, u, v)
    col = np.array(
        [_texc(img, u + dx * sp, v + dy * sp)[0], c[1], _texc(img, u - dx * sp, v - dy * sp)[2]], F
    )
    if spectrumWidth > 0:
        z = _clamp01(sp / max(amount, F(1e-4)))
        rb = F(0.5) + F(0.5) * np.cos(TAU * z + np.array([0, 2.094, 4.188], F))
        col = _mixf(col, col + F(0.4) * (rb - F(0.5)), spectrumWidth * fall)
    return np.array([*col, c[3]], F)


WARP_REFS = {
    "displacement": ref_displacement, "lensDistortion": ref_lens_distortion, "waveWarp": ref_wave_warp,
    "liquidRipple": ref_liquid_ripple, "shockwave": ref_shockwave, "heatHaze": ref_heat_haze,
    "spinBlur": ref_spin_blur, "glassRefraction": ref_glass_refraction,
    "datamoshSmear": ref_datamosh_smear, "prismSplit": ref_prism_split,
}  # fmt: skip

WARP_CASES = [
    *((name, {}) for name in WARP_REFS),  # the defaults, as in the effects-warp golden
    ("displacement", {"amount": 0.1, "angle": 30}),
    ("displacement", {"amount": 0.1, "mode": "waves", "angle": 20}),
    ("displacement", {"amount": 0.1, "mode": "swirl", "axis": "x"}),
    ("lensDistortion", {"distortion": 0.8, "zoom": 1.2, "edgeMode": "transparent"}),
    ("lensDistortion", {"distortion": -0.5, "edgeMode": "mirror", "centerX": 0.3}),
    ("waveWarp", {"amplitude": 0.05, "angle": 30, "falloff": 0.5, "phase": 1}),
    ("waveWarp", {"amplitude": 0.05, "axis": "y"}),
    ("liquidRipple", {"amplitude": 0.1, "centerX": 0.4, "phase": 0.5}),
    ("shockwave", {"progress": 0.2, "strength": 0.2, "width": 0.2, "invert": True}),
    ("heatHaze", {"intensity": 4, "waveAngle": 30}),
    ("spinBlur", {"amount": 60, "radiusFalloff": 1, "direction": "counterClockwise", "samples": 10}),
    ("glassRefraction", {"refractionAmount": 8, "roughness": 0.5, "highlightAmount": 1, "edgeStrength": 0.5}),
    ("datamoshSmear", {"amount": 20, "mode": "blocky"}),
    ("prismSplit", {"amount": 0.05, "angle": 45, "falloff": 0.5}),
]
SAMPLED = [(0, 0), (5, 27), (8, 15), (11, 4), (17, 20), (23, 9), (24, 16), (30, 30), (36, 13), (40, 2),
           (42, 25), (47, 31)]  # fmt: skip
"""(x, y from the top) pixels checked per case: corners, centre and a spread in between."""


@pytest.mark.parametrize(
    ("name", "params"), WARP_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(WARP_CASES)]
)
def test_warp_pixels_follow_the_spec(name: str, params: dict[str, object]) -> None:
    rng = np.random.default_rng(11)
    img = np.empty((H, W, 4), np.uint8)
    img[..., 3] = 255
    img[..., :3] = rng.integers(0, 256, (H, W, 3))
    time_s = 0.7
    out = run(img, name, time_s=time_s, **params)
    bound = bind_params(name, call(name, **params).params, W)  # em → px, options → indices, as uniforms
    args = dict(zip((p.name for p in SCHEMAS[name]), bound, strict=True))
    moved = 0
    for x, y in SAMPLED:
        u, v = gl.frag_uv(x, y, W, H)
        want = [int(gl.q8(c)) for c in WARP_REFS[name](img, u, v, F(time_s), **args)]
        assert out[y, x].tolist() == want, f"{name} {params} at ({x}, {y})"
        moved += want != img[y, x].tolist()
    assert moved >= 3  # the samples see the warp, not the identity


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("gaussianBlur", {"radius": 3}),
        ("gaussianBlur", {"radius": 1.3, "alphaAware": False, "edgeMode": "transparent"}),
        ("glow", {"radius": 2}),
        ("bloom", {"radius": 5, "threshold": 0.3}),
        ("motionBlur", {"amount": 4, "angle": 33, "edgeMode": "mirror"}),
        ("edgeGlow", {"radius": 1}),
    ],
)
def test_fast_linear_passes_match_the_gl_model(name: str, params: dict[str, object]) -> None:
    """Folded integer taps on the canvas interior == per-sample GL model, to 1 LSB on rare values."""
    w, h = 200, 120
    img = blob(12, w=w, h=h, box=(0, 0, w, h))
    p = bind_params(name, call(name, **params).params, w)
    exact = img
    for ps in PASSES[name]:
        dst = np.zeros_like(exact)
        ps.kernel(exact, dst, img, 0, 0, w, h, F(0.5), p)
        exact = dst
    fast = run(img, name, time_s=0.5, **params)
    d = np.abs(fast.astype(int) - exact.astype(int))
    assert d.max() <= 1
    assert np.count_nonzero(d) / d.size < 0.001


@pytest.mark.parametrize(
    ("value", "bound"), [(3.9, 3), (-3.9, -3), (2**31, -(2**31)), (2**32 + 5, 5), (math.inf, 0)]
)
def test_int_uniforms_are_js_bitwise_or_zero(value: float, bound: int) -> None:
    from vfnative.raster.effects import _to_int32

    assert _to_int32(value) == bound

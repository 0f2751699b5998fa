"""Fuzzing: generated documents, valid and broken, must load (and draw) or fail with a VfnativeError.

Nothing else may escape: no KeyError, ZeroDivisionError, OverflowError, RecursionError, numpy warning
(pytest turns warnings into errors) or hang. The budget is fixed and derandomized so CI is repeatable:

* `test_fuzz_load`: 420 generated documents, each loaded with 4 mutants of it (1-3 random deletions,
  junk values, wrapped, stringified or negated values): 2 100 documents through `load`, as dicts or as
  JSON text with NaN/Infinity literals;
* `test_fuzz_render`: 200 documents (mostly valid, at most 48×48 px) through `Renderer.render_frame`,
  half in strict mode, with media sources that are fine, corrupt, enormous, missing or hostile;
* `test_fuzz_bytes`: 200 arbitrary byte strings and JSON-ish texts through `load`.

2 500 documents in all, about 30 s on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vfnative
from vfnative.errors import VfnativeError
from vfnative.fonts.registry import FontRegistry as _FontRegistry
from vfnative.model.layers import LAYER_TYPES
from vfnative.model.properties import property_table
from vfnative.timeline.transitions import KNOWN_TRANSITIONS

CORPUS = Path(__file__).resolve().parent / "corpus"

LOAD_EXAMPLES = 420
MUTANTS = 4
"""Each load example checks its generated document and 4 mutants of it: 2 100 documents."""
RENDER_EXAMPLES = 200

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --------------------------------------------------------------------------- values

SPECIAL_STRINGS = ["NaN", "Infinity", "-Infinity", "1e400", "", " ", "12px", "3em", "50%", "45deg", "#fff",
                   "#ggg", "red", "none", "transparent", "rgb(300, -1, 2)", "hsl(nan, 1%, 2%)", "\x00", "💥" * 3]  # fmt: skip
JUNK: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),  # NaN and ±Infinity included: a dict can hold them, and json.dumps writes them as literals
    st.sampled_from([0, -1, 1e-300, 1e300, -1e300, 2**53 + 1]),
    st.text(max_size=12),
    st.sampled_from(SPECIAL_STRINGS),
    st.lists(st.integers(-5, 5), max_size=3),
    st.builds(dict),  # fresh objects: a shared one would carry mutations from one example to the next
    st.builds(lambda: [[[[1]]]]),
)
SMALL = st.floats(-100, 100, allow_nan=False)
EDGE = st.sampled_from([1e7, -1e7, 9.9e6, 0.0, -0.0, 5e-324, 1e-9, 2**31, -(2**31)])
"""Numbers at the edge of what a document may hold (`model.layers.MAX_MAGNITUDE` is 1e7)."""
COLORS = st.sampled_from(["#ff0000", "#0f08", "rgba(10, 20, 30, 0.5)", "hsl(120, 50%, 50%)", "blue", "transparent",
                          "hwb(90 10% 10%)", "none", ""])  # fmt: skip
EASINGS = st.sampled_from([None, "linear", "easeIn", "easeOut", "easeInOut", "step"])
TRANSITIONS = sorted(KNOWN_TRANSITIONS)
SOURCES = ["ok.png", "corrupt.png", "bomb.png", "corrupt.mp4", "nope.png", "../../etc/passwd", "/etc/passwd",
           "file:///etc/passwd", "http://10.0.0.1/x.png", "http://169.254.169.254/", "gopher://x/", "data:,abc",
           "data:image/png;base64,!!!!", "data:image/png;base64,iVBORw0KGgo=", "", "a\x00b"]  # fmt: skip


def _value(kind: str, choices: tuple[str, ...] | None) -> st.SearchStrategy[Any]:
    if kind == "bool":
        return st.booleans()
    if kind == "text":
        return st.text(max_size=40)
    if kind == "enum":
        return st.sampled_from(choices or ("x",))
    if kind == "color":
        return COLORS
    number = st.one_of(SMALL, st.integers(-50, 50), EDGE)
    if kind in ("length", "angle", "vector"):
        unit = {"length": ["px", "em", "%"], "angle": ["deg"], "vector": [""]}[kind]
        with_unit = st.builds(lambda x, u: f"{x:.3g}{u}", SMALL, st.sampled_from(unit))
        item = st.one_of(number, with_unit)
        return st.one_of(item, st.lists(item, min_size=1, max_size=3))
    return number


@st.composite
def maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any], junk: float) -> Any:
    """`strategy`, or (about `junk` of the time) a junk value. Integer draws are close to uniform, and
    hypothesis's simplest choice (0) means "valid"; `one_of(s, s, s, JUNK)` would merge its branches."""
    return draw(JUNK) if draw(st.integers(0, 999)) >= 1000 - junk * 1000 else draw(strategy)


def prop_value(layer_type: str, name: str, junk: float) -> st.SearchStrategy[Any]:
    defn = property_table(layer_type).get(name)
    return maybe(_value(defn.kind, defn.choices), junk) if defn else JUNK


# --------------------------------------------------------------------------- documents


@st.composite
def layers(draw: st.DrawFn, depth: int = 0, junk: float = 0.1) -> dict[str, Any]:
    kinds = list(LAYER_TYPES) if depth < 3 else [k for k in LAYER_TYPES if k != "group"]
    kind = draw(
        st.sampled_from(["sprite", "", "Text"])
        if draw(st.integers(0, 999)) >= 1000 - junk * 300
        else st.sampled_from(kinds)
    )
    table = sorted(property_table(kind)) or ["opacity"]
    settings_: dict[str, Any] = {
        "enabled": draw(st.sampled_from([True, True, True, False])),
        "startTime": draw(maybe(st.floats(-1, 2, allow_nan=False), junk)),
        "sourceDuration": draw(maybe(st.floats(0, 3, allow_nan=False), junk)),
    }
    if draw(st.booleans()):
        settings_["speed"] = draw(maybe(st.sampled_from([1, 2, 0.5, -1, 0, 1e6, -1e-9]), junk))
    if draw(st.booleans()):
        settings_["sourceStart"] = draw(maybe(st.floats(-1, 5, allow_nan=False), junk))
    if kind in ("image", "video", "audio"):
        settings_["source"] = draw(maybe(st.sampled_from(SOURCES), junk / 2))
        if draw(st.booleans()):
            settings_["sourceEnd"] = draw(maybe(st.floats(0, 2, allow_nan=False), junk))
    if kind == "shape":
        settings_["shapeType"] = draw(st.sampled_from(["rectangle", "ellipse", "polygon", "star", "blob"]))
    if kind == "captions":
        entries = st.fixed_dictionaries(
            {
                "caption": st.text(max_size=20),
                "startTime": st.floats(0, 2, allow_nan=False),
                "endTime": st.floats(0, 3, allow_nan=False),
            }  # fmt: skip
        )
        settings_["captions"] = draw(maybe(st.lists(entries, max_size=3), junk))
    layer: dict[str, Any] = {"id": draw(st.text(min_size=1, max_size=5)), "type": kind, "settings": settings_}
    static = draw(st.lists(st.sampled_from(table), max_size=4, unique=True))
    layer["properties"] = {name: draw(prop_value(kind, name, junk)) for name in static}
    if kind in ("text", "captions") and draw(st.booleans()):
        layer["properties"]["text"] = draw(st.text(max_size=60))
    animated = draw(st.lists(st.sampled_from(table), max_size=3, unique=True))
    keyframe = st.builds(
        lambda t, e: {"time": t, "easing": e},
        maybe(st.floats(-1, 3, allow_nan=False), junk),
        maybe(EASINGS, junk / 2),
    )
    layer["animations"] = [
        {"property": name, "keyframes": [{**k, "value": draw(prop_value(kind, name, junk))} for k in draw(st.lists(keyframe, max_size=4))]}
        for name in animated
    ]  # fmt: skip
    for key in ("transitionIn", "transitionOut"):
        if draw(st.integers(0, 3)) == 0:
            layer[key] = {
                "transition": draw(st.sampled_from([*TRANSITIONS, "wobble"])),
                "duration": draw(maybe(st.floats(0, 1.5, allow_nan=False), junk)),
                "easing": draw(maybe(EASINGS, junk)),
                "params": draw(
                    st.dictionaries(
                        st.sampled_from(["direction", "amount", "x"]), maybe(SMALL, junk), max_size=2
                    )
                ),
            }
    if draw(st.integers(0, 4)) == 0:
        layer["effects"] = [{"effect": draw(st.sampled_from(["blur", "glow", "noSuchEffect", "vignette"])),
                             "params": draw(st.dictionaries(st.sampled_from(["radius", "amount"]), maybe(SMALL, junk), max_size=2))}]  # fmt: skip
    if kind == "group":
        layer["children"] = draw(st.lists(layers(depth + 1, junk), max_size=2))
    return layer


@st.composite
def documents(draw: st.DrawFn, junk: float = 0.1) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "width": draw(maybe(st.integers(1, 48), junk)),
        "height": draw(maybe(st.integers(1, 48), junk)),
        "fps": draw(maybe(st.sampled_from([1, 10, 24, 29.97, 30, 60]), junk)),
        "duration": draw(maybe(st.floats(0.05, 2, allow_nan=False), junk)),
        "backgroundColor": draw(maybe(COLORS, junk)),
        "layers": draw(st.lists(layers(0, junk), max_size=4)),
    }
    if draw(st.integers(0, 5)) == 0:
        doc["tracks"] = draw(
            st.lists(st.fixed_dictionaries({"enabled": maybe(st.booleans(), junk)}), max_size=2)
        )
    if draw(st.integers(0, 999)) >= 1000 - junk * 3000:
        _mutate(draw, doc)
    return doc


_JUNK_VALUES: list[Any] = [None, True, 0, -1, 1e300, -1e300, float("nan"), float("inf"), 2**70, "", "NaN", "1e400",
                           "#ggg", "x" * 50, [], {}, [[[[1]]]], [1, "a", None], {"a": {"b": [float("-inf")]}}]  # fmt: skip
_ACTIONS = ("delete", "junk", "junk", "wrap", "stringify", "negate")


def _edit(doc: dict[str, Any], pick: Callable[[Sequence[Any]], Any]) -> None:
    """Delete, replace, wrap, stringify or negate one value anywhere in the document."""
    slots: list[tuple[Any, Any]] = []
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            slots.append((node, key))
            stack.append(value)
    if not slots:
        return
    node, key = pick(slots)
    action = pick(_ACTIONS)
    value = node[key]
    if action == "delete" and isinstance(node, dict):
        del node[key]
    elif action == "wrap":
        node[key] = [value]
    elif action == "stringify":
        node[key] = json.dumps(value, allow_nan=True)[:50]
    elif action == "negate" and isinstance(value, int | float) and not isinstance(value, bool):
        node[key] = -value * 1e6
    else:
        node[key] = copy.deepcopy(pick(_JUNK_VALUES))


def _mutate(draw: st.DrawFn, doc: dict[str, Any]) -> None:
    _edit(doc, lambda seq: seq[draw(st.integers(0, len(seq) - 1))])


def mutants(doc: dict[str, Any], seed: int, count: int) -> list[dict[str, Any]]:
    """`count` variants of `doc` with 1-3 random edits each: cheap (plain `random`, seeded by hypothesis),
    so one generated document yields several."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        variant = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 3)):
            _edit(variant, rng.choice)
        out.append(variant)
    return out


# --------------------------------------------------------------------------- checks


def _load(doc: dict[str, Any], as_text: bool) -> vfnative.VfnativeError | Any:
    source: Any = json.dumps(doc, allow_nan=True) if as_text else doc
    try:
        return vfnative.load(source, base_dir=CORPUS / "media")
    except VfnativeError as exc:
        return exc


def _run(budget: int, strategy: st.SearchStrategy[Any], check: Callable[..., None]) -> int:
    seen = 0

    @settings(FUZZ, max_examples=budget)
    @given(strategy)
    def run(example: Any) -> None:
        nonlocal seen
        seen += 1
        check(*example) if isinstance(example, tuple) else check(example)

    run()
    return seen


@pytest.mark.timeout(600)  # a guard against a hang (a generated document that never finishes loading)
def test_fuzz_load() -> None:
    outcomes = {"loaded": 0, "refused": 0}

    def check(doc: dict[str, Any], as_text: bool, seed: int) -> None:
        for variant in [doc, *mutants(doc, seed, MUTANTS)]:
            result = _load(variant, as_text)
            outcomes["refused" if isinstance(result, VfnativeError) else "loaded"] += 1
            if isinstance(result, vfnative.DocumentError):
                assert result.issues
                assert all(issue.path and issue.message for issue in result.issues)

    seen = _run(LOAD_EXAMPLES, st.tuples(documents(junk=0.03), st.booleans(), st.integers(0, 2**32)), check)
    assert seen >= LOAD_EXAMPLES
    assert sum(outcomes.values()) >= 2000
    assert outcomes["loaded"] > 100  # the generator reaches valid documents, not only broken ones
    assert outcomes["refused"] > 200


class _SharedFonts:
    """One font registry for every renderer of the fuzz run (scanning the fonts costs ~0.3 s each)."""

    registry: Any = None

    @classmethod
    def factory(cls, *args: Any, **kwargs: Any) -> Any:
        if cls.registry is None:
            cls.registry = _FontRegistry()
        return cls.registry


def test_fuzz_render() -> None:
    outcomes = {"drawn": 0, "refused": 0}

    def check(doc: dict[str, Any], strict: bool, where: float) -> None:
        try:
            with vfnative.Renderer(doc, base_dir=CORPUS / "media", strict=strict) as renderer:
                n = min(renderer.frame_count - 1, math.floor(where * renderer.frame_count))
                pixels = renderer.render_frame(n)
        except VfnativeError:
            outcomes["refused"] += 1
            return
        assert pixels.dtype == np.uint8
        assert pixels.shape == (renderer.document.height, renderer.document.width, 4)
        outcomes["drawn"] += 1

    with mock.patch("vfnative.fonts.registry.FontRegistry", _SharedFonts.factory):
        seen = _run(RENDER_EXAMPLES, st.tuples(documents(junk=0.005), st.booleans(), st.floats(0, 1)), check)
    assert seen >= RENDER_EXAMPLES
    # A guard that the generator still produces renderable documents (about 30 % draw; half of the
    # cases run in strict mode over deliberately broken media), not a tuned expectation.
    assert outcomes["drawn"] >= RENDER_EXAMPLES // 5


def test_fuzz_bytes() -> None:
    texts = st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.builds(
            lambda d: json.dumps(d, allow_nan=True),
            st.recursive(
                JUNK, lambda c: st.lists(c) | st.dictionaries(st.text(max_size=8), c), max_leaves=20
            ),
        ),  # fmt: skip
    )

    def check(text: str | bytes) -> None:
        if isinstance(text, str) and not text.lstrip().startswith(("{", "[")):
            text = text.encode()  # a str that is not JSON-looking would be taken for a file name
        with contextlib.suppress(VfnativeError):
            vfnative.load(text)

    assert _run(200, texts, check) >= 200

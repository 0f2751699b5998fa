"""Write tests/hardening/corpus: malformed and hostile VideoJSON documents, their media, and expected.tsv.

Run from the repository root: ``python tests/hardening/make_corpus.py``. The files are committed; this
script documents how the larger ones (10 001 layers, 100 001 characters, ...) were made.

expected.tsv columns: document, extra CLI arguments (space-separated, '-' for none), exit code, and
fragments the error or warning output must contain (' | '-separated): the field path, the limit, the
warning text. Exit 0 rows must write the MP4; every other row must leave nothing behind.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import Image

HERE = Path(__file__).resolve().parent / "corpus"

ROWS: list[tuple[str, str, int, str]] = []


def doc(**changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"width": 32, "height": 18, "fps": 10, "duration": 0.2, "layers": []}
    out.update(changes)
    return out


def shape(**extra: Any) -> dict[str, Any]:
    layer = {"id": "s", "type": "shape", "settings": {"enabled": True, "sourceDuration": 1},
             "properties": {"fill": "#ff8800", "width": 50, "height": 50}}  # fmt: skip
    layer.update(extra)
    return layer


def media(kind: str, source: str) -> dict[str, Any]:
    return {"id": kind, "type": kind, "settings": {"enabled": True, "sourceDuration": 1, "source": source}}


def text(value: str, **props: Any) -> dict[str, Any]:
    return {"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
            "properties": {"text": value, "fontSize": 10, **props}}  # fmt: skip


def write(name: str, content: Any, exit_code: int, expect: str, args: str = "-") -> None:
    path = HERE / f"{name}.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, separators=(",", ":")) + "\n", encoding="utf-8")
    ROWS.append((path.name, args, exit_code, expect))


def bomb_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    for old in HERE.glob("*.json"):
        old.unlink()
    png = io.BytesIO()
    Image.new("RGBA", (4, 2), (0, 200, 0, 255)).save(png, "PNG")
    (HERE / "media" / "ok.png").write_bytes(png.getvalue())
    (HERE / "media" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nthis is not a PNG at all")
    (HERE / "media" / "bomb.png").write_bytes(bomb_png(60000, 60000))
    (HERE / "media" / "corrupt.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"garbage" * 20)
    ok_uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    # ---- not a document
    write("not-json", '{"width": 32, "height": 18,,}', 3, "DocumentError: <document>: not valid JSON")
    write("empty", "", 3, "not valid JSON: Expecting value at line 1 column 1")
    write("root-array", "[1, 2, 3]", 3, "expected a JSON object at the top level; got array")
    write("not-utf8", b'{"name": "\xff\xfe"}', 3, "not UTF-8 text")
    write(
        "int-5000-digits",
        '{"width": ' + "9" * 5000 + "}",
        3,
        "not valid JSON: Exceeds the limit (4300 digits)",
    )
    write(
        "json-nesting-bomb",
        '{"layers": ' + "[" * 5_000 + "]" * 5_000 + "}",
        3,
        "not valid JSON: nested too deeply",
    )

    # ---- missing, mistyped and out-of-range fields
    write("missing-fields", {"layers": []}, 3,
          "4 problems | width: required field is missing | height: required field is missing | "
          "fps: required field is missing | duration: required field is missing")  # fmt: skip
    write("wrong-types", doc(width="32", fps="10", layers={}), 3,
          'width: expected an integer; got "32" | fps: expected a number; got "10" | layers: expected a list')  # fmt: skip
    write("zero-negative-size", doc(width=0, height=-18), 3,
          "width: expected an integer > 0; got 0 | height: expected an integer > 0; got -18")  # fmt: skip
    write("negative-fps", doc(fps=-30), 3, "fps: expected a number > 0; got -30")
    write("negative-duration", doc(duration=-1), 3, "duration: expected seconds > 0; got -1")
    write("nan-as-string", doc(duration="NaN", fps="Infinity"), 3,
          'duration: expected a number; got "NaN" | fps: expected a number; got "Infinity"')  # fmt: skip
    write("nan-literal", json.dumps(doc()).replace('"fps": 10', '"fps": NaN'), 3,
          "fps: expected a finite number; got NaN")  # fmt: skip
    write("overflow-number", json.dumps(doc()).replace('"duration": 0.2', '"duration": 1e400'), 3,
          "duration: expected a finite number")  # fmt: skip
    # What the reference ignores is a warning by default and, with --strict, the error it always was.
    unknown_top = doc(layer=[])
    unknown_type = doc(layers=[{"id": "x", "type": "sprite", "settings": {}}])
    unknown_easing = doc(layers=[shape(animations=[{"property": "opacity", "keyframes": [
        {"time": 0, "value": 0, "easing": "bounce"}, {"time": 1, "value": 1, "easing": "easeinout"}]}])])  # fmt: skip
    write("unknown-top-field", unknown_top, 3, "layer: unknown field (did you mean 'layers'?)", "--strict")
    write("unknown-layer-type", unknown_type, 3,
          "layers[0].type: unknown layer type; expected one of text, captions, image, video, audio, shape, group",
          "--strict")  # fmt: skip
    write("unknown-easing", unknown_easing, 3,
          "layers[0].animations[0].keyframes[0].easing: unknown easing; expected one of linear, easeIn, easeOut, "
          "easeInOut, step; got \"bounce\" | layers[0].animations[0].keyframes[1].easing: unknown easing | "
          "(did you mean 'easeInOut'?)", "--strict")  # fmt: skip
    write("unknown-top-field-lenient", unknown_top, 0,
          "layer: unknown field (did you mean 'layers'?); ignored, as the reference ignores it | Wrote")  # fmt: skip
    write("unknown-layer-type-lenient", unknown_type, 0,
          'layers[0].type: unknown layer type "sprite"; the layer is skipped, as the reference skips it')  # fmt: skip
    write("unknown-easing-lenient", unknown_easing, 0,
          'layers[0].animations[0].keyframes[0].easing: unknown easing "bounce"; rendered as linear | '
          "layers[0].animations[0].keyframes[1].easing: unknown easing \"easeinout\" (did you mean 'easeInOut'?)")  # fmt: skip
    write("invalid-colours", doc(backgroundColor="#ggg", layers=[shape(properties={"fill": "blu"})]), 3,
          "backgroundColor: expected a CSS colour | layers[0].properties.fill: expected a CSS colour | "
          "(did you mean 'blue'?)")  # fmt: skip
    write("malformed-keyframes", doc(layers=[shape(animations=[
        {"property": "opacity", "keyframes": [{"value": 1}, {"time": "0", "value": "full"}]},
        {"property": "rotation", "keyframes": {"time": 0}}])]), 3,
          "layers[0].animations[0].keyframes[0].time: required field is missing | "
          "layers[0].animations[0].keyframes[1].time: expected a number | "
          "layers[0].animations[1].keyframes: expected a list")  # fmt: skip
    write("captions-end-before-start", doc(layers=[{"id": "c", "type": "captions", "settings": {
        "enabled": True, "sourceDuration": 1, "captions": [{"caption": "hi", "startTime": 2, "endTime": 1}]}}]), 3,
          "layers[0].settings.captions[0].endTime: expected endTime >= startTime (2); got 1")  # fmt: skip
    write("children-not-a-list", doc(layers=[{"id": "g", "type": "group", "settings": {}, "children": {"id": "x"}}]),
          3, "layers[0].children: expected a list")  # fmt: skip

    write(
        "huge-numbers",
        doc(layers=[text("Hi", fontSize=1e300, filterBrightness=1e300, letterSpacing="-1e12px")]),
        3,
        "layers[0].properties.fontSize: expected a number within ±1e+07; got 1e+300 | "
        "layers[0].properties.filterBrightness: expected a number within ±1e+07 | "
        'layers[0].properties.letterSpacing: expected a number within ±1e+07; got "-1e12px"',
    )

    # ---- limits
    write(
        "absurd-duration", doc(duration=1e9), 3, "duration: expected seconds <= 14400 (limit max_duration_s)"
    )
    write("huge-frame", doc(width=100000, height=100000), 3,
          "width: expected px <= 16384 (limit max_dimension); got 100000 | height: expected px <= 16384")  # fmt: skip
    write(
        "frame-pixels",
        doc(width=8000, height=8000),
        3,
        "width: expected width × height <= 33177600 px (limit max_frame_pixels)",
    )
    write(
        "too-many-frames",
        doc(duration=3600, fps=1000),
        3,
        "fps: expected at most 1000000 frames, round(duration · fps) (limit max_frames)",
    )
    write("zero-frames", doc(duration=0.01, fps=1), 3, "fps: expected at least one frame")
    minimal = {"id": "a", "type": "shape", "settings": {}}
    write("too-many-layers", doc(layers=[minimal] * 10_001), 3,
          "layers: expected at most 10000 layers, group children included (limit max_layers)")  # fmt: skip
    nested: dict[str, Any] = shape()
    for i in range(40):
        nested = {"id": f"g{i}", "type": "group", "settings": {"enabled": True}, "children": [nested]}
    write(
        "groups-40-deep",
        doc(layers=[nested]),
        3,
        "expected groups nested at most 32 deep (limit max_group_depth); got depth 33",
    )
    write("text-too-long", doc(layers=[text("x" * 100_001)]), 3,
          "layers[0].properties.text: expected at most 100000 characters (limit max_text_chars); got 100001")  # fmt: skip
    write("too-many-keyframes", doc(layers=[shape(animations=[{"property": "opacity", "keyframes": [
        {"time": 0, "value": 1}] * 10_001}])]), 3,
          "layers[0].animations[0].keyframes: expected at most 10000 keyframes (limit max_keyframes); got 10001")  # fmt: skip

    # ---- hostile sources: tolerated with a warning naming the layer and the source, AssetError when strict
    traversal = doc(layers=[media("image", "../../../../../../etc/passwd")])
    write(
        "source-traversal",
        traversal,
        0,
        "layers[0]: image '../../../../../../etc/passwd' skipped | outside the allowed folders",
    )
    write("source-traversal-strict", traversal, 4,
          "AssetError: '../../../../../../etc/passwd': refused: the file is outside the allowed folders", "--strict")  # fmt: skip
    write(
        "source-absolute",
        doc(layers=[media("image", "/etc/shadow")]),
        0,
        "image '/etc/shadow' skipped | outside the allowed folders",
    )
    write("source-file-url", doc(layers=[media("image", "file:///etc/passwd")]), 4,
          "'file:///etc/passwd': refused: the file is outside the allowed folders", "--strict")  # fmt: skip
    write("source-symlink-escape", doc(layers=[media("image", "link-to-passwd.png")]), 4,
          "'link-to-passwd.png': refused: the file is outside the allowed folders", "--strict")  # fmt: skip
    write(
        "source-fifo",
        doc(layers=[media("image", "fifo.png")]),
        0,
        "image 'fifo.png' skipped | is not a regular file",
    )
    write("source-network-off", doc(layers=[media("image", "https://example.com/logo.png")]), 0,
          "'https://example.com/logo.png': refused: network sources are off; allow them with --allow-network")  # fmt: skip
    write("ssrf-metadata", doc(layers=[media("image", "http://169.254.169.254/latest/meta-data/")]), 4,
          "refused: 169.254.169.254 is a link-local address", "--allow-network --strict")  # fmt: skip
    write("ssrf-loopback", doc(layers=[media("image", "http://127.0.0.1:9/x.png")]), 0,
          "refused: 127.0.0.1 is a loopback address", "--allow-network")  # fmt: skip
    write("ssrf-private-decimal", doc(layers=[media("image", "http://167772161/x.png")]), 0,
          "'167772161' (10.0.0.1) is a private address", "--allow-network")  # fmt: skip
    write("ssrf-gopher", doc(layers=[media("image", "gopher://127.0.0.1:6379/_FLUSHALL")]), 0,
          "unsupported URL scheme 'gopher'", "--allow-network")  # fmt: skip
    write(
        "data-uri-malformed",
        doc(layers=[media("image", "data:image/png;base64,!!!!")]),
        0,
        "malformed base64 in the data: URI",
    )
    write("data-uri-ok", doc(layers=[media("image", ok_uri), shape()]), 0, "Wrote")
    write(
        "missing-image",
        doc(layers=[media("image", "media/nope.png")]),
        0,
        "image 'media/nope.png' skipped | file not found",
    )
    write(
        "missing-image-strict",
        doc(layers=[media("image", "media/nope.png")]),
        4,
        "AssetError: 'media/nope.png': file not found",
        "--strict",
    )
    write(
        "corrupt-image",
        doc(layers=[media("image", "media/corrupt.png")]),
        0,
        "image 'media/corrupt.png' skipped: cannot decode image",
    )
    write(
        "corrupt-image-strict",
        doc(layers=[media("image", "media/corrupt.png")]),
        4,
        "MediaDecodeError: cannot decode image",
        "--strict",
    )
    write("image-bomb-header", doc(layers=[media("image", "media/bomb.png")]), 0,
          "'media/bomb.png' is 60000×60000 = 3600000000 px; the limit is 67108864 (Limits.max_media_pixels)")  # fmt: skip
    write(
        "corrupt-video",
        doc(layers=[media("video", "media/corrupt.mp4")]),
        0,
        "layers[0]: video layer disabled: cannot use source 'media/corrupt.mp4'",
    )
    write(
        "corrupt-video-strict",
        doc(layers=[media("video", "media/corrupt.mp4")]),
        4,
        "MediaDecodeError: cannot open video: [Errno 1094995529] Invalid data found when processing input",
        "--strict",
    )

    # ---- tolerated like the reference, with a warning naming the thing
    write("unknown-transition", doc(layers=[shape(transitionIn={"transition": "wobbleIn", "duration": 0.1})]), 0,
          "layers[0].transitionIn: unknown transition 'wobbleIn' is skipped")  # fmt: skip
    write("unknown-font", doc(layers=[text("Hi", fontFamily="Comic Sans Nowhere")]), 0,
          "font family 'Comic Sans Nowhere' is not installed; using Noto Sans")  # fmt: skip
    write(
        "unknown-effect",
        doc(layers=[shape(effects=[{"effect": "noSuchEffect"}])]),
        0,
        "layers[0]: effect 'noSuchEffect' is not a registered effect; skipped",
    )
    write(
        "tracking-on-shape",  # a valid document that crashed the timeline (letterSpacing on a shape)
        doc(layers=[shape(transitionIn={"transition": "trackingExpand", "duration": 0.2})]),
        0,
        "Wrote",
    )
    write(
        "enormous-text",
        doc(layers=[text(("lorem ipsum dolor sit amet " * 4000)[:99_999], fontSize=1)]),
        0,
        "Wrote",
    )

    lines = ["# document\targs\texit\texpected fragments (' | '-separated)"]
    lines += [f"{name}\t{args}\t{code}\t{expect}" for name, args, code, expect in ROWS]
    (HERE / "expected.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(ROWS)} documents")


if __name__ == "__main__":
    main()

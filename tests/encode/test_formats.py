"""Output formats: the output's name is checked before any work; each format decodes as promised."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import av
import numpy as np
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
    assert "error: output: " in err
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


# ---------------------------------------------------------------------------------------------- formats

ROOT = Path(__file__).resolve().parents[2]
TONE = ROOT / "fixtures" / "goldens" / "media" / "tone.wav"
SHAPES = ROOT / "fixtures" / "goldens" / "shapes.json"
FPS, FRAMES = 30, 12
FAST = dict(speed="superfast", threads=2, queue_frames=2)


def moving_document(tmp_path: Path, *, sound: bool = True) -> Path:
    """128x72, 12 frames: flat background, a moving ellipse and a bar; a tone when `sound`."""
    duration = FRAMES / FPS
    shape = {"enabled": True, "startTime": 0, "sourceDuration": duration}
    layers: list[dict[str, Any]] = [
        {
            "id": "dot",
            "type": "shape",
            "settings": {**shape, "shapeType": "ellipse"},
            "properties": {"width": 30, "height": 30, "fill": "#ffcc00"},
            "animations": [
                {
                    "property": "position",
                    "keyframes": [{"time": 0, "value": [0.2, 0.5]}, {"time": duration, "value": [0.8, 0.5]}],
                }
            ],
        },
        {
            "id": "bar",
            "type": "shape",
            "settings": {**shape, "shapeType": "rectangle"},
            "properties": {"width": 100, "height": 10, "fill": "#3080ff", "position": [0.5, 0.85]},
        },
    ]
    if sound:
        (tmp_path / "tone.wav").write_bytes(TONE.read_bytes())
        layers.append(
            {"id": "tone", "type": "audio", "settings": {**shape, "source": "tone.wav"}, "properties": {}}
        )
    doc = {
        "width": 128,
        "height": 72,
        "fps": FPS,
        "duration": duration,
        "backgroundColor": "#204060",
        "layers": layers,
    }
    path = tmp_path / "moving.json"
    path.write_text(json.dumps(doc))
    return path


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def reference_frames(doc: Path, **encode: Any) -> list[np.ndarray]:
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(**encode))
    with vfnative.Renderer(doc, settings=settings) as r:
        return [px for _n, px in r.iter_frames()]


def through(frames: list[np.ndarray], pix_fmt: str | None, *, bt601: bool = False) -> list[np.ndarray]:
    """`frames` (RGB) converted to `pix_fmt` and back, as a lossless codec in that pixel format would
    return them: the reference for lossy codecs (PSNR then measures the codec, not 4:2:0 chroma)."""
    if pix_fmt is None or pix_fmt in ("rgb24", "rgba"):
        return [f[..., :3] for f in frames]
    from av.video.reformatter import ColorRange, Colorspace

    matrix = Colorspace.ITU601 if bt601 else Colorspace.ITU709
    rng = ColorRange.JPEG if pix_fmt == "yuvj420p" else ColorRange.MPEG
    out = []
    for f in frames:
        yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(f[..., :3]), format="rgb24").reformat(
            format=pix_fmt, dst_colorspace=matrix, dst_color_range=rng
        )
        out.append(yuv.reformat(format="rgb24", src_colorspace=matrix, src_color_range=rng).to_ndarray())
    return out


def decode_video(path: Path) -> tuple[Any, list[np.ndarray], float | None, Any]:
    """(video stream info, RGBA frames, duration in s, audio codec context or None)."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        info = {"codec": stream.codec_context.name, "pix_fmt": stream.codec_context.pix_fmt,
                "tag": stream.codec_tag, "colorspace": int(stream.codec_context.colorspace)}  # fmt: skip
        frames = [f.to_ndarray(format="rgba") for f in c.decode(stream)]
        duration = c.duration / 1e6 if c.duration else None
        audio = None
        if c.streams.audio:
            a = c.streams.audio[0].codec_context
            audio = {"codec": a.name, "rate": a.sample_rate, "channels": a.channels}
    return info, frames, duration, audio


VIDEO_CASES = [
    # name, encode settings, decoded codec names, pix fmt, audio codec
    ("h264.mp4", {"crf": 10}, {"h264"}, "yuv420p", "aac"),
    ("h265.mp4", {"codec": "h265", "crf": 10}, {"hevc"}, "yuv420p", "aac"),
    ("h265-10.mp4", {"codec": "h265", "crf": 4, "pix_fmt": "yuv420p10le"}, {"hevc"}, "yuv420p10le", "aac"),
    ("av1.mp4", {"codec": "av1", "crf": 10}, {"av1", "libdav1d"}, "yuv420p", "aac"),
    (
        "av1-10.mp4",
        {"codec": "av1", "crf": 10, "pix_fmt": "yuv420p10le"},
        {"av1", "libdav1d"},
        "yuv420p10le",
        "aac",
    ),
    ("vp9.webm", {}, {"vp9", "libvpx-vp9"}, "yuv420p", "opus"),
    ("prores.mov", {}, {"prores"}, "yuv422p10le", "aac"),
    ("gif.gif", {}, {"gif"}, None, None),
]


@pytest.mark.parametrize(
    ("name", "encode", "codecs", "pix_fmt", "audio"), VIDEO_CASES, ids=[c[0] for c in VIDEO_CASES]
)
def test_each_video_format_decodes_to_the_lossless_frames(
    tmp_path: Path,
    name: str,
    encode: dict[str, Any],
    codecs: set[str],
    pix_fmt: str | None,
    audio: str | None,
) -> None:
    doc = moving_document(tmp_path)
    out = tmp_path / name
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(**FAST, **encode))
    report = vfnative.render(doc, out, settings=settings, jobs=1)
    assert report.frames == FRAMES
    info, frames, duration, track = decode_video(out)
    assert info["codec"] in codecs
    if pix_fmt is not None:
        assert info["pix_fmt"] == pix_fmt
        assert info["colorspace"] == 1  # BT.709, tagged
    if name.endswith("h265.mp4"):
        assert info["tag"] == "hvc1"
    assert len(frames) == FRAMES
    assert duration is not None
    assert abs(duration - FRAMES / FPS) <= 1.5 / FPS
    if audio is None:
        assert track is None
    else:
        assert track == {"codec": {"opus": "libopus"}.get(audio, audio), "rate": 48000, "channels": 2} or (
            track is not None and track["codec"] == audio and track["channels"] == 2
        )
    rendered = reference_frames(doc)
    reference = through(rendered, pix_fmt)
    worst = min(psnr(got[..., :3], want) for got, want in zip(frames, reference, strict=True))
    assert worst >= 40.0, f"{name}: PSNR {worst:.1f} dB"
    # and no colour shift: against the rendered RGB itself, only 4:2:0 edges differ
    assert min(psnr(got[..., :3], want[..., :3]) for got, want in zip(frames, rendered, strict=True)) >= 27.0


def test_animated_webp_decodes_to_the_rendered_frames(tmp_path: Path) -> None:
    """PSNR >= 40 dB in each of Y, U and V against the render converted to yuv420p (BT.601, limited
    range: what the encoder is fed), the comparison the other lossy formats get minus the return to
    RGB. FFmpeg does not demux animated WebP, so `_webp_canvas_yuv` unpacks the ANMF frames and decodes
    each one's VP8 bitstream with PyAV. RGB is not compared at 40 dB because the way back from 4:2:0
    belongs to the decoder: libwebp upsamples chroma its own way ("fancy"), swscale another, and at the
    sharp yellow/blue edges of this document the two differ by up to 75 levels (about 34 dB) with no
    encoder involved; Pillow (libwebp) stays the cross-check of the whole file at a lower bound."""
    from av.video.reformatter import ColorRange, Colorspace
    from PIL import Image

    doc = moving_document(tmp_path, sound=False)
    out = tmp_path / "anim.webp"
    vfnative.render(doc, out, settings=vfnative.RenderSettings(encode=vfnative.EncodeSettings(**FAST)))
    rendered = reference_frames(doc)
    canvases = _webp_canvas_yuv(out, 128, 72)
    assert len(canvases) == FRAMES
    for n, (got, want) in enumerate(zip(canvases, rendered, strict=True)):
        yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(want[..., :3]), format="rgb24").reformat(
            format="yuv420p", dst_colorspace=Colorspace.ITU601, dst_color_range=ColorRange.MPEG
        )
        for plane, g, w in zip("YUV", got, _yuv_planes(yuv), strict=True):
            assert psnr(g, w) >= 40.0, f"frame {n} {plane}: PSNR {psnr(g, w):.1f} dB"
    with Image.open(out) as image:
        assert image.format == "WEBP"
        assert image.n_frames == FRAMES
        for i, want in enumerate(rendered):
            image.seek(i)
            assert psnr(np.asarray(image.convert("RGB")), want[..., :3]) >= 30.0
    assert abs(sum(_webp_durations_ms(out)) / 1000 - FRAMES / FPS) <= 1.5 / FPS


def _yuv_planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """The Y, U, V planes of a yuv420p `frame` (any width, odd included), without the line padding."""
    h, w = frame.height, frame.width
    sizes = [(h, w), ((h + 1) // 2, (w + 1) // 2), ((h + 1) // 2, (w + 1) // 2)]
    return [
        np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[:ph, :pw]
        for p, (ph, pw) in zip(frame.planes, sizes, strict=True)
    ]


def _webp_canvas_yuv(path: Path, width: int, height: int) -> list[list[np.ndarray]]:
    """The canvas (Y, U, V planes) after each frame of an animated WebP. Each ANMF chunk holds one
    frame's rectangle (x, y at even offsets: 24-bit LE / 2, then width - 1, height - 1, duration,
    flags) and its VP8 key frame, decoded by FFmpeg's vp8 decoder; without an ALPH chunk the rectangle
    is opaque and replaces the canvas under it (no dispose flag expected)."""
    data = path.read_bytes()
    chroma = ((height + 1) // 2, (width + 1) // 2)
    planes = [np.zeros((height, width), np.uint8), np.zeros(chroma, np.uint8), np.zeros(chroma, np.uint8)]
    offset, canvases = 12, []
    while offset + 8 <= len(data):
        kind, size = data[offset : offset + 4], int.from_bytes(data[offset + 4 : offset + 8], "little")
        if kind == b"ANMF":
            body = data[offset + 8 : offset + 8 + size]
            x, y = (2 * int.from_bytes(body[i : i + 3], "little") for i in (0, 3))
            assert body[15] & 1 == 0, "dispose-to-background frames are not composed here"
            assert body[16:20] == b"VP8 ", f"expected an opaque VP8 frame, got a {body[16:20]!r} chunk"
            vp8 = body[24 : 24 + int.from_bytes(body[20:24], "little")]
            (frame,) = av.CodecContext.create("vp8", "r").decode(av.Packet(vp8))
            at = [(x, y), (x // 2, y // 2), (x // 2, y // 2)]
            for canvas, part, (px, py) in zip(planes, _yuv_planes(frame), at, strict=True):
                canvas[py : py + part.shape[0], px : px + part.shape[1]] = part[
                    : canvas.shape[0] - py, : canvas.shape[1] - px
                ]
            canvases.append([c.copy() for c in planes])
        offset += 8 + size + (size & 1)
    return canvases


def _webp_durations_ms(path: Path) -> list[int]:
    """Frame durations from the ANMF chunks of an animated WebP (RIFF; duration: 24-bit LE at 12)."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"
    offset, durations = 12, []
    while offset + 8 <= len(data):
        kind, size = data[offset : offset + 4], int.from_bytes(data[offset + 4 : offset + 8], "little")
        if kind == b"ANMF":
            durations.append(int.from_bytes(data[offset + 20 : offset + 23], "little"))
        offset += 8 + size + (size & 1)
    return durations


@pytest.mark.parametrize(
    ("pattern", "pix_fmt"),
    [("png/%05d.png", None), ("jpg/%03d.jpg", "yuvj420p"), ("webp/f%d.webp", "yuv420p")],
)
def test_image_sequences_write_one_file_per_frame(tmp_path: Path, pattern: str, pix_fmt: str | None) -> None:

    doc = moving_document(tmp_path, sound=False)
    out = tmp_path / pattern
    vfnative.render(doc, out, settings=vfnative.RenderSettings(encode=vfnative.EncodeSettings(**FAST)))
    reference = through(reference_frames(doc), pix_fmt, bt601=True)
    files = sorted(out.parent.iterdir())
    assert [f.name for f in files] == sorted(Path(pattern).name % n for n in range(FRAMES))
    for n, want in enumerate(reference):
        with av.open(str(out.parent / (Path(pattern).name % n))) as c:
            (got,) = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        if pix_fmt is None:  # PNG: exact
            np.testing.assert_array_equal(got, want)
        else:
            assert psnr(got, want) >= 40.0


AUDIO_CASES = [
    ("s.wav", "pcm_s16le"),
    ("s.m4a", "aac"),
    ("s.mp3", "mp3"),
    ("s.opus", "opus"),
    ("s.flac", "flac"),
]


@pytest.mark.parametrize(("name", "codec"), AUDIO_CASES, ids=[c[0] for c in AUDIO_CASES])
def test_audio_only_outputs_carry_the_mix(tmp_path: Path, name: str, codec: str) -> None:
    doc = moving_document(tmp_path)
    out = tmp_path / name
    vfnative.render(doc, out)
    with vfnative.Renderer(doc) as r:
        mix = r.render_audio()
    assert mix is not None
    with av.open(str(out)) as c:
        assert not c.streams.video
        cc = c.streams.audio[0].codec_context
        assert cc.name in (codec, "lib" + codec, codec + "float")
        assert (cc.sample_rate, cc.channels) == (48000, 2)
        decoded = np.concatenate([f.to_ndarray().reshape(-1, 2) if f.format.is_packed else f.to_ndarray().T
                                  for f in c.decode(audio=0)])  # fmt: skip
    decoded = decoded.astype(np.float64) / (32768.0 if decoded.dtype == np.int16 else 1.0)
    assert abs(len(decoded) / 48000 - FRAMES / FPS) <= 0.03  # encoder padding at most a frame
    # the tone is there: energy within 1 dB of the mix's
    energy = (
        float(np.mean(decoded[: len(mix) // 2] ** 2)),
        float(np.mean(mix[: len(mix) // 2].astype(np.float64) ** 2)),
    )
    assert abs(10 * np.log10(energy[0] / energy[1])) < 1.0


# ---------------------------------------------------------------------------------------------- alpha


def _alpha_planes(path: Path, decoder: str | None = None) -> list[np.ndarray]:
    """Decoded alpha planes (8-bit). VP9's alpha is a side stream only libvpx's decoder reads."""
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        if decoder is None:
            return [f.to_ndarray(format="rgba")[..., 3] for f in c.decode(stream)]
        codec = av.CodecContext.create(decoder, "r")
        planes = []
        for packet in c.demux(stream):
            for f in codec.decode(packet):
                assert f.format.name == "yuva420p"
                planes.append(f.to_ndarray(format="rgba")[..., 3])
        return planes


@pytest.mark.parametrize(
    ("name", "pix_fmt", "decoder"),
    [("alpha.mov", "yuva444p", None), ("alpha.webm", "yuva420p", "libvpx-vp9")],
)
def test_transparent_outputs_carry_the_png_frames_alpha(
    tmp_path: Path, name: str, pix_fmt: str, decoder: str | None
) -> None:
    """The shapes golden with its background removed: the alpha plane of ProRes 4444 and VP9-alpha
    equals what `vfnative frames --transparent` writes into its PNGs (mean <= 2, max <= 8 levels)."""
    from PIL import Image

    out = tmp_path / name
    common = ("--transparent", "--scale", "0.125", "-q")
    code, err = cli("render", str(SHAPES), "-o", str(out), "--speed", "superfast", *common)
    assert code == 0, err
    code, err = cli("frames", str(SHAPES), "--frames", "all", "-o", str(tmp_path / "png"), *common)
    assert code == 0, err
    pngs = [np.asarray(Image.open(p)) for p in sorted((tmp_path / "png").glob("frame_*.png"))]
    assert len(pngs) == 60
    assert pngs[0][..., 3].min() == 0  # the background is gone
    assert 0 < pngs[30][..., 3].mean() < 255
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        if decoder is None:
            assert stream.codec_context.pix_fmt.startswith(pix_fmt)  # ProRes 4444 decodes as 12-bit
        else:  # WebM signals the alpha side stream; libvpx decodes it as yuva420p (_alpha_planes)
            assert stream.metadata.get("alpha_mode") == "1"
    planes = _alpha_planes(out, decoder)
    assert len(planes) == len(pngs)
    diffs = [np.abs(a.astype(np.int16) - p[..., 3]) for a, p in zip(planes, pngs, strict=True)]
    assert max(float(d.mean()) for d in diffs) <= 2.0
    assert max(int(d.max()) for d in diffs) <= 8


def test_transparent_is_refused_where_the_format_has_no_alpha(tmp_path: Path) -> None:
    doc = moving_document(tmp_path, sound=False)
    for name in ("x.mp4", "x.gif", "x.wav", "f/%03d.jpg"):
        code, err = cli("render", str(doc), "-o", str(tmp_path / name), "--transparent")
        assert code == 2, (name, err)
        assert "cannot carry alpha" in err or "audio only" in err
        assert ".mov (ProRes 4444)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moving.json"]
    with pytest.raises(ValueError, match="h264 cannot carry alpha"):
        vfnative.render(
            doc,
            tmp_path / "x.mp4",
            settings=vfnative.RenderSettings(encode=vfnative.EncodeSettings(alpha=True)),
        )


def test_transparent_png_sequence_equals_the_frames_command(tmp_path: Path) -> None:
    from PIL import Image

    common = ("--transparent", "--scale", "0.125", "-q")
    assert cli("render", str(SHAPES), "-o", str(tmp_path / "seq" / "%05d.png"), *common)[0] == 0
    assert cli("frames", str(SHAPES), "--frames", "0,30,59", "-o", str(tmp_path / "png"), *common)[0] == 0
    for n in (0, 30, 59):
        want = np.asarray(Image.open(tmp_path / "png" / f"frame_{n:05d}.png"))
        got = np.asarray(Image.open(tmp_path / "seq" / f"{n:05d}.png"))
        assert got.shape == want.shape == (90, 160, 4)
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------------------------- quality


@pytest.mark.parametrize(
    ("codec", "ext"), [("h264", "mp4"), ("h265", "mp4"), ("av1", "mp4"), ("vp9", "webm")]
)
def test_keyframe_interval_forces_keyframes_in_every_inter_codec(
    tmp_path: Path, codec: str, ext: str
) -> None:
    doc = moving_document(tmp_path, sound=False)
    out = tmp_path / f"k.{ext}"
    code, err = cli("render", str(doc), "-o", str(out), "--codec", codec, "--keyframe-interval", "0.1", "-q")
    assert code == 0, err
    with av.open(str(out)) as c:
        packets = [p for p in c.demux(video=0) if p.size]
    assert [i for i, p in enumerate(packets) if p.is_keyframe] == [0, 3, 6, 9]


def test_crf_and_bitrate_control_the_size(tmp_path: Path) -> None:
    doc = moving_document(tmp_path, sound=False)
    sizes = {}
    for name, flags in {
        "crf10.mp4": ("--crf", "5"), "crf40.mp4": ("--crf", "45"),
        "hi.webm": ("--bitrate", "2M"), "lo.webm": ("--bitrate", "10k"),
    }.items():  # fmt: skip
        code, err = cli("render", str(doc), "-o", str(tmp_path / name), "-q", *flags)
        assert code == 0, err
        with av.open(str(tmp_path / name)) as c:
            sizes[name] = sum(p.size for p in c.demux(video=0))
    assert sizes["crf10.mp4"] > 1.25 * sizes["crf40.mp4"]
    assert sizes["hi.webm"] > 1.25 * sizes["lo.webm"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--pix-fmt", "yuv420p10le"), "pix_fmt: mp4/h264 accepts yuv420p"),
        (("--codec", "vp9"), "codec: mp4 output carries h264, h265, av1"),
        (("--crf", "99"), "crf: expected 0..63"),
        (("--bitrate", "fast"), "expected bits/s"),
    ],
)
def test_quality_flags_are_checked_before_any_work(
    tmp_path: Path, argv: tuple[str, ...], message: str
) -> None:
    doc = moving_document(tmp_path, sound=False)
    code, err = cli("render", str(doc), "-o", str(tmp_path / "x.mp4"), *argv)
    assert code == 2
    assert message in " ".join(err.split())
    assert not (tmp_path / "x.mp4").exists()


def test_gif_is_web_sized_and_optionally_dithered(tmp_path: Path) -> None:
    doc = moving_document(tmp_path, sound=False)
    plain, dithered = tmp_path / "plain.gif", tmp_path / "dither.gif"
    assert cli("render", str(doc), "-o", str(plain), "--gif-width", "64", "-q")[0] == 0
    assert (
        cli("render", str(doc), "-o", str(dithered), "--gif-width", "64", "--dither", "bayer", "-q")[0] == 0
    )
    with av.open(str(plain)) as c:
        stream = c.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (64, 36)
        assert len(list(c.decode(stream))) == FRAMES
    assert plain.read_bytes() != dithered.read_bytes()


def test_jobs_are_refused_for_outputs_that_cannot_be_chunked(tmp_path: Path) -> None:
    doc = moving_document(tmp_path, sound=False)
    code, err = cli("render", str(doc), "-o", str(tmp_path / "x.gif"), "--jobs", "2")
    assert code == 2
    assert "palette" in err
    assert not (tmp_path / "x.gif").exists()


# ---------------------------------------------------------------------------------------------- streams


@pytest.mark.parametrize(
    ("codec", "name"), [("h264", "a.mp4"), ("prores", "a.mov"), ("gif", "a.gif"), ("mp3", "a.mp3")]
)
def test_bytesio_render_equals_the_file_render(tmp_path: Path, codec: str, name: str) -> None:
    """Where the output is deterministic (WebM is not: Matroska writes random segment UIDs)."""
    doc = moving_document(tmp_path)
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(codec=codec, threads=1))  # type: ignore[arg-type]
    buffer = io.BytesIO()
    report = vfnative.render(doc, buffer, settings=settings)
    assert report.output == Path("-")
    vfnative.render(doc, tmp_path / name, settings=settings)
    assert len(buffer.getvalue()) > 100
    assert buffer.getvalue() == (tmp_path / name).read_bytes()


_PROBE = """
import sys, av
with av.open(sys.stdin.buffer, format=sys.argv[1]) as c:
    v = c.streams.video[0]
    frames = sum(1 for _ in c.decode(v))
    print(c.format.name, v.codec_context.name, v.codec_context.pix_fmt, frames,
          c.streams.audio[0].codec_context.name if c.streams.audio else None)
"""


@pytest.mark.parametrize(
    ("argv", "demuxer", "expected"),
    [
        ((), "mp4", ("h264", "aac")),
        (("--codec", "vp9"), "webm", ("vp9", "opus")),
        (("--codec", "h265"), "mp4", ("hevc", "aac")),
    ],
)
def test_stdout_render_streams_through_a_pipe(
    tmp_path: Path, argv: tuple[str, ...], demuxer: str, expected: tuple[str, str]
) -> None:
    """``-o -`` piped into a prober that reads stdin (PyAV, as ``ffprobe -`` would: no seeking)."""
    import subprocess
    import sys

    doc = moving_document(tmp_path)
    env = {**os.environ, "SVT_LOG": "1"}
    render = subprocess.Popen(
        [sys.executable, "-m", "vfnative.cli.main", "render", str(doc), "-o", "-", "-q", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert render.stdout is not None
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, demuxer],
        stdin=render.stdout,
        capture_output=True,
        text=True,
        timeout=120,
    )
    render.stdout.close()
    assert render.wait(timeout=60) == 0, render.stderr.read() if render.stderr else ""
    if render.stderr is not None:
        render.stderr.close()
    assert probe.returncode == 0, probe.stderr
    fmt, codec, pix_fmt, frames, audio = probe.stdout.split()
    assert demuxer in fmt
    assert (codec, audio) == expected
    assert pix_fmt == "yuv420p"
    assert int(frames) == FRAMES


@pytest.mark.parametrize(
    ("argv", "sound", "container", "codec", "audio"),
    [
        ((), True, "mp4", "h264", "aac"),
        ((), False, "mp4", "h264", None),
        (("--codec", "vp9"), True, "webm", "vp9", "opus"),
    ],
    ids=["fmp4-h264-aac", "fmp4-h264-silent", "webm-vp9-opus"],
)
def test_stdout_render_piped_into_ffprobe_reports_the_stream(
    tmp_path: Path, argv: tuple[str, ...], sound: bool, container: str, codec: str, audio: str | None
) -> None:
    """``vfnative render DOC -o - | ffprobe -``: FFmpeg's own prober, reading a pipe (no seeking), sees
    the container, the video stream (codec, size, pixel format, every frame) and the audio track."""
    import shutil
    import subprocess
    import sys

    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe is not installed (Debian's ffmpeg package; .ci/run installs it)")
    doc = moving_document(tmp_path, sound=sound)
    with open(tmp_path / "render.log", "wb") as log:
        render = subprocess.Popen(
            [sys.executable, "-m", "vfnative.cli.main", "render", str(doc), "-o", "-", "-q", *argv],
            stdout=subprocess.PIPE, stderr=log, env={**os.environ, "SVT_LOG": "1"},
        )  # fmt: skip
        assert render.stdout is not None
        probe = subprocess.run(
            [ffprobe, "-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", "-"],
            stdin=render.stdout,
            capture_output=True,
            text=True,
            timeout=120,
        )
        render.stdout.close()
        assert render.wait(timeout=60) == 0, (tmp_path / "render.log").read_text()
    assert probe.returncode == 0, probe.stderr
    info = json.loads(probe.stdout)
    assert container in info["format"]["format_name"].split(",")
    kinds = {s["codec_type"]: s for s in info["streams"]}
    assert sorted(s["codec_type"] for s in info["streams"]) == sorted(
        ["video"] + ["audio"] * (audio is not None)
    )
    video = kinds["video"]
    assert (video["codec_name"], video["width"], video["height"]) == (codec, 128, 72)
    assert video["pix_fmt"] == "yuv420p"
    assert int(video["nb_read_frames"]) == FRAMES
    if audio is not None:
        assert (kinds["audio"]["codec_name"], kinds["audio"]["channels"]) == (audio, 2)


def test_a_pipe_refuses_formats_that_need_to_seek(tmp_path: Path) -> None:
    import os as _os

    doc = moving_document(tmp_path, sound=False)
    read, write = _os.pipe()
    try:
        with _os.fdopen(write, "wb") as pipe, pytest.raises(ValueError, match="cannot be written to a pipe"):
            vfnative.render(
                doc, pipe, settings=vfnative.RenderSettings(encode=vfnative.EncodeSettings(codec="prores"))
            )
    finally:
        _os.close(read)


def test_iter_frames_yields_every_frame_as_straight_rgba(tmp_path: Path) -> None:
    doc = moving_document(tmp_path, sound=False)
    with vfnative.Renderer(doc) as r:
        frames = list(r.iter_frames())
        assert [n for n, _ in frames] == list(range(FRAMES))
        for n, px in frames[::5]:
            assert px.shape == (72, 128, 4)
            assert px.dtype == np.uint8
            np.testing.assert_array_equal(px, r.render_frame(n))


# ---------------------------------------------------------------------------------------------- chunks


@pytest.mark.parametrize(
    ("name", "encode", "codec", "audio"),
    [
        ("h265.mp4", {"codec": "h265", "crf": 10}, "hevc", "aac"),
        ("av1.mp4", {"codec": "av1", "crf": 10}, "av1", "aac"),
        ("vp9.webm", {}, "vp9", "opus"),
        ("prores4444.mov", {"alpha": True}, "prores", "aac"),
    ],
)
def test_chunked_renders_stitch_every_stitchable_codec(
    tmp_path: Path, name: str, encode: dict[str, Any], codec: str, audio: str
) -> None:
    """--jobs: pieces of each codec rendered in two processes, joined without re-encoding."""
    from vfnative.api.parallel import render_parallel

    doc = moving_document(tmp_path)
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(threads=1, **encode))
    out = tmp_path / name
    with vfnative.Renderer(doc, settings=settings) as renderer:
        report = render_parallel(renderer, out, jobs=2, min_chunk_frames=4, probe_frames=3, split=True)
        rendered = [px for _n, px in renderer.iter_frames()]
    assert report.frames == FRAMES
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.codec.name in (codec, "libdav1d")
        if codec == "hevc":
            assert stream.codec_tag == "hvc1"
        keys = [p.is_keyframe for p in c.demux(stream) if p.size]
        track = c.streams.audio[0].codec_context.name if c.streams.audio else None
    assert len(keys) == FRAMES
    assert keys[0]
    assert sum(keys) >= 2  # each piece starts with a keyframe
    assert track in (audio, "lib" + audio)
    if encode.get("alpha"):
        planes = _alpha_planes(out)
        assert (
            max(
                int(np.abs(a.astype(np.int16) - r[..., 3]).max())
                for a, r in zip(planes, rendered, strict=True)
            )
            <= 2
        )
    info, frames, duration, _ = decode_video(out)
    assert len(frames) == FRAMES
    assert duration is not None
    assert abs(duration - FRAMES / FPS) <= 1.5 / FPS
    if not encode.get("alpha"):
        reference = through(rendered, info["pix_fmt"] if "10" not in info["pix_fmt"] else None)
        assert min(psnr(f[..., :3], r) for f, r in zip(frames, reference, strict=True)) >= 35.0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["moving.json", "tone.wav", name])


@pytest.mark.parametrize(
    ("name", "encode", "message"),
    [
        ("x.mov", {"crf": 20}, "crf: mov/prores has no quality factor"),
        ("x.gif", {"bitrate": 1_000_000}, "bitrate: gif/gif has no target bitrate"),
        ("x.mp3", {"crf": 3}, "crf: mp3/mp3"),
        ("x.webm", {"lossless": True}, "lossless: x264's lossless mode is for h264"),
    ],
)
def test_rate_controls_are_never_silently_ignored(name: str, encode: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_output(name, vfnative.EncodeSettings(**encode))

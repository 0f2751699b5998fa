"""Frozen render and encode settings, named presets, and the encoder's derived numbers.

Settings are passed explicitly (there is no module-level mutable config). Precedence, lowest first:
library defaults, the document's own fields (size, fps), a named preset, explicit keyword arguments.

Encode defaults follow spec 04 §2.2-2.3 (the reference browser export): H.264 High profile, target bitrate
``ceil_to_1000(3e6 · (w·h / 1920·1080)^0.95 · quality_factor)`` with quality ``high`` (factor 2), a keyframe
forced every 5 s, no B-frames, 8-bit 4:2:0. One deliberate difference: the stream is tagged BT.709
(primaries, transfer, matrix; limited range) and RGB is converted with the BT.709 matrix, as HD video should be.

Imports only the standard library. Invalid values raise `ValueError` (a usage error, not a document problem).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, get_args

__all__ = [
    "PRESETS",
    "PRESET_ALIASES",
    "Codec",
    "EncodeSettings",
    "GifDither",
    "Limits",
    "PresetName",
    "QualityPreset",
    "RenderSettings",
    "X264Preset",
    "avc_level",
    "cpu_limit",
    "target_bitrate",
]

QualityPreset = Literal["very_low", "low", "medium", "high", "very_high"]
"""Bitrate quality names of the reference encoder (spec 04 §2.2); ``high`` is what it uses."""

X264Preset = Literal[
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"
]  # fmt: skip
"""libx264 speed presets: faster presets trade compression efficiency for speed at the same bitrate."""

Codec = Literal[
    "h264", "h265", "av1", "vp9", "prores", "gif", "webp", "png", "jpeg",
    "aac", "mp3", "opus", "flac", "pcm",
]  # fmt: skip
"""Codecs `EncodeSettings.codec` names (README "Output formats" lists the container of each)."""

GifDither = Literal["none", "bayer", "floyd_steinberg", "sierra2_4a"]
"""GIF dithering (FFmpeg ``paletteuse``): none keeps flat colours flat and the file small."""

PresetName = Literal["draft", "standard", "high"]
"""Quality presets of `RenderSettings.preset` (``preview`` and ``final`` are accepted as their old names)."""

PRESET_ALIASES: dict[str, str] = {"preview": "standard", "final": "high"}
"""Earlier preset names, still accepted by `RenderSettings.preset`."""

_QUALITY_FACTOR: dict[str, float] = {
    "very_low": 0.3,
    "low": 0.6,
    "medium": 1.0,
    "high": 2.0,
    "very_high": 4.0,
}

# (max macroblocks per frame, max bitrate in bps, level) — the AVC table the reference muxer walks
# (spec 04 §2.2); the first row that fits both the frame size and the bitrate wins.
_AVC_LEVELS: tuple[tuple[int, int, str], ...] = (
    (99, 64_000, "1"),
    (396, 192_000, "1.1"),
    (396, 384_000, "1.2"),
    (396, 768_000, "1.3"),
    (396, 2_000_000, "2"),
    (792, 4_000_000, "2.1"),
    (1_620, 4_000_000, "2.2"),
    (1_620, 10_000_000, "3"),
    (3_600, 14_000_000, "3.1"),
    (5_120, 20_000_000, "3.2"),
    (8_192, 20_000_000, "4"),
    (8_192, 50_000_000, "4.1"),
    (8_704, 50_000_000, "4.2"),
    (22_080, 135_000_000, "5"),
    (36_864, 240_000_000, "5.1"),
    (36_864, 240_000_000, "5.2"),
    (139_264, 240_000_000, "6"),
    (139_264, 480_000_000, "6.1"),
    (139_264, 800_000_000, "6.2"),
)


def target_bitrate(width: int, height: int, quality: QualityPreset = "high") -> int:
    """The reference encoder's H.264 target bitrate in bits per second (spec 04 §2.2).

    1920×1080 at ``high`` gives 6 000 000; 1280×720 gives 2 778 000.
    """
    pixels_ratio = (width * height) / 2_073_600
    bps = 3_000_000 * pixels_ratio**0.95 * 1.0 * _QUALITY_FACTOR[quality]
    return int(math.ceil(round(bps, 6) / 1000.0) * 1000)


def avc_level(width: int, height: int, bitrate: int) -> str:
    """The AVC level the reference muxer signals, e.g. ``"4"`` for 1080p at 6 Mb/s."""
    macroblocks = math.ceil(width / 16) * math.ceil(height / 16)
    for max_mbs, max_bps, level in _AVC_LEVELS:
        if macroblocks <= max_mbs and bitrate <= max_bps:
            return level
    return _AVC_LEVELS[-1][2]


def cpu_limit() -> int:
    """CPUs this process may really use: the cgroup quota if one is set, else the affinity mask.

    x264 and swscale size their thread pools from the host's CPU count, which oversubscribes a container
    (spec 05 §4); callers cap their thread counts with this instead.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return max(1, cpus)


def _cgroup_quota() -> float | None:
    """CPU quota in CPUs from cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``; None when unlimited."""
    try:
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
        return None
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota / period if quota > 0 and period > 0 else None


@dataclass(frozen=True)
class EncodeSettings:
    """How frames become a file: by default H.264 (libx264) in MP4, yuv420p, BT.709 tags; `codec`,
    `alpha`, `crf` and `pix_fmt` choose the other formats (README "Output formats").

    Usage::

        EncodeSettings()                               # reference defaults: quality high, keyframe every 5 s
        EncodeSettings(quality="medium", speed="veryfast")
        EncodeSettings(bitrate=8_000_000, threads=2)
        EncodeSettings(codec="h265", pix_fmt="yuv420p10le", crf=24)
        EncodeSettings(codec="prores", alpha=True)      # ProRes 4444 with alpha, for .mov
    """

    quality: QualityPreset = "high"
    """Bitrate quality name; ignored when `bitrate` is given."""
    bitrate: int | None = None
    """Target bitrate in bits/s; None derives it from the frame size and `quality` (`target_bitrate`)."""
    speed: X264Preset = "veryfast"
    """libx264 speed preset. The reference sets none; ``veryfast`` keeps the encoder well ahead of raster.
    ``ultrafast`` turns off CABAC and 8x8 transforms, so its stream is Constrained Baseline, not High."""
    profile: str = "High"
    """H.264 profile (the reference signals High, ``avc1.64…``)."""
    keyframe_interval_s: float = 5.0
    """A keyframe is forced whenever ``floor(t / interval)`` changes, t = frame / fps (spec 04 §2.3)."""
    b_frames: int = 0
    """The reference output has no B-frames."""
    lookahead: int | None = 5
    """libx264 rate-control lookahead in frames (``rc-lookahead``); None keeps the speed preset's
    (10 for ``veryfast``, 40 for ``medium``). Each frame of it holds a picture and its analysis
    inside x264: 5 instead of 10 saves ~35 MB at 1080p for −0.14 dB (Ken Burns bench: PSNR-Y 42.21
    instead of 42.35 dB, same worst frame, same bitrate and speed)."""
    threads: int | None = None
    """Encoder and colour-conversion threads; None = the cgroup CPU limit (`cpu_limit`)."""
    queue_frames: int = 4
    """Frames (already 4:2:0) buffered between raster and the encoder thread; each costs W·H·1.5 bytes
    (3.1 MB at 1080p). Four absorb the jitter between cheap (reused) and costly frames; more only
    hold memory."""
    faststart: bool = True
    """Move the MP4 index (moov) before the media data so players can start before the download ends."""
    handler_name: str = "VideoFlow.dev"
    """Track handler name, as the reference writes it."""
    lossless: bool = False
    """x264 lossless (qp 0, High 4:4:4 Predictive profile, still 4:2:0): decoded frames equal the
    converted input exactly. `quality`/`bitrate` are then ignored. For parity checks and references."""
    codec: Codec | None = None
    """Video (or audio) codec; None = the default of the output's extension (``.mp4`` → h264,
    ``.webm`` → vp9, ``.mov`` → prores, ...; README "Output formats"). For a file object or ``-``
    output, the codec also picks the container (h264/h265/av1 → MP4, vp9 → WebM, prores → MOV)."""
    alpha: bool = False
    """Transparent output: the document's background colour is dropped, straight alpha is kept through
    compositing and encoded (ProRes 4444, VP9 ``yuva420p``, animated WebP, PNG/WebP sequences).
    Other formats refuse it (a usage error), they never flatten silently."""
    crf: int | None = None
    """Constant-quality factor (lower is better; h264/h265 0-51, vp9/av1 0-63). Replaces the target
    bitrate for h264; None = each codec's default (h264: the reference bitrate)."""
    pix_fmt: str | None = None
    """Encoder pixel format; None = the codec's default (yuv420p; ProRes 422 HQ: yuv422p10le).
    ``yuv420p10le`` gives 10-bit H.265 and AV1."""
    dither: GifDither = "none"
    """GIF only: how colours outside the render's palette are dithered."""
    gif_max_width: int = 640
    """GIF only: wider renders are scaled down to this width (aspect kept), a web-sized file."""

    def __post_init__(self) -> None:
        if self.quality not in _QUALITY_FACTOR:
            raise ValueError(f"quality: expected one of {sorted(_QUALITY_FACTOR)}; got {self.quality!r}")
        if self.speed not in get_args(X264Preset):
            raise ValueError(f"speed: expected an x264 preset name; got {self.speed!r}")
        if self.bitrate is not None and self.bitrate <= 0:
            raise ValueError(f"bitrate: expected bits/s > 0; got {self.bitrate!r}")
        if self.keyframe_interval_s <= 0:
            raise ValueError(f"keyframe_interval_s: expected seconds > 0; got {self.keyframe_interval_s!r}")
        if self.queue_frames < 1:
            raise ValueError(f"queue_frames: expected >= 1; got {self.queue_frames!r}")
        if self.lookahead is not None and not 0 <= self.lookahead <= 250:
            raise ValueError(f"lookahead: expected 0..250 frames; got {self.lookahead!r}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads: expected >= 1; got {self.threads!r}")
        if self.codec is not None and self.codec not in get_args(Codec):
            raise ValueError(f"codec: expected one of {', '.join(get_args(Codec))}; got {self.codec!r}")
        if self.crf is not None and not 0 <= self.crf <= 63:
            raise ValueError(f"crf: expected 0..63; got {self.crf!r}")
        if self.dither not in get_args(GifDither):
            raise ValueError(f"dither: expected one of {', '.join(get_args(GifDither))}; got {self.dither!r}")
        if self.gif_max_width < 2:
            raise ValueError(f"gif_max_width: expected px >= 2; got {self.gif_max_width!r}")

    def bitrate_for(self, width: int, height: int) -> int:
        """The bitrate this stream targets at `width`×`height`, in bits/s."""
        return self.bitrate if self.bitrate is not None else target_bitrate(width, height, self.quality)

    def thread_count(self) -> int:
        """Encoder thread count: `threads`, or the cgroup CPU limit."""
        return self.threads if self.threads is not None else cpu_limit()


@dataclass(frozen=True)
class Limits:
    """Caps on what one document may ask for; exceeding one is a `DocumentError` naming the cap.

    Checked before any heavy work (the document's structure before validation, sizes and frame counts
    before the timeline is built), so a hostile document costs milliseconds, not memory or hours.
    Defaults fit every real project (8K, 4 hours, 10 000 layers); raise them explicitly for more.

    Usage::

        Limits()                                        # safe defaults
        Limits(max_duration_s=8 * 3600, max_frames=2_000_000)
        RenderSettings(limits=Limits(max_frame_pixels=3840 * 2160))
        vfnative.load("doc.json", limits=Limits(max_layers=100))
    """

    max_document_bytes: int = 64 * 2**20
    """Size of the JSON text (64 MiB)."""
    max_dimension: int = 16_384
    """Output width or height in px (libx264 and Skia surfaces stop far beyond use before this)."""
    max_frame_pixels: int = 7680 * 4320
    """Output width × height in px (8K UHD); one RGBA frame is 4 bytes per px, several are in flight."""
    max_duration_s: float = 4 * 3600.0
    """Document duration in seconds."""
    max_frames: int = 1_000_000
    """Frames a render writes, round(duration · fps)."""
    max_layers: int = 10_000
    """Layers in the document, group children included."""
    max_group_depth: int = 32
    """Groups nested inside groups (a top-level group's children are at depth 1). At most 100: deeper
    trees would exhaust Python's recursion in validation and drawing."""
    max_text_chars: int = 100_000
    """Characters in any one string of the document (texts, captions, names); media `source`s are
    bounded by the source policy's byte cap instead."""
    max_keyframes: int = 10_000
    """Keyframes in one animation (one property)."""
    max_captions: int = 100_000
    """Entries in one captions layer."""
    max_media_pixels: int = 64 * 2**20
    """Decoded width × height of one image or video frame (64 Mpx: 256 MiB as RGBA). Checked from the
    file's header before decoding; a larger source is refused like an undecodable one."""

    def __post_init__(self) -> None:
        for name in (
            "max_document_bytes", "max_dimension", "max_frame_pixels", "max_frames", "max_layers",
            "max_group_depth", "max_text_chars", "max_keyframes", "max_captions", "max_media_pixels",
        ):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected an integer >= 1; got {value!r}")
        if self.max_group_depth > 100:
            raise ValueError(f"max_group_depth: expected <= 100; got {self.max_group_depth!r}")
        duration: object = self.max_duration_s  # checked at runtime: callers may pass anything
        if not (isinstance(duration, int | float) and 0 < duration < math.inf):
            raise ValueError(f"max_duration_s: expected seconds > 0; got {self.max_duration_s!r}")

    @property
    def max_json_depth(self) -> int:
        """JSON nesting allowed: enough for `max_group_depth` groups plus values inside a layer."""
        return 2 * self.max_group_depth + 40

    def replace(self, **changes: object) -> Limits:
        """A copy with `changes` applied (limits are frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RenderSettings:
    """Everything a render needs besides the document. Sizes and fps default to the document's.

    Usage::

        RenderSettings()                                 # document size and fps, reference encoding
        RenderSettings.preset("draft")                   # half size, fast encode
        RenderSettings.preset("high", width=3840, height=2160)
        settings.replace(encode=EncodeSettings(quality="medium"))
    """

    width: int | None = None
    """Output width in px; None = the document's width (after `scale`)."""
    height: int | None = None
    """Output height in px; None = the document's height (after `scale`)."""
    scale: float = 1.0
    """Factor applied to the document size when `width`/`height` are not given. Layout is relative, so
    the picture keeps its composition."""
    fps: float | None = None
    """Output frame rate; None = the document's fps."""
    batch_frames: int = 64
    """Frames the timeline evaluates per batch (one PropBlock)."""
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    limits: Limits = field(default_factory=Limits)
    """Caps on document size, duration, layers, text and media, checked before rendering starts."""

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None and value < 2:
                raise ValueError(f"{name}: expected px >= 2; got {value!r}")
        if self.scale <= 0:
            raise ValueError(f"scale: expected a factor > 0; got {self.scale!r}")
        if self.fps is not None and self.fps <= 0:
            raise ValueError(f"fps: expected frames/s > 0; got {self.fps!r}")
        if self.batch_frames < 1:
            raise ValueError(f"batch_frames: expected >= 1; got {self.batch_frames!r}")

    @classmethod
    def preset(cls, name: PresetName, **overrides: object) -> RenderSettings:
        """A named preset, with keyword `overrides` applied on top (explicit arguments win)."""
        try:
            base = PRESETS[PRESET_ALIASES.get(name, name)]
        except KeyError:
            raise ValueError(f"preset: expected one of {sorted(PRESETS)}; got {name!r}") from None
        return replace(base, **overrides) if overrides else base  # type: ignore[arg-type]

    def replace(self, **changes: object) -> RenderSettings:
        """A copy with `changes` applied (settings are frozen)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def output_size(self, doc_width: int, doc_height: int) -> tuple[int, int]:
        """The rendered frame size for a document of `doc_width`×`doc_height`."""
        width = self.width if self.width is not None else max(2, round(doc_width * self.scale))
        height = self.height if self.height is not None else max(2, round(doc_height * self.scale))
        return int(width), int(height)


PRESETS: dict[str, RenderSettings] = {
    "draft": RenderSettings(scale=0.5, encode=EncodeSettings(quality="medium", speed="superfast")),
    "standard": RenderSettings(),
    "high": RenderSettings(encode=EncodeSettings(quality="very_high", speed="medium", lookahead=None)),
}
"""Quality presets, as x264 settings (bitrates at 1920×1080, 30 fps):

* ``draft``: half size, ``superfast``, quality ``medium`` (3 Mb/s at full size; 0.8 Mb/s at 960×540).
* ``standard``: the defaults — the reference bitrate (quality ``high``, 6 Mb/s) at ``veryfast``.
* ``high``: quality ``very_high`` (12 Mb/s) at ``medium``: fewer artefacts in grain, gradients and
  fast motion, for masters; encodes several times slower than ``standard``.
"""

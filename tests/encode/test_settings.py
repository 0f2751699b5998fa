"""Encode settings: the reference bitrate formula and AVC level table, presets and precedence."""

from __future__ import annotations

import pytest

from vfnative.settings import PRESETS, EncodeSettings, RenderSettings, avc_level, cpu_limit, target_bitrate


@pytest.mark.parametrize(
    ("width", "height", "bitrate", "level"),
    [
        (640, 360, 745_000, "2.2"),
        (854, 480, 1_287_000, "2.2"),
        (1280, 720, 2_778_000, "3.1"),
        (1080, 1080, 3_474_000, "3.2"),
        (1920, 1080, 6_000_000, "4"),
        (1080, 1920, 6_000_000, "4"),
        (2560, 1440, 10_365_000, "5"),
        (3840, 2160, 22_393_000, "5.1"),
    ],
)
def test_reference_bitrate_and_level_table(width: int, height: int, bitrate: int, level: str) -> None:
    assert target_bitrate(width, height) == bitrate
    assert avc_level(width, height, bitrate) == level


def test_quality_scales_the_bitrate() -> None:
    assert target_bitrate(1920, 1080, "medium") == 3_000_000
    assert target_bitrate(1920, 1080, "very_high") == 12_000_000
    assert EncodeSettings(bitrate=1_234_000).bitrate_for(1920, 1080) == 1_234_000


def test_encode_defaults_follow_the_reference() -> None:
    s = EncodeSettings()
    assert (s.quality, s.profile, s.keyframe_interval_s, s.b_frames) == ("high", "High", 5.0, 0)
    assert s.faststart
    assert s.thread_count() == cpu_limit() >= 1


def test_presets_and_explicit_overrides() -> None:
    assert set(PRESETS) == {"draft", "standard", "high"}
    draft = RenderSettings.preset("draft")
    assert draft.output_size(1920, 1080) == (960, 540)
    assert RenderSettings.preset("draft", width=640, height=360).output_size(1920, 1080) == (640, 360)
    assert RenderSettings.preset("standard") == RenderSettings()  # the default is a preset
    assert RenderSettings.preset("high").encode.speed == "medium"
    assert RenderSettings.preset("high").encode.quality == "very_high"
    assert RenderSettings.preset("final") == RenderSettings.preset("high")  # earlier names still work
    assert RenderSettings.preset("preview") == RenderSettings.preset("standard")
    assert RenderSettings().output_size(1280, 720) == (1280, 720)
    with pytest.raises(ValueError, match="preset"):
        RenderSettings.preset("ultra")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        lambda: EncodeSettings(quality="best"),  # type: ignore[arg-type]
        lambda: EncodeSettings(speed="warp"),  # type: ignore[arg-type]
        lambda: EncodeSettings(bitrate=0),
        lambda: EncodeSettings(threads=0),
        lambda: RenderSettings(scale=0),
        lambda: RenderSettings(width=1),
        lambda: RenderSettings(batch_frames=0),
    ],
)
def test_invalid_settings_raise_value_error(bad: object) -> None:
    with pytest.raises(ValueError, match="expected"):
        bad()  # type: ignore[operator]


def test_settings_are_frozen() -> None:
    s = RenderSettings()
    with pytest.raises(AttributeError):
        s.scale = 2  # type: ignore[misc]
    assert s.replace(scale=2).scale == 2

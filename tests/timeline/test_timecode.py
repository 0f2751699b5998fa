from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vfnative.timeline.timecode import LayerClock, frame_count, frame_to_seconds, js_round, seconds_to_frame


def test_js_round_halves_go_up() -> None:
    assert [js_round(x) for x in (2.5, -2.5, 0.5, -0.5, 1.4999)] == [3, -2, 1, 0, 1]


def test_frame_count_uses_js_rounding() -> None:
    assert frame_count(3.1, 30) == 93
    assert frame_count(2.5 / 30, 30) == 3  # 2.5 frames rounds up, not to even


@given(st.integers(0, 10**6), st.sampled_from([24, 25, 30, 60, 23.976, 29.97, 12.5]))
def test_frame_seconds_round_trip(frame: int, fps: float) -> None:
    assert seconds_to_frame(frame_to_seconds(frame, fps), fps) == frame


def test_window_rounds_the_sum() -> None:
    # start 0.51 s + 1.0 s at 10 fps: start round(5.1)=5, end round(15.1)=15.
    clock = LayerClock(start_time=0.51, source_duration=1.0, source_start=0.0, speed=1.0, fps=10)
    assert (clock.start_frame, clock.end_frame) == (5, 15)
    assert clock.active(5)
    assert clock.active(14)
    assert not clock.active(15)


def test_speed_zero_is_never_active() -> None:
    clock = LayerClock(start_time=0, source_duration=2, source_start=0.5, speed=0, fps=30)
    assert clock.duration == 0
    assert not any(clock.active(f) for f in range(100))


def test_reverse_speed_worked_example() -> None:
    # spec 01 §3.6: startTime 1, sourceStart 1, sourceDuration 4, speed -2 at 30 fps.
    clock = LayerClock(start_time=1, source_duration=4, source_start=1, speed=-2, fps=30)
    assert (clock.start_frame, clock.end_frame) == (30, 90)
    assert clock.source_time(30) == 5.0
    assert clock.source_time(60) == 3.0

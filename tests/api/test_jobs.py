"""--jobs: frame ranges rendered in worker processes and stitched equal a single-process render."""

from __future__ import annotations

import io
import json
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import threading
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import vfnative
from vfnative.api.parallel import effective_jobs, plan_chunks, render_chunk, render_parallel
from vfnative.cli.main import run
from vfnative.encode.mux import video_metadata
from vfnative.encode.stitch import stitch
from vfnative.settings import EncodeSettings

ROOT = Path(__file__).resolve().parents[2]
LOSSLESS = vfnative.RenderSettings(encode=EncodeSettings(lossless=True, threads=1))


def _document(duration: float = 2.0) -> dict[str, Any]:
    """Small but varied: a moving shape, text with a transition, a static card with a box shadow."""

    def layer(
        ident: str, kind: str, props: dict[str, Any], start: float = 0.0, **extra: Any
    ) -> dict[str, Any]:
        settings = {"enabled": True, "startTime": start, "sourceDuration": duration - start}
        settings.update(extra.pop("settings", {}))
        return {
            "id": ident,
            "type": kind,
            "settings": settings,
            "properties": props,
            "animations": [],
            **extra,
        }

    return {
        "name": "jobs", "width": 160, "height": 90, "fps": 30, "duration": duration,
        "backgroundColor": "#101828",
        "layers": [
            layer("card", "shape", {"width": 60, "height": 40, "fill": "#1e293b", "cornerRadius": 3,
                                    "boxShadow": True, "boxShadowBlur": 1, "position": [0.3, 0.5]},
                  settings={"shapeType": "rectangle"}),
            layer("dot", "shape", {"width": 12, "height": 12, "fill": "#f59e0b", "position": [0.1, 0.5]},
                  settings={"shapeType": "ellipse"},
                  animations=[{"property": "position", "keyframes": [
                      {"time": 0, "value": [0.1, 0.5], "easing": "easeInOut"},
                      {"time": duration, "value": [0.9, 0.5], "easing": "step"}]}]),
            layer("title", "text", {"text": "Jobs 1234", "fontSize": 8, "position": [0.6, 0.3]}, start=0.3,
                  transitionIn={"transition": "slideUp", "duration": 0.5}),
        ],
    }  # fmt: skip


def _decoded(path: Path) -> list[tuple[int, np.ndarray]]:
    with av.open(str(path)) as c:
        return [(int(f.pts), f.to_ndarray()) for f in c.decode(video=0)]


def test_plan_chunks() -> None:
    assert plan_chunks(300, 1) == [range(0, 300)]
    assert plan_chunks(100, 2) == [range(0, 100)]  # too short for two chunks of MIN_CHUNK_FRAMES
    assert plan_chunks(301, 2, min_frames=10) == [range(0, 151), range(151, 301)]
    assert plan_chunks(300, 2, min_frames=10, per_job=3) == [range(i * 50, i * 50 + 50) for i in range(6)]
    assert plan_chunks(10, 4, min_frames=1) == [range(0, 3), range(3, 6), range(6, 8), range(8, 10)]
    assert effective_jobs(60, 8) == 1
    assert effective_jobs(30000, 2) == 2
    with pytest.raises(ValueError, match="jobs"):
        plan_chunks(10, 0)


def test_parallel_render_equals_single_process(tmp_path: Path) -> None:
    doc = _document()
    single = vfnative.render(doc, tmp_path / "single.mp4", settings=LOSSLESS)
    progress: list[tuple[str, int, int]] = []
    with vfnative.Renderer(doc, settings=LOSSLESS) as renderer:
        report = render_parallel(renderer, tmp_path / "jobs.mp4", jobs=2, min_chunk_frames=12, probe_frames=5,
                                 split=True, on_progress=lambda *a: progress.append(a))  # fmt: skip
    assert report.frames == single.frames == 60
    want, got = _decoded(tmp_path / "single.mp4"), _decoded(tmp_path / "jobs.mp4")
    assert [p for p, _ in got] == [p for p, _ in want] == list(range(60))
    bad = [i for i, ((_, a), (_, b)) in enumerate(zip(got, want, strict=True)) if not np.array_equal(a, b)]
    assert not bad, f"frames differ: {bad}"
    meta_single, meta_jobs = video_metadata(tmp_path / "single.mp4"), video_metadata(tmp_path / "jobs.mp4")
    same = ("codec", "width", "height", "pix_fmt", "time_base", "avg_frame_rate", "nb_frames", "color_space",
            "color_range", "handler_name", "boxes")  # fmt: skip
    assert {k: meta_jobs[k] for k in same} == {k: meta_single[k] for k in same}
    renders = [p for p in progress if p[0] == "render"]
    assert renders[-1] == ("render", 60, 60)
    assert [d for _, d, _ in renders] == sorted(d for _, d, _ in renders)
    assert progress[-1] == ("finish", 1, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.mp4", "single.mp4"]  # no work dir left


def test_render_chunk_and_stitch_by_hand(tmp_path: Path) -> None:
    """The primitives a render farm uses: chunks in any order, then one stitch."""
    doc = _document(1.0)
    a = render_chunk(doc, range(14, 30), tmp_path / "b.mp4", settings=LOSSLESS)
    b = render_chunk(doc, range(0, 14), tmp_path / "a.mp4", settings=LOSSLESS)
    assert (a.frames, b.frames) == (range(14, 30), range(0, 14))
    stitch([b.output, a.output], tmp_path / "out.mp4")
    vfnative.render(doc, tmp_path / "single.mp4", settings=LOSSLESS)
    got, want = _decoded(tmp_path / "out.mp4"), _decoded(tmp_path / "single.mp4")
    assert len(got) == len(want) == 30
    assert all(np.array_equal(x, y) for (_, x), (_, y) in zip(got, want, strict=True))
    with pytest.raises(ValueError, match="frames"):
        render_chunk(doc, range(20, 40), tmp_path / "bad.mp4")


@pytest.mark.slow
def test_cancel_stops_workers_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelled once the worker processes exist: when render_parallel returns, every one of them has
    exited and been reaped (no child left, no pid alive), and no file is left."""
    started: list[multiprocessing.process.BaseProcess] = []
    start = multiprocessing.context.SpawnProcess.start

    def spy(self: multiprocessing.process.BaseProcess) -> None:
        start(self)
        started.append(self)

    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", spy)
    token = vfnative.CancelToken()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "render" and started:  # the workers are running: cancel
            token.cancel()

    with vfnative.Renderer(_document(4.0)) as renderer, pytest.raises(vfnative.RenderCancelled):
        render_parallel(renderer, tmp_path / "out.mp4", jobs=3, min_chunk_frames=20, split=True,
                        on_progress=progress, cancel=token)  # fmt: skip
    pids = [p.pid for p in started]
    assert len(pids) == 2, pids  # jobs=3: two worker processes besides this one
    assert multiprocessing.active_children() == []
    for pid in pids:
        assert pid is not None
        with pytest.raises(ProcessLookupError):  # exited and reaped
            os.kill(pid, 0)
    assert list(tmp_path.iterdir()) == []
    assert threading.active_count() < 10


def test_short_renders_stay_in_process(tmp_path: Path) -> None:
    with vfnative.Renderer(_document(1.0)) as renderer:
        report = render_parallel(renderer, tmp_path / "out.mp4", jobs=4)  # 30 frames: one chunk
    assert report.frames == 30
    assert report.timings.encoder_thread > 0  # the in-process path reports its encoder thread


def test_unsplit_render_is_one_piece_stitched(tmp_path: Path) -> None:
    """When the probe finds the encoder sets the pace, everything is rendered here, as one piece."""
    doc = _document()
    vfnative.render(doc, tmp_path / "single.mp4", settings=LOSSLESS)
    with vfnative.Renderer(doc, settings=LOSSLESS) as renderer:
        report = render_parallel(renderer, tmp_path / "jobs.mp4", jobs=2, min_chunk_frames=12, split=False)
    assert report.frames == 60
    got, want = _decoded(tmp_path / "jobs.mp4"), _decoded(tmp_path / "single.mp4")
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, want, strict=True))
    assert (
        video_metadata(tmp_path / "jobs.mp4")["keyframes"]
        == video_metadata(tmp_path / "single.mp4")["keyframes"]
    )


@pytest.mark.slow
def test_cli_jobs(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(_document(6.2)))  # 186 frames: long enough to consider two chunks
    out = tmp_path / "out.mp4"
    stderr = io.StringIO()
    code = run(["render", str(path), "-o", str(out), "--jobs", "2", "--speed", "superfast"], environ={},
               stdin=io.StringIO(""), stdout=io.StringIO(), stderr=stderr)  # fmt: skip
    assert code == 0, stderr.getvalue()
    meta = video_metadata(out)
    assert (meta["nb_frames"], meta["avg_frame_rate"]) == (186, "30/1")
    assert run(["render", str(path), "-o", str(out), "--jobs", "0"], environ={}, stdin=io.StringIO(""),
               stdout=io.StringIO(), stderr=io.StringIO()) == 2  # fmt: skip

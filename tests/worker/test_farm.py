"""End to end: a real redis-server, two real Celery worker processes, chunked renders stitched into one MP4."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

import vfnative
import vfnative.worker
from vfnative.cli.main import run
from vfnative.encode.mux import video_metadata
from vfnative.worker.client import _farm
from vfnative.worker.jobs import task_id

from .conftest import Worker, farm_document, write_tone

pytestmark = pytest.mark.slow

MIN_PSNR_DB = 40.0
"""Chunks are encoded separately (each starts with an IDR frame and its own rate control), so decoded
pixels differ from a single-process encode by encoder noise only; measured 55 dB at 720p."""


def _yuv_frames(path: Path) -> tuple[list[int], list[np.ndarray[Any, Any]]]:
    with av.open(str(path)) as container:
        pts, planes = [], []
        for frame in container.decode(video=0):
            pts.append(int(frame.pts))
            planes.append(frame.to_ndarray())  # yuv420p planes as one (h·3/2, w) uint8 array
    return pts, planes


def _psnr(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    mse = float(np.mean((a.astype(np.int16) - b.astype(np.int16)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _audio(path: Path) -> np.ndarray[Any, Any] | None:
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        return np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)


@pytest.fixture(scope="module")
def long_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 20 s 1280×720 document, with a tone, in a folder both sides share."""
    folder = tmp_path_factory.mktemp("shared")
    write_tone(folder / "tone.wav", 20.0)
    path = folder / "doc.json"
    path.write_text(json.dumps(farm_document(duration=20.0, audio="tone.wav")))
    return path


@pytest.fixture(scope="module")
def single(long_doc: Path) -> tuple[Path, float]:
    """The same document rendered by one process: the reference the stitched file must match."""
    out = long_doc.parent / "single.mp4"
    started = time.perf_counter()
    vfnative.render(long_doc, out)
    return out, time.perf_counter() - started


def test_chunked_render_on_two_workers_matches_a_single_process_render(
    farm_workers: list[Worker], redis_url: str, long_doc: Path, single: tuple[Path, float]
) -> None:
    reference, single_s = single
    out = long_doc.parent / "farm.mp4"
    started = time.perf_counter()
    job = vfnative.worker.submit(long_doc, out, chunks=4, broker=redis_url)
    seen: list[tuple[int, int]] = []
    task_states: list[tuple[str, Any]] = []
    celery_app = _farm(redis_url, None).app

    def watch(state: dict[str, Any]) -> None:
        seen.append((state["frames_done"], state["frames_total"]))
        for name, piece in state["pieces"].items():
            if name.startswith("chunk-") and piece["state"] == "running" and piece["frames_done"] > 0:
                result = celery_app.AsyncResult(task_id(job, name, piece["attempts"]))
                task_states.append((result.state, result.info))

    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url, on_progress=watch)
    farm_s = time.perf_counter() - started
    print(f"\n20 s 720p: single process {single_s:.1f} s, 4 chunks on 2 workers {farm_s:.1f} s")
    print(f"primitives: {final['result']['primitives']}")

    result = final["result"]
    assert result["frames"] == 600
    assert result["chunks"] == 4
    assert result["output"] == str(out)
    # progress was readable while it ran, and only moved forward
    running = [done for done, total in seen if total == 600 and 0 < done < 600]
    assert running, seen
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    # each chunk task also reports its progress as Celery task state (at most twice a second)
    progress = [info for state, info in task_states if state == "PROGRESS"]
    assert progress, task_states
    assert all(0 < info["done"] <= info["total"] == 150 for info in progress)
    # both workers rendered chunks
    owners = {p["owner"].split("@")[0] for n, p in final["pieces"].items() if n.startswith("chunk-")}
    assert owners == {"alpha", "beta"}

    ours, theirs = video_metadata(out), video_metadata(reference)
    for key in ("codec", "profile", "width", "height", "pix_fmt", "time_base", "avg_frame_rate", "nb_frames",
                "packets", "has_b_frames", "color_space", "color_primaries", "color_trc", "color_range",
                "handler_name", "boxes"):  # fmt: skip
        assert ours[key] == theirs[key], key
    assert ours["nb_frames"] == ours["packets"] == 600
    # every chunk starts with an IDR frame; at 150-frame chunks they fall on the 5 s keyframe grid
    assert ours["keyframes"] == theirs["keyframes"] == [0.0, 5.0, 10.0, 15.0]

    pts, frames = _yuv_frames(out)
    ref_pts, ref_frames = _yuv_frames(reference)
    assert pts == ref_pts == list(range(600))  # continuous timestamps, exactly round(20 · 30) frames
    worst = min(_psnr(a, b) for a, b in zip(frames, ref_frames, strict=True))
    shifted = max(_psnr(a, b) for a, b in zip(frames[1:], ref_frames[:-1], strict=True))
    print(f"per-frame PSNR vs single process: worst {worst:.1f} dB (one frame off: at best {shifted:.1f} dB)")
    assert worst >= MIN_PSNR_DB
    assert shifted < MIN_PSNR_DB - 10  # the comparison would catch a dropped or repeated frame

    # the mix is encoded once, with the same framing: the AAC stream decodes to the same samples
    ref_audio = _audio(reference)
    farm_audio = _audio(out)
    assert ref_audio is not None
    assert farm_audio is not None
    assert result["audio"]
    assert ours["audio"] == theirs["audio"]
    assert farm_audio.shape == ref_audio.shape
    assert np.array_equal(farm_audio, ref_audio)
    # the chunks' folder is gone, nothing else was written
    assert sorted(p.name for p in long_doc.parent.iterdir()) == [
        "doc.json",
        "farm.mp4",
        "single.mp4",
        "tone.wav",
    ]


def test_invalid_document_fails_once_with_its_error(
    farm_workers: list[Worker], redis_url: str, tmp_path: Path
) -> None:
    doc = farm_document(duration=2.0, width=320, height=180)
    doc["width"] = -5
    job = vfnative.worker.submit(doc, tmp_path / "bad.mp4", chunks=4, broker=redis_url)
    with pytest.raises(vfnative.worker.JobFailed) as info:
        vfnative.worker.wait(job, timeout=60, poll_s=0.1, broker=redis_url)
    error = info.value.error
    assert error["type"] == "DocumentError"
    assert error["path"] == "width"
    assert set(error) == {"type", "path", "frame", "message"}
    state = vfnative.worker.status(job, broker=redis_url)
    assert state is not None
    assert state["status"] == "failed"
    assert state["error"] == error
    assert state["pieces"]["plan"]["attempts"] == 1  # never retried
    assert list(state["pieces"]) == ["plan"]  # no chunk was ever made
    assert list(tmp_path.iterdir()) == []


def test_missing_media_fails_once_with_its_error(
    farm_workers: list[Worker], redis_url: str, tmp_path: Path
) -> None:
    doc = farm_document(duration=2.0, width=320, height=180)
    doc["layers"].append(
        {
            "id": "logo",
            "type": "image",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": 2, "source": "media/missing.png"},
        }  # fmt: skip
    )
    (tmp_path / "doc.json").write_text(json.dumps(doc))
    job = vfnative.worker.submit(tmp_path / "doc.json", tmp_path / "out.mp4", broker=redis_url)
    with pytest.raises(vfnative.worker.JobFailed) as info:
        vfnative.worker.wait(job, timeout=60, poll_s=0.1, broker=redis_url)
    assert info.value.error["type"] == "MissingAssetError"
    assert info.value.error["path"] == f"layers[{len(doc['layers']) - 1}].settings.source"
    assert "media/missing.png" in info.value.error["message"]
    state = vfnative.worker.status(job, broker=redis_url)
    assert state is not None
    assert list(state["pieces"]) == ["render"]  # a 2 s job: the fast path, which checks media the same way
    assert state["pieces"]["render"]["attempts"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.json"]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), environ={}, stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_submit_wait_and_status(farm_workers: list[Worker], redis_url: str, tmp_path: Path) -> None:
    doc = tmp_path / "small.json"
    doc.write_text(json.dumps(farm_document(duration=2.0, width=320, height=180)))
    out = tmp_path / "small.mp4"
    code, stdout, stderr = _cli(
        "submit", str(doc), "-o", str(out), "--chunks", "3", "--wait", "--broker", redis_url
    )
    assert code == 0, stderr
    job = stdout.strip()
    assert len(job) == 32
    assert "60 frames, 3 chunks" in stderr
    assert video_metadata(out)["nb_frames"] == 60

    code, stdout, _ = _cli("status", job, "--json", "--broker", redis_url)
    assert code == 0
    state = json.loads(stdout)
    assert (state["status"], state["frames_done"], state["frames_total"], state["chunks"]) == (
        "done",
        60,
        60,
        3,
    )
    code, stdout, _ = _cli("status", job, "--broker", redis_url)
    assert code == 0
    assert "status    done" in stdout
    assert "frames    60/60" in stdout

    code, stdout, _ = _cli("submit", str(doc), "-o", str(tmp_path / "x.mp4"), "--broker", redis_url)
    assert code == 0
    assert len(stdout.strip()) == 32
    vfnative.worker.wait(stdout.strip(), timeout=60, broker=redis_url)

    bad = tmp_path / "bad.json"
    bad.write_text('{"width": 10}')
    code, _, stderr = _cli(
        "submit", str(bad), "-o", str(tmp_path / "bad.mp4"), "--wait", "--broker", redis_url
    )
    assert code == 3
    assert stderr.startswith("DocumentError: ")

    assert _cli("status", "0" * 32, "--broker", redis_url)[0] == 2
    assert _cli("submit", str(doc), "-o", str(out), "--chunks", "zero", "--broker", redis_url)[0] == 2


def test_lossless_chunks_decode_to_exactly_the_single_process_frames(
    farm_workers: list[Worker], redis_url: str, tmp_path: Path
) -> None:
    """With x264 lossless the encoder adds no noise, so chunking must not change a single pixel, even with
    chunk boundaries off the keyframe grid (45-frame chunks, keyframes every 5 s)."""
    settings = vfnative.RenderSettings(encode=vfnative.EncodeSettings(lossless=True))
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(farm_document(duration=6.0)))
    reference = tmp_path / "single.mp4"
    vfnative.render(doc, reference, settings=settings)
    out = tmp_path / "farm.mp4"
    job = vfnative.worker.submit(doc, out, chunks=4, settings=settings, broker=redis_url)
    vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)

    pts, frames = _yuv_frames(out)
    ref_pts, ref_frames = _yuv_frames(reference)
    assert pts == ref_pts == list(range(180))
    for i, (a, b) in enumerate(zip(frames, ref_frames, strict=True)):
        assert np.array_equal(a, b), f"frame {i} differs"
    ours, theirs = video_metadata(out), video_metadata(reference)
    assert ours["profile"] == theirs["profile"]
    # the whole render's keyframes, plus an IDR frame at the start of every chunk
    assert ours["keyframes"] == sorted({*theirs["keyframes"], 0.0, 1.5, 3.0, 4.5})

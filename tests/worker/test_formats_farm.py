"""Output formats on the farm: VP9/WebM chunks stitched with an Opus track, GIF as one piece, and
outputs the farm cannot write refused at submit (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

import vfnative
import vfnative.worker
from vfnative.settings import EncodeSettings, RenderSettings

from .conftest import Worker, farm_document, write_tone

pytestmark = pytest.mark.slow


@pytest.fixture
def small_doc(tmp_path: Path) -> Path:
    write_tone(tmp_path / "tone.wav", 4.0)
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(farm_document(duration=4.0, width=160, height=90, audio="tone.wav")))
    return path


def test_vp9_webm_chunks_are_stitched_with_an_opus_track(
    farm_workers: list[Worker], redis_url: str, small_doc: Path
) -> None:
    out = small_doc.parent / "farm.webm"
    settings = RenderSettings(encode=EncodeSettings(keyframe_interval_s=1.0))
    job = vfnative.worker.submit(small_doc, out, chunks=2, settings=settings, broker=redis_url)
    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)
    assert final["result"]["chunks"] == 2
    with av.open(str(out)) as c:
        assert c.format.name.startswith("matroska")
        video = c.streams.video[0]
        assert video.codec_context.name == "vp9"
        assert c.streams.audio[0].codec_context.name in ("opus", "libopus")
        keys = [p.is_keyframe for p in c.demux(video) if p.size]
    assert len(keys) == 120
    assert keys[0]
    assert keys[60]  # the second piece starts with a keyframe
    assert sorted(p.name for p in small_doc.parent.iterdir()) == ["doc.json", "farm.webm", "tone.wav"]


def test_gif_is_rendered_as_one_piece(farm_workers: list[Worker], redis_url: str, small_doc: Path) -> None:
    out = small_doc.parent / "farm.gif"
    job = vfnative.worker.submit(small_doc, out, chunks=2, broker=redis_url)
    final = vfnative.worker.wait(job, timeout=300, poll_s=0.2, broker=redis_url)
    assert final["result"]["chunks"] == 1
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "gif"
        assert sum(1 for _ in c.decode(video=0)) == 120


@pytest.mark.parametrize("name", ["sound.m4a", "frames/%05d.png", "out.avi"])
def test_outputs_the_farm_cannot_write_are_refused_at_submit(small_doc: Path, name: str) -> None:
    with pytest.raises(ValueError, match="output: "):
        vfnative.worker.submit(small_doc, small_doc.parent / name, broker="redis://127.0.0.1:1/0")

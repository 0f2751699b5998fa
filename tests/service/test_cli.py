"""`vfnative serve` as a command: optional extra, install hint, keys, loopback-only without a key."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from vfnative.cli.main import run
from vfnative.service.keys import ApiKey, hash_key, key_from_environ, load_keys

from .conftest import service_env

SERVER_MODULES = ("fastapi", "starlette", "uvicorn", "standardwebhooks", "prometheus_client", "httpx")


def test_import_and_render_do_not_load_the_server_extra(tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"width": 16, "height": 16, "fps": 5, "duration": 0.4, "layers": []}))
    code = (
        "import sys, vfnative\n"
        "from vfnative.cli.main import run\n"
        f"assert run(['render', {str(doc)!r}, '-o', {str(tmp_path / 'o.mp4')!r}, '-q']) == 0\n"
        f"loaded = [m for m in {SERVER_MODULES!r} if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], env=service_env(), check=True, timeout=120)


def test_serve_without_the_extra_prints_the_install_hint() -> None:
    code = (
        "import sys\n"
        "sys.modules['fastapi'] = None\n"
        "from vfnative.cli.main import run\n"
        "sys.exit(run(['serve']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=service_env(), capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert "pip install 'vfnative[server]'" in done.stderr.replace("\n", " ")


def test_keys_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [
        {"name": "a", "sha256": hash_key("k1"), "concurrency": 3, "webhook_secret": "whsec_abc",
         "limits": {"max_duration_s": 10}},
        {"name": "b", "key": "k2"},
    ]}))  # fmt: skip
    a, b = load_keys(path)
    assert a.matches("k1")
    assert not a.matches("k2")
    assert b.matches("k2")
    assert b.sha256 == hash_key("k2")
    assert a.concurrency == 3
    assert a.limits is not None
    assert a.limits.max_duration_s == 10
    assert "k1" not in repr(a)
    assert hash_key("k1") not in repr(a)
    env = key_from_environ({"VFNATIVE_API_KEY": "secret", "VFNATIVE_WEBHOOK_SECRET": "whsec_x"})
    assert isinstance(env, ApiKey)
    assert env.matches("secret")
    assert env.webhook_secret == "whsec_x"
    assert key_from_environ({}) is None
    path.write_text(json.dumps({"keys": [{"name": "a", "sha256": "nothex", "limits": {"max_cats": 1}}]}))
    with pytest.raises(ValueError, match="max_cats"):
        load_keys(path)


def test_serve_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "keys.json"
    bad.write_text("{}")
    err = io.StringIO()
    assert run(["serve", "--keys", str(bad)], stderr=err, stdout=io.StringIO(), environ={}) == 2
    assert "keys" in err.getvalue()
    err = io.StringIO()
    assert (
        run(["serve", "--allow-private-network", "nonsense"], stderr=err, stdout=io.StringIO(), environ={})
        == 2
    )
    assert "CIDR" in err.getvalue()


def test_bad_sha256_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{"name": "a", "sha256": "nothex"}]}))
    with pytest.raises(ValueError, match="sha256"):
        load_keys(path)

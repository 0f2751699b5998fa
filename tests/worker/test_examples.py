"""Every example configuration that runs Redis runs it with AOF (``appendonly yes``, ``appendfsync everysec``).

The farm keeps its queue and every job's state in Redis; without the append-only file a Redis restart
forgets accepted jobs (tests/worker/test_persistence.py shows it). Checked: the README's shell blocks,
and any compose file, Kubernetes manifest, Dockerfile or redis.conf in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_RUNS_REDIS = re.compile(
    r"redis-server|image:\s*['\"]?(docker\.io/)?(library/)?redis[:@'\"\s]", re.IGNORECASE
)
_AOF = re.compile(r"appendonly[\s\"',:=-]+yes", re.IGNORECASE)
_FSYNC = re.compile(r"appendfsync[\s\"',:=-]+everysec", re.IGNORECASE)


def _configs() -> list[Path]:
    patterns = ["compose*.y*ml", "docker-compose*.y*ml", "deploy/**/*.y*ml", "deploy/**/*.conf", "**/redis*.conf",
                "Dockerfile*", "examples/**/*.y*ml"]  # fmt: skip
    found = {p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file() and ".venv" not in p.parts}
    return sorted(found)


def _readme_redis_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", text, flags=re.DOTALL)
    return [
        line for block in blocks for line in block.splitlines() if line.lstrip().startswith("redis-server")
    ]


def test_readme_starts_redis_with_aof() -> None:
    lines = _readme_redis_lines()
    assert lines, "the README shows how to start the farm's Redis"
    for line in lines:
        assert "--appendonly yes" in line, line
        assert "--appendfsync everysec" in line, line


def test_every_example_configuration_that_runs_redis_sets_aof() -> None:
    for path in _configs():
        text = path.read_text(errors="replace")
        if not _RUNS_REDIS.search(text):
            continue
        assert _AOF.search(text), f"{path.relative_to(ROOT)}: runs Redis without appendonly yes"
        assert _FSYNC.search(text), f"{path.relative_to(ROOT)}: runs Redis without appendfsync everysec"

"""The hostile corpus, through the real CLI: each document in its own `vfnative render` subprocess.

tests/hardening/corpus/expected.tsv lists, per document, the extra CLI arguments, the exit code and the
fragments stderr must contain (field paths, limit names, warning texts); make_corpus.py wrote both.
Every run must end without a traceback; a failed run must leave no output, no temp file and nothing
in TMPDIR; a successful one must write the MP4. The runs go in parallel (they are independent
processes) and each test checks one row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
SRC = HERE.parents[1] / "src"


@dataclass(frozen=True)
class Row:
    document: str
    args: tuple[str, ...]
    exit_code: int
    fragments: tuple[str, ...]


def _rows() -> list[Row]:
    rows = []
    for line in (CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        document, args, code, expect = line.split("\t")
        rows.append(
            Row(
                document,
                () if args == "-" else tuple(args.split()),
                int(code),
                tuple(f.strip() for f in expect.split(" | ")),
            )
        )
    return rows


ROWS = _rows()


@dataclass(frozen=True)
class Run:
    returncode: int
    stderr: str
    output: Path
    leftovers: list[str]
    temp: list[str]


def _run(row: Row, workspace: Path, env: dict[str, str]) -> Run:
    out_dir = workspace / "out" / row.document
    tmp = workspace / "tmp" / row.document
    out_dir.mkdir(parents=True)
    tmp.mkdir(parents=True)
    output = out_dir / "out.mp4"
    command = [sys.executable, "-m", "vfnative.cli.main", "render", str(workspace / "corpus" / row.document)]
    command += ["-o", str(output), "--preset", "draft", *row.args]
    proc = subprocess.run(
        command, env={**env, "TMPDIR": str(tmp)}, capture_output=True, text=True, timeout=120, check=False
    )
    leftovers = sorted(p.name for p in out_dir.iterdir() if p != output)
    return Run(proc.returncode, proc.stderr, output, leftovers, sorted(p.name for p in tmp.iterdir()))


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    workspace = tmp_path_factory.mktemp("corpus")
    corpus = workspace / "corpus"
    shutil.copytree(CORPUS, corpus, symlinks=True)
    (corpus / "link-to-passwd.png").symlink_to("/etc/passwd")  # a symlink inside the folder, pointing out
    os.mkfifo(corpus / "fifo.png")  # would block a decoder forever
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["COLUMNS"] = "2000"  # no wrapped log lines
    for name in ("VFNATIVE_THREADS", "VFNATIVE_FONT_DIRS"):
        env.pop(name, None)
    with ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2) + 1)) as pool:
        futures = {row.document: pool.submit(_run, row, workspace, env) for row in ROWS}
        return {name: future.result() for name, future in futures.items()}


def test_corpus_is_large_enough() -> None:
    assert len(ROWS) >= 30
    assert {p.name for p in CORPUS.glob("*.json")} == {row.document for row in ROWS}
    assert {row.exit_code for row in ROWS} == {0, 3, 4}


@pytest.mark.parametrize("row", ROWS, ids=[row.document.removesuffix(".json") for row in ROWS])
def test_corpus_document(corpus_runs: dict[str, Run], row: Row) -> None:
    run = corpus_runs[row.document]
    stderr = " ".join(run.stderr.split())
    assert run.returncode == row.exit_code, run.stderr
    assert "Traceback" not in run.stderr
    assert "This is a bug" not in run.stderr
    for fragment in row.fragments:
        assert " ".join(fragment.split()) in stderr, run.stderr
    assert run.leftovers == []  # no temp file beside the output
    assert run.temp == []  # no fetched or decoded source left in TMPDIR
    assert run.output.exists() == (row.exit_code == 0)
    if row.exit_code:
        assert run.stderr.lstrip().startswith(
            ("DocumentError: ", "AssetError: ", "MissingAssetError: ", "MediaDecodeError: ")
        )

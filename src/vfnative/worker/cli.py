"""`vfnative worker | submit | submit-batch | status`: the render farm's commands, registered by
`vfnative.cli.main`.

Argument definitions import nothing beyond the standard library, so ``vfnative --help`` works without
the ``worker`` extra; running a command without it prints the install hint and exits 1. This module
never imports `vfnative.cli.main` (it is imported by it): `add_commands` is handed what it needs from
there (the shared arguments, and the function that turns parsed flags into `RenderSettings`).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

__all__ = ["INSTALL_HINT", "add_commands"]

INSTALL_HINT = "the render farm needs the worker extra (celery with Redis): pip install 'vfnative[worker]'"

_EXIT_BY_TYPE = (
    ("RenderCancelled", 130),
    ("DocumentError", 3),
    ("AssetError", 4),
    ("RenderError", 5),
    ("EncodeError", 6),
)


def exit_code_for(error: dict[str, Any] | None) -> int:
    """The `vfnative render` exit code of a job error JSON (by the error type's place in the tree)."""
    import vfnative

    kind = getattr(vfnative, str((error or {}).get("type")), None)
    for name, code in _EXIT_BY_TYPE:
        base = getattr(vfnative, name)
        if isinstance(kind, type) and issubclass(kind, base):
            return code
    return 1


def _needs_extra(func: Callable[[Any], int]) -> Callable[[Any], int]:
    def command(ctx: Any) -> int:
        try:
            import celery  # noqa: F401
            import redis  # noqa: F401
        except ImportError:
            ctx.console.print(f"vfnative {ctx.args.command}: {INSTALL_HINT}", markup=False, highlight=False)
            return 1
        try:
            return func(ctx)
        except redis.exceptions.ConnectionError as exc:
            ctx.console.print(f"vfnative {ctx.args.command}: cannot reach the broker: {exc}", markup=False,
                              highlight=False)  # fmt: skip
            return 1

    return command


def _storage_args(parser: argparse.ArgumentParser) -> None:
    """Where outputs and media may live: shared folders, presigned results, media source policy."""
    parser.add_argument(
        "--shared-dir", metavar="DIR",
        help="DIR is mounted at the same path on every worker: allow local outputs inside it on a "
        "farm whose workers run on several machines (VFNATIVE_SHARED_DIR)",
    )  # fmt: skip
    parser.add_argument(
        "--presign", type=int, metavar="SECONDS",
        help="put a presigned GET URL of the output, valid SECONDS, in the job's result (s3:// outputs)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-bucket", action="append", metavar="NAME",
        help="media sources may come from s3://NAME/... (repeatable; none by default)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-network", action="store_true", help="fetch http(s) media sources (public addresses only)"
    )


def _storage_kwargs(args: Any) -> dict[str, Any]:
    """`submit` / `submit_many` keyword arguments from `_storage_args` flags."""
    from vfnative.media.sources import SourcePolicy

    sources = None
    if args.allow_bucket or args.allow_network:
        sources = SourcePolicy(
            allowed_buckets=tuple(args.allow_bucket or ()), allow_network=args.allow_network
        )
    return {"sources": sources, "shared_dir": args.shared_dir, "presign_s": args.presign}


def _broker_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--broker", help="Redis URL of the farm (default: VFNATIVE_BROKER or redis://localhost:6379/0)"
    )


def _queue_arg(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--queue", help=text + " (default: VFNATIVE_QUEUE or render)")


def add_commands(
    sub: Any,
    *,
    common: Callable[[argparse.ArgumentParser], None],
    render_args: Callable[[argparse.ArgumentParser], None],
    settings: Callable[[Any], Any],
) -> None:
    """Add the ``worker``, ``submit``, ``submit-batch`` and ``status`` sub-commands to the CLI's subparsers.

    `settings(ctx)` is the CLI's flags-to-`RenderSettings` function (raises its usage error).
    """
    p = sub.add_parser("worker", help="run a render-farm worker (Celery) until stopped")
    _broker_arg(p)
    _queue_arg(p, "the queue this worker renders; run one worker pool per queue")
    p.add_argument("--concurrency", type=int, help="render processes (default: the cgroup CPU limit)")
    p.add_argument(
        "--max-tasks-per-child", type=int, metavar="N",
        help="replace a render process after N tasks (default 1000, VFNATIVE_MAX_TASKS_PER_CHILD; 0: never)",
    )  # fmt: skip
    p.add_argument(
        "--max-memory-per-child", type=float, metavar="MB",
        help="replace a render process whose memory exceeds MB after a task (default 2048; 0: no ceiling)",
    )  # fmt: skip
    p.add_argument("-n", "--hostname", help="worker name (default: vfnative-<pid>@<host>)")
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--lease-s", type=float, help="seconds without a heartbeat before a piece is lost (default 10)"
    )
    common(p)
    p.set_defaults(func=_needs_extra(cmd_worker), font_dir=None)

    p = sub.add_parser("submit", help="queue a render on the farm; prints the job id")
    p.add_argument("document", help="VideoJSON file (or - for stdin)")
    p.add_argument(
        "-o", "--output", required=True,
        help="s3://BUCKET/KEY (no shared folder needed), or an .mp4 path on storage every worker shares",
    )  # fmt: skip
    p.add_argument("--chunks", default="auto", help="number of chunks, or 'auto' (about 10 s each)")
    p.add_argument("--wait", action="store_true", help="wait for the job and exit with its outcome")
    p.add_argument("--base-dir", help="folder relative media paths resolve against (default: the document's)")
    _queue_arg(p, "the queue the job goes to")
    _storage_args(p)
    _broker_arg(p)
    render_args(p)
    common(p)
    p.set_defaults(func=_needs_extra(cmd_submit), render_settings=settings)

    p = sub.add_parser(
        "submit-batch",
        help="queue one render per document of a folder or JSON Lines file; prints the job ids",
    )
    p.add_argument("source", help="a folder of *.json documents, or a .jsonl file (one document per line)")
    p.add_argument(
        "-o", "--output-prefix", dest="prefix", required=True, metavar="PREFIX",
        help="outputs are PREFIX + name + .mp4 (name: the file's stem, or the line number 00001... of a .jsonl)",
    )  # fmt: skip
    p.add_argument("--chunks", default="auto", help="number of chunks per job, or 'auto' (about 10 s each)")
    p.add_argument("--wait", action="store_true", help="wait for the whole batch and exit with its outcome")
    p.add_argument(
        "--json", action="store_true", help="print the batch as JSON (batch id, job id per output)"
    )
    p.add_argument(
        "--base-dir",
        help="folder relative media paths resolve against (default: each file's, or the .jsonl's)",
    )
    _queue_arg(p, "the queue the jobs go to")
    _storage_args(p)
    _broker_arg(p)
    render_args(p)
    common(p)
    p.set_defaults(func=_needs_extra(cmd_submit_batch), render_settings=settings)

    p = sub.add_parser("status", help="show a farm job's (or batch's) progress, result or error")
    p.add_argument("job", help="job id printed by submit, or batch id printed by submit-batch")
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    _broker_arg(p)
    common(p)
    p.set_defaults(func=_needs_extra(cmd_status), font_dir=None)


# ---------------------------------------------------------------------------------------------- commands


def cmd_worker(ctx: Any) -> int:
    from vfnative.worker.app import app, configure
    from vfnative.worker.config import WorkerConfig

    a = ctx.args
    try:
        config = WorkerConfig.from_environ(
            ctx.environ, broker=a.broker, concurrency=a.concurrency, lease_s=a.lease_s, queue=a.queue
        )
        if a.max_tasks_per_child is not None:
            config = replace(config, max_tasks_per_child=a.max_tasks_per_child or None)
        if a.max_memory_per_child is not None:
            config = replace(config, max_memory_per_child_mb=a.max_memory_per_child or None)
    except ValueError as exc:
        ctx.console.print(f"vfnative worker: error: {exc}", markup=False, highlight=False)
        return 2
    configure(app, config)
    name = a.hostname or f"vfnative-{os.getpid()}@%h"
    argv = [
        "worker",
        f"--concurrency={config.worker_concurrency()}",
        "--prefetch-multiplier=1",
        f"--queues={config.queue}",
        f"--loglevel={'warning' if a.quiet else a.loglevel}",
        f"--hostname={name}",
        "--without-gossip",
        "--without-mingle",
    ]
    try:
        app.worker_main(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


def _render_settings(ctx: Any) -> Any:
    """The job's `RenderSettings` from the flags, by the function `add_commands` was given."""
    return ctx.args.render_settings(ctx)


def cmd_submit(ctx: Any) -> int:
    from vfnative.worker.client import JobFailed, submit, wait
    from vfnative.worker.plan import parse_chunks

    a = ctx.args
    try:
        chunks = parse_chunks(a.chunks)
    except ValueError as exc:
        ctx.console.print(f"vfnative submit: error: {exc}", markup=False, highlight=False)
        return 2
    try:
        job = submit(a.document, a.output, chunks=chunks, settings=_render_settings(ctx), base_dir=a.base_dir,
                     queue=a.queue, broker=a.broker, environ=ctx.environ, **_storage_kwargs(a))  # fmt: skip
    except ValueError as exc:  # a queue name, a local output on a multi-machine farm, a bucket name
        ctx.console.print(f"vfnative submit: error: {exc}", markup=False, highlight=False)
        return 2
    ctx.stdout.write(job + "\n")
    ctx.stdout.flush()
    if not a.wait:
        return 0
    from vfnative.cli.progress import RichProgress

    with RichProgress(
        ctx.console, enabled=ctx.progress_enabled, label=os.path.basename(a.output)
    ) as progress:

        def show(state: dict[str, Any]) -> None:
            if state["frames_total"]:
                progress("render", state["frames_done"], state["frames_total"])

        try:
            final = wait(job, on_progress=show, broker=a.broker, environ=ctx.environ)
        except JobFailed as exc:
            ctx.console.print(
                f"{exc.error.get('type')}: {exc.error.get('message')}", markup=False, highlight=False
            )
            return exit_code_for(exc.error)
    result = final["result"] or {}
    if not a.quiet:
        ctx.console.print(
            f"Wrote {result.get('output')} ({result.get('width')}x{result.get('height')}@{result.get('fps'):g}, "
            f"{result.get('frames')} frames, {result.get('chunks')} chunks"
            f"{', audio' if result.get('audio') else ''}) in {result.get('seconds'):.2f} s",
            highlight=False,
        )
    if result.get("presigned_url"):  # the one line a script wants: on stdout, after the job id
        ctx.stdout.write(str(result["presigned_url"]) + "\n")
    return 0


def cmd_status(ctx: Any) -> int:
    from vfnative.worker.client import batch_status, status

    a = ctx.args
    state = status(a.job, broker=a.broker, environ=ctx.environ)
    if state is None:
        state = batch_status(a.job, broker=a.broker, environ=ctx.environ)
    if state is None:
        ctx.console.print(
            f"vfnative status: unknown job {a.job!r} (never submitted, or expired)", highlight=False
        )
        return 2
    if a.json:
        ctx.stdout.write(json.dumps(state, indent=2) + "\n")
        return 0
    if "counts" in state:  # a batch
        ctx.stdout.write(_batch_lines(state) + "\n")
        return 0
    total, done = state["frames_total"], state["frames_done"]
    counts: dict[str, int] = {}
    for name, piece in state["pieces"].items():
        if name.startswith("chunk-"):
            counts[piece["state"]] = counts.get(piece["state"], 0) + 1
    lines = [
        f"job       {state['job']}",
        f"status    {state['status']}",
        f"frames    {done}/{total}" + (f" ({100 * done / total:.1f}%)" if total else ""),
        f"chunks    {state['chunks']}"
        + (
            " (" + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ")" if counts else ""
        ),  # fmt: skip
        f"output    {state['output']}",
        f"queue     {state.get('queue') or '-'}"
        + (f" (batch {state['batch']})" if state.get("batch") else ""),
    ]
    if state["error"]:
        lines.append(f"error     {state['error'].get('type')}: {state['error'].get('message')}")
    if state["result"]:
        lines.append(f"took      {state['result'].get('seconds')} s")
    ctx.stdout.write("\n".join(lines) + "\n")
    return 0


def _batch_lines(state: dict[str, Any]) -> str:
    total, done = state["frames_total"], state["frames_done"]
    counts = ", ".join(f"{n} {s}" for s, n in state["counts"].items())
    lines = [
        f"batch     {state['batch']}",
        f"status    {state['status']}",
        f"jobs      {state['jobs']} ({counts})",
        f"frames    {done}/{total}" + (f" ({100 * done / total:.1f}%)" if total else ""),
    ]
    if state.get("finished") and state.get("created"):
        lines.append(f"took      {state['finished'] - state['created']:.1f} s")
    for job, error in list(state["errors"].items())[:10]:
        lines.append(f"failed    {job}: {error.get('type')}: {error.get('message')}")
    if len(state["errors"]) > 10:
        lines.append(f"failed    ... and {len(state['errors']) - 10} more")
    return "\n".join(lines)


class BatchSourceError(Exception):
    """A batch source that cannot be read: a missing folder, an empty one, a line that is not JSON."""


def read_batch(source: str | os.PathLike[str], prefix: str) -> list[tuple[Any, str, str | None]]:
    """``(document, output, base dir)`` for each document of a folder (``*.json``, sorted) or a
    ``.jsonl`` file (one JSON document per non-empty line). Outputs are ``PREFIX<name>.mp4``: the
    file's stem, or the line number (``00001``...) of a JSON Lines file."""
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.is_file())
        if not files:
            raise BatchSourceError(f"{path}: no *.json documents in this folder")
        return [(str(p.absolute()), f"{prefix}{p.stem}.mp4", None) for p in files]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BatchSourceError(f"{path}: no such folder or .jsonl file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchSourceError(f"{path}: cannot read: {exc}") from None
    base = str(path.absolute().parent)
    items: list[tuple[Any, str, str | None]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except ValueError as exc:
            raise BatchSourceError(f"{path}:{number}: not a JSON document: {exc}") from None
        if not isinstance(doc, dict):
            raise BatchSourceError(f"{path}:{number}: expected a JSON object (a VideoJSON document)")
        items.append((doc, f"{prefix}{number:05d}.mp4", base))
    if not items:
        raise BatchSourceError(f"{path}: no documents (the file is empty)")
    return items


def cmd_submit_batch(ctx: Any) -> int:
    from vfnative.worker.client import batch_status, submit_many
    from vfnative.worker.plan import parse_chunks

    a = ctx.args
    try:
        chunks = parse_chunks(a.chunks)
        items = read_batch(a.source, a.prefix)
    except (ValueError, BatchSourceError) as exc:
        ctx.console.print(
            f"vfnative submit-batch: error: {exc}", markup=False, highlight=False, soft_wrap=True
        )
        return 2
    settings = _render_settings(ctx)
    docs = [doc for doc, _, _ in items]
    outputs = [out for _, out, _ in items]
    bases = {base for _, _, base in items}
    try:
        batch = submit_many(docs, outputs, chunks=chunks, settings=settings,
                            base_dir=a.base_dir or (bases.pop() if len(bases) == 1 else None),
                            queue=a.queue, broker=a.broker, environ=ctx.environ,
                            **_storage_kwargs(a))  # fmt: skip
    except ValueError as exc:  # a queue name, a local output on a multi-machine farm, a bucket name
        ctx.console.print(
            f"vfnative submit-batch: error: {exc}", markup=False, highlight=False, soft_wrap=True
        )
        return 2
    if a.json:
        jobs = [{"job": job, "output": out if "://" in out else os.path.abspath(out)}
                for job, out in zip(batch, outputs, strict=True)]  # fmt: skip
        ctx.stdout.write(json.dumps({"batch": batch.id, "jobs": jobs}, indent=2) + "\n")
    else:
        ctx.stdout.write("".join(job + "\n" for job in batch))
    ctx.stdout.flush()
    if not a.quiet:
        ctx.console.print(f"batch {batch.id}: {len(batch)} jobs queued", highlight=False)
    if not a.wait:
        return 0
    from vfnative.cli.progress import RichProgress

    with RichProgress(ctx.console, enabled=ctx.progress_enabled, label=f"batch {batch.id[:8]}") as progress:
        while True:
            state = batch_status(batch.id, broker=a.broker, environ=ctx.environ)
            if state is None:  # expired meanwhile
                return 1
            ended = sum(n for s, n in state["counts"].items() if s in ("done", "failed", "expired"))
            progress("render", ended, state["jobs"])
            if state["status"] != "running":
                break
            time.sleep(0.5)
    if not a.quiet:
        ctx.console.print(_batch_lines(state), markup=False, highlight=False)
    if state["errors"]:
        first = next(iter(state["errors"].values()))
        return exit_code_for(first)
    return 0

"""`vfnative worker | submit | status`: the render farm's commands, registered by `vfnative.cli.main`.

Argument definitions import nothing beyond the standard library, so ``vfnative --help`` works without
the ``worker`` extra; running a command without it prints the install hint and exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
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


def _broker_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--broker", help="Redis URL of the farm (default: VFNATIVE_BROKER or redis://localhost:6379/0)"
    )


def add_commands(
    sub: Any,
    *,
    common: Callable[[argparse.ArgumentParser], None],
    render_args: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add the ``worker``, ``submit`` and ``status`` sub-commands to the CLI's subparsers."""
    p = sub.add_parser("worker", help="run a render-farm worker (Celery) until stopped")
    _broker_arg(p)
    p.add_argument("--concurrency", type=int, help="render processes (default: the cgroup CPU limit)")
    p.add_argument("-n", "--hostname", help="worker name (default: vfnative-<pid>@<host>)")
    p.add_argument("--loglevel", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--lease-s", type=float, help="seconds without a heartbeat before a piece is lost (default 10)"
    )
    common(p)
    p.set_defaults(func=_needs_extra(cmd_worker), font_dir=None)

    p = sub.add_parser("submit", help="queue a render on the farm; prints the job id")
    p.add_argument("document", help="VideoJSON file (or - for stdin)")
    p.add_argument("-o", "--output", required=True, help="output .mp4 path on storage every worker shares")
    p.add_argument("--chunks", default="auto", help="number of chunks, or 'auto' (about 10 s each)")
    p.add_argument("--wait", action="store_true", help="wait for the job and exit with its outcome")
    p.add_argument("--base-dir", help="folder relative media paths resolve against (default: the document's)")
    _broker_arg(p)
    render_args(p)
    common(p)
    p.set_defaults(func=_needs_extra(cmd_submit))

    p = sub.add_parser("status", help="show a farm job's progress, result or error")
    p.add_argument("job", help="job id printed by submit")
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
            ctx.environ, broker=a.broker, concurrency=a.concurrency, lease_s=a.lease_s
        )
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
    from vfnative.cli.main import _settings

    return _settings(ctx)


def cmd_submit(ctx: Any) -> int:
    from vfnative.worker.client import JobFailed, submit, wait
    from vfnative.worker.plan import parse_chunks

    a = ctx.args
    try:
        chunks = parse_chunks(a.chunks)
    except ValueError as exc:
        ctx.console.print(f"vfnative submit: error: {exc}", markup=False, highlight=False)
        return 2
    job = submit(a.document, a.output, chunks=chunks, settings=_render_settings(ctx), base_dir=a.base_dir,
                 broker=a.broker, environ=ctx.environ)  # fmt: skip
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
    return 0


def cmd_status(ctx: Any) -> int:
    from vfnative.worker.client import status

    a = ctx.args
    state = status(a.job, broker=a.broker, environ=ctx.environ)
    if state is None:
        ctx.console.print(
            f"vfnative status: unknown job {a.job!r} (never submitted, or expired)", highlight=False
        )
        return 2
    if a.json:
        ctx.stdout.write(json.dumps(state, indent=2) + "\n")
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
    ]
    if state["error"]:
        lines.append(f"error     {state['error'].get('type')}: {state['error'].get('message')}")
    if state["result"]:
        lines.append(f"took      {state['result'].get('seconds')} s")
    ctx.stdout.write("\n".join(lines) + "\n")
    return 0

"""`vfnative serve`: the render service's command, registered by `vfnative.cli.main`.

The argument definitions import only the standard library, so ``vfnative --help`` works without the
``server`` extra; running ``serve`` without it prints the install hint and exits 1.
Environment (read here only, through the CLI's injectable mapping): ``VFNATIVE_API_KEY`` and
``VFNATIVE_WEBHOOK_SECRET`` (one key), ``VFNATIVE_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Callable
from typing import Any

__all__ = ["INSTALL_HINT", "add_command"]

INSTALL_HINT = (
    "the render service needs the server extra (fastapi, uvicorn, standardwebhooks, prometheus-client): "
    "pip install 'vfnative[server]'"
)
LOOPBACK = "127.0.0.1"


def _cidr(text: str) -> str:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a CIDR block such as 10.0.0.0/8; got {text!r}") from None
    return text


def _delays(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds like 20,40,80; got {text!r}") from None
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected seconds >= 0; got {text!r}")
    return values


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}")
    return value


def add_command(sub: Any, *, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``serve`` sub-command to the CLI's subparsers."""
    p = sub.add_parser("serve", help="run the HTTP render service (POST documents, get MP4s back)")
    p.add_argument("--host", default=LOOPBACK, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--broker", help="Redis URL of the render farm; without it jobs render here (embedded)")
    p.add_argument(
        "--workers", type=_positive, default=2, help="local render processes (embedded; default 2)"
    )
    p.add_argument(
        "--data-dir", help="jobs database and outputs (default: VFNATIVE_DATA_DIR or ./vfnative-data)"
    )
    p.add_argument("--keys", metavar="FILE", help="API keys file (JSON, hashed keys); else VFNATIVE_API_KEY")
    p.add_argument(
        "--allow-private-network",
        action="append",
        type=_cidr,
        metavar="CIDR",
        help="admit this private or loopback network for media URLs and webhooks (repeatable)",
    )
    p.add_argument("--media-root", metavar="DIR", help="relative media paths in documents resolve here "
                   "(without it only URLs and data: URIs are accepted)")  # fmt: skip
    p.add_argument(
        "--webhook-retry-delays",
        type=_delays,
        metavar="S,S,...",
        help="seconds between webhook attempts (default 20,40,80,160,320: six attempts in ~10 min)",
    )
    p.add_argument(
        "--output-prefix",
        metavar="URL",
        help="write outputs to URL/<id>.mp4 (s3://bucket/prefix "
        "or a folder; default DATA_DIR/outputs); with s3:// a request may name its own output under it",
    )
    p.add_argument(
        "--fonts-url",
        metavar="URL",
        help="options.fetch_fonts fetches from this Google Fonts-compatible CSS API (default Google Fonts)",
    )
    p.add_argument("--chunks", default="auto", help="farm: chunks per job (default auto)")
    p.add_argument(
        "--threads", type=_positive, help="encoder threads per render (default: CPU limit / workers)"
    )
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    common(p)
    p.set_defaults(func=cmd_serve, font_dir=None)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve(ctx: Any) -> int:
    try:
        import fastapi  # noqa: F401
        import prometheus_client  # noqa: F401
        import standardwebhooks  # noqa: F401
        import uvicorn
    except ImportError:
        ctx.console.print(f"vfnative serve: {INSTALL_HINT}", markup=False, highlight=False)
        return 1
    from vfnative.service.keys import key_from_environ, load_keys
    from vfnative.service.settings import DEFAULT_WEBHOOK_DELAYS_S, ServiceSettings
    from vfnative.settings import cpu_limit

    a = ctx.args
    say = ctx.console.print

    def fail(message: str) -> int:
        say(f"vfnative serve: error: {message}", markup=False, highlight=False)
        return 2

    keys: tuple[Any, ...] = ()
    try:
        if a.keys:
            keys = load_keys(a.keys)
        else:
            env_key = key_from_environ(ctx.environ)
            keys = (env_key,) if env_key is not None else ()
    except ValueError as exc:
        return fail(str(exc))
    if a.broker:
        try:
            import celery  # noqa: F401
            import redis  # noqa: F401
        except ImportError:
            return fail("--broker needs the worker extra too: pip install 'vfnative[server,worker]'")
    host = a.host
    if not keys and not _is_loopback(host):
        say(f"vfnative serve: no API key is configured (--keys FILE or VFNATIVE_API_KEY): listening on "
            f"{LOOPBACK} only, not {host}", markup=False, highlight=False)  # fmt: skip
        host = LOOPBACK
    elif not keys:
        say("vfnative serve: no API key is configured (--keys FILE or VFNATIVE_API_KEY): loopback only, "
            "no authentication", markup=False, highlight=False)  # fmt: skip
    workers = a.workers
    threads = a.threads or max(1, cpu_limit() // workers)
    try:
        settings = ServiceSettings(
            data_dir=a.data_dir or ctx.environ.get("VFNATIVE_DATA_DIR") or "vfnative-data",
            workers=workers,
            broker=a.broker,
            keys=keys,
            anonymous_webhook_secret=ctx.environ.get("VFNATIVE_WEBHOOK_SECRET") or None,
            allowed_networks=tuple(a.allow_private_network or ()),
            media_root=a.media_root,
            output_prefix=a.output_prefix,
            webhook_delays_s=a.webhook_retry_delays
            if a.webhook_retry_delays is not None
            else DEFAULT_WEBHOOK_DELAYS_S,
            chunks=int(a.chunks) if str(a.chunks).isdigit() else a.chunks,
            threads=threads,
            fonts_url=a.fonts_url,
        )
    except ValueError as exc:
        return fail(str(exc))
    from vfnative.service.app import create_app

    app = create_app(settings)
    backend = f"farm at {a.broker}" if a.broker else f"embedded, {workers} render process(es)"
    say(f"vfnative serve: {backend}; data in {settings.data_path}; "
        f"{len(keys)} API key(s)", markup=False, highlight=False)  # fmt: skip
    config = uvicorn.Config(app, host=host, port=a.port, log_level=a.log_level, lifespan="on",
                            access_log=a.log_level == "debug", timeout_graceful_shutdown=10)  # fmt: skip
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1

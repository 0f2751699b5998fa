"""`vfnative doctor`: print check_environment() results, with a fix hint for each failure."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from vfnative.api.environment import EnvironmentReport

__all__ = ["print_report"]


def print_report(report: EnvironmentReport, console: Console) -> int:
    """Print every check and the library versions; returns the exit code (0 when all checks pass)."""
    table = Table(title="vfnative doctor", show_header=True, header_style="bold")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail")
    for check in report.checks:
        status = "[green]ok[/green]" if check.ok else "[red]FAIL[/red]"
        detail = check.detail if check.ok else f"{check.detail}\n[yellow]fix:[/yellow] {check.fix}"
        table.add_row(check.name, status, detail)
    console.print(table)
    console.print("versions: " + ", ".join(f"{name} {version}" for name, version in report.versions))
    if report.ok:
        console.print("[green]All checks passed.[/green]")
        return 0
    console.print(f"[red]{len(report.failures())} check(s) failed.[/red]")
    return 1

"""The flow program: what each builder call records, for `compiler` to replay.

Building and compiling are separate, as in the core: `add_text`, `wait`, `animate` and friends only
append an action to the current branch; timing is resolved later, in one pass that knows every
layer. Keys in `properties`, `settings` and keyframe dicts are already the camelCase VideoJSON
names, and values are already deep-copied JSON-ready data (lists, not tuples), so the compiler
never re-normalises. Time values stay as written ('500ms'); the compiler parses them with the
project fps, as the core does.

Standard library and `flow.timeparse` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from vfnative.flow.timeparse import Time

__all__ = ["Action", "AddLayer", "Animate", "Group", "Parallel", "Remove", "Set", "Wait"]


@dataclass
class Wait:
    """Advance the flow pointer."""

    duration: Time


@dataclass
class Parallel:
    """Run branches from the same pointer; continue from the latest branch end."""

    branches: list[list[Action]]


@dataclass
class AddLayer:
    """Add a layer at the pointer (or at its `startTime`)."""

    id: str
    type: str
    settings: dict[str, Any]
    properties: dict[str, Any]
    wait_for: Time | None = None
    """None or a falsy value: the pointer stays (the core tests truthiness)."""
    index: int = 0


@dataclass
class Group:
    """Add a group; `actions` are its children's own flow, with the pointer starting at 0."""

    id: str
    settings: dict[str, Any]
    properties: dict[str, Any]
    actions: list[Action] = field(default_factory=list)
    wait_for: Time | None = None
    """None means 'finish' (the group's end), unlike `AddLayer`."""
    index: int = 0


@dataclass
class Remove:
    """End a layer at the pointer plus `after`, without moving the pointer."""

    id: str
    after: Time = 0


@dataclass
class Set:
    """Step keyframes at the pointer."""

    id: str
    values: dict[str, Any]


@dataclass
class Animate:
    """Keyframes `start` at the pointer (+ delay) and `end` `duration` later."""

    id: str
    start: dict[str, Any]
    end: dict[str, Any]
    duration: Time = "0.25s"
    easing: str | None = None
    wait: bool = True
    delay: Time = 0
    """Not in the core: shifts the anchor without moving the pointer (0 = the core's animate)."""


Action: TypeAlias = Wait | Parallel | AddLayer | Group | Remove | Set | Animate

"""Shared fixtures for model tests: the golden documents and a small valid document to break."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

GOLDENS = Path(__file__).resolve().parents[2] / "fixtures" / "goldens"
GOLDEN_DOCUMENTS = sorted(p for p in GOLDENS.glob("*.json") if p.name != "manifest.json")

MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "duration": 2,
    "width": 640,
    "height": 360,
    "fps": 30,
    "backgroundColor": "#000000",
    "layers": [
        {
            "id": "t1",
            "type": "text",
            "settings": {"enabled": True, "startTime": 0, "sourceDuration": 2},
            "properties": {"text": "hello", "fontSize": 4, "color": "#ffffff"},
            "animations": [
                {"property": "opacity", "keyframes": [{"time": 0, "value": 0}, {"time": 1, "value": 1}]}
            ],
        },
        {
            "id": "s1",
            "type": "shape",
            "settings": {"enabled": True, "sourceDuration": 2, "shapeType": "ellipse"},
            "properties": {"fill": "red", "width": 20, "height": "10em"},
        },
    ],
}


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh deep copy of a small valid document, safe to mutate."""
    return copy.deepcopy(MINIMAL)

"""Tiny documents for api tests: small frames keep every render well under a second."""

from __future__ import annotations

from typing import Any

import pytest


def tiny_document(
    *, width: int = 96, height: int = 54, fps: float = 30, duration: float = 0.5
) -> dict[str, Any]:
    """A shape-only document: a red square moving left to right on a blue background."""
    return {
        "name": "tiny",
        "width": width,
        "height": height,
        "fps": fps,
        "duration": duration,
        "backgroundColor": "#0000ff",
        "layers": [
            {
                "id": "square",
                "type": "shape",
                "settings": {
                    "enabled": True,
                    "startTime": 0,
                    "sourceDuration": duration,
                    "shapeType": "rectangle",
                },
                "properties": {"width": 30, "height": 30, "fill": "#ff0000", "position": [0.5, 0.5]},
                "animations": [
                    {
                        "property": "position",
                        "keyframes": [
                            {"time": 0, "value": [0.3, 0.5], "easing": "easeInOut"},
                            {"time": duration, "value": [0.7, 0.5], "easing": "step"},
                        ],
                    }
                ],
            }
        ],
    }


@pytest.fixture
def tiny() -> dict[str, Any]:
    return tiny_document()

"""The bundled demo document (`vfnative demo`): 1280×720, 4 s of shapes, text, an image and a group.

Only features the foundation draws are used. `logo.png` beside it is referenced by a relative path.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEMO_DOCUMENT"]

DEMO_DOCUMENT = Path(__file__).with_name("demo.json")
"""Path of the demo VideoJSON file; its media resolve against this folder."""

"""Minimum PSNR (dB over RGB) per golden fixture, checked on every frame in the manifest.

Thresholds only ever go up: raise one when parity improves (measured minimum − ~0.3 dB, rounded
down to 0.5), never lower one to make a test pass — fix the renderer or explain it in the PR.
A fixture absent from this table is not checked yet (features missing); `bench/parity.py`
measures every fixture.
"""

from __future__ import annotations

THRESHOLDS: dict[str, float] = {
    "blend-modes": 55.5,
    "image-fit": 50.5,
    "keyframes-easing": 77.5,
    "shapes": 57.5,
}

"""The wiring layer: `render`, `Renderer`, progress and cancellation, environment checks.

Public names are re-exported from `vfnative`; import them from there.
"""

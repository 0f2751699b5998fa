"""vfnative: render VideoJSON documents to MP4 without a browser."""

from __future__ import annotations

__version__ = "0.1.0"

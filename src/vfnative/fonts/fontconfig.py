"""Skia's fontconfig, initialised once with its configuration warnings kept off stderr.

Imports skia and the standard library only.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading

import skia

__all__ = ["quiet_fontconfig"]

_FONTCONFIG_NOISE = (b"Fontconfig warning:", b"Fontconfig error:")
_fontconfig_lock = threading.Lock()
_fontconfig_ready = False


def quiet_fontconfig() -> None:
    """Initialise Skia's fontconfig once, keeping its configuration warnings off stderr.

    skia-python links its own fontconfig, older than Debian's configuration: parsing
    `/etc/fonts` it prints `Fontconfig warning: ... unknown element "reset-dirs"` straight to file
    descriptor 2, once per process, when the default font manager is first used. vfnative draws
    with its own fonts and reaches system fonts only as a last fallback, so the message is noise
    to a user. File descriptor 2 points at a temporary file while the font manager is created;
    anything else written meanwhile is passed on to stderr afterwards.
    """
    global _fontconfig_ready
    with _fontconfig_lock:
        if _fontconfig_ready:
            return
        _fontconfig_ready = True
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2: nothing to protect
            skia.FontMgr.RefDefault().countFamilies()
            return
        try:
            with tempfile.TemporaryFile() as captured:
                os.dup2(captured.fileno(), 2)
                try:
                    skia.FontMgr.RefDefault().countFamilies()
                finally:
                    os.dup2(saved, 2)
                captured.seek(0)
                kept = [
                    line for line in captured.read().splitlines(keepends=True)
                    if not line.startswith(_FONTCONFIG_NOISE)
                ]  # fmt: skip
            if kept:
                os.write(2, b"".join(kept))
        finally:
            os.close(saved)

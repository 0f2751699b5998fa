"""A byte-bounded LRU of decoded media, shared by every source of one render.

The budget is a ceiling, not a target: a decoder playing forward keeps only its last few pictures
here (``VideoDecoder`` trims its own entries), and uses the budget only once access to it goes
backwards (reverse playback, layers sharing a source at different times), when reuse pays.

The video decoders key it by ``(source, frame_us)``: the source's path and the frame's presentation
time in whole microseconds, holding the decoder's own picture (YUV 4:2:0, ~1.5 bytes per pixel, 2.7×
smaller than the converted BGRA; each decoder keeps only its last few converted, scaled pictures).
Caching decoded pictures is what makes reverse playback and layers that share a source cheap: a GOP
decoded once serves every request that falls inside it until it is evicted.

Not thread-safe: one cache belongs to one render (one process). Imports the standard library only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["DEFAULT_CACHE_BYTES", "FrameCache"]

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
"""256 MiB: ~80 decoded 1080p pictures, so a 2 s GOP at 30 fps (60 pictures) played backwards fits.
Only filled while some source is accessed backwards; forward playback holds a few pictures."""


class FrameCache:
    """Least-recently-used values with a byte budget; an entry larger than the budget is not kept.

    Usage::

        cache = FrameCache(max_bytes=64 * 2**20)
        cache.put(("clip.mp4", 33_333), frame, nbytes=640 * 360 * 3 // 2)
        frame = cache.get(("clip.mp4", 33_333))     # None when absent or evicted
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes: expected >= 0; got {max_bytes!r}")
        self.max_bytes = int(max_bytes)
        self.nbytes = 0
        """Bytes currently held."""
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        """The value for `key` (now the most recently used), or None."""
        item = self._items.get(key)
        if item is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return item[0]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def put(self, key: Hashable, value: Any, nbytes: int) -> None:
        """Store `value` (costing `nbytes`), evicting the least recently used entries to make room."""
        old = self._items.pop(key, None)
        if old is not None:
            self.nbytes -= old[1]
        if nbytes > self.max_bytes:
            return
        while self._items and self.nbytes + nbytes > self.max_bytes:
            _key, (_value, size) = self._items.popitem(last=False)
            self.nbytes -= size
        self._items[key] = (value, nbytes)
        self.nbytes += nbytes

    def discard(self, key: Hashable) -> None:
        """Drop the entry for `key`, if any (not counted as a hit or miss)."""
        old = self._items.pop(key, None)
        if old is not None:
            self.nbytes -= old[1]

    def keys(self) -> list[Hashable]:
        """The keys held, least recently used first (a copy)."""
        return list(self._items)

    def clear(self) -> None:
        self._items.clear()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return (
            f"<FrameCache {len(self)} items {self.nbytes / 2**20:.1f}/{self.max_bytes / 2**20:.0f} MiB "
            f"hits={self.hits} misses={self.misses}>"
        )

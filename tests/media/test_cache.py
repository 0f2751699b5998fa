"""FrameCache: least recently used entries go first, by bytes; oversized values are not kept."""

from __future__ import annotations

import pytest

from vfnative.media.cache import FrameCache


def test_evicts_least_recently_used_by_bytes() -> None:
    cache = FrameCache(max_bytes=100)
    cache.put("a", 1, 40)
    cache.put("b", 2, 40)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3, 40)  # 120 > 100: b goes
    assert "b" not in cache
    assert cache.get("a") == 1
    assert cache.get("c") == 3
    assert cache.nbytes == 80
    assert len(cache) == 2


def test_oversized_and_replaced_entries() -> None:
    cache = FrameCache(max_bytes=50)
    cache.put("big", "x", 51)
    assert cache.get("big") is None
    assert cache.nbytes == 0
    cache.put("k", "v1", 30)
    cache.put("k", "v2", 20)
    assert cache.get("k") == "v2"
    assert cache.nbytes == 20
    assert cache.hits == 1
    assert cache.misses == 1
    assert "1 items" in repr(cache)
    cache.clear()
    assert len(cache) == 0
    assert cache.nbytes == 0
    with pytest.raises(ValueError, match="max_bytes"):
        FrameCache(-1)

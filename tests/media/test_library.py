"""MediaLibrary: one resolve/decoder per source; prepare() disables broken media layers and resolves sourceEnd."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from make_video import write_numbered_clip

from vfnative.errors import AssetError, MediaDecodeError, MissingAssetError
from vfnative.media.library import MediaLibrary
from vfnative.model import load


def _doc(tmp_path: Path, layers: list[dict[str, Any]]) -> Any:
    return load({"width": 64, "height": 48, "fps": 10, "duration": 2, "layers": layers}, base_dir=tmp_path)


def _video(source: str, **settings: Any) -> dict[str, Any]:
    return {
        "id": source,
        "type": "video",
        "settings": {"enabled": True, "sourceDuration": 2, "source": source, **settings},
    }


def _resolver(base: Path) -> Any:
    calls: list[str] = []

    def resolve(source: str) -> Path:
        calls.append(source)
        return base / source

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_one_decoder_and_one_resolve_per_source(tmp_path: Path) -> None:
    write_numbered_clip(tmp_path / "a.mp4", frames=5)
    resolve = _resolver(tmp_path)
    media = MediaLibrary(resolve)
    assert media.video("a.mp4") is media.video("a.mp4")
    assert media.info("a.mp4").has_video
    assert resolve.calls == ["a.mp4"]
    media.close()


def test_failures_are_remembered(tmp_path: Path) -> None:
    resolve = _resolver(tmp_path)
    media = MediaLibrary(resolve)
    for _ in range(2):
        with pytest.raises(MissingAssetError):
            media.video("missing.mp4")
    assert resolve.calls == ["missing.mp4"]
    with pytest.raises(MediaDecodeError, match="remote source was not fetched"):
        MediaLibrary(lambda s: Path("/nonexistent") / s.split("/")[-1]).path("https://example.com/x.mp4")


def test_prepare_disables_broken_media_layers_with_one_warning_each(tmp_path: Path) -> None:
    write_numbered_clip(tmp_path / "ok.mp4", frames=5)
    (tmp_path / "junk.mp4").write_bytes(b"junk")
    layers = [
        _video("ok.mp4"),
        _video("missing.mp4"),
        _video("junk.mp4"),
        {"id": "snd", "type": "audio", "settings": {"enabled": True, "sourceDuration": 1, "source": "ok.mp4"}},
        {"id": "g", "type": "group", "settings": {"enabled": True, "sourceDuration": 2},
         "children": [_video("missing.mp4")]},
    ]  # fmt: skip
    doc = _doc(tmp_path, layers)
    prepared = MediaLibrary(_resolver(tmp_path)).prepare(doc)
    assert prepared.disabled == ("layers[1]", "layers[2]", "layers[3]", "layers[4].children[0]")
    assert len(prepared.warnings) == 4
    assert "layers[1]: video layer disabled" in prepared.warnings[0]
    assert "'missing.mp4'" in prepared.warnings[0]
    assert "no audio stream" in prepared.warnings[2]  # an audio layer on a silent file
    new = prepared.doc
    assert [layer.settings.enabled for layer in new.layers] == [True, False, False, False, True]
    assert new.layers[4].children[0].settings.enabled is False
    assert all(layer.settings.enabled for layer in doc.layers)  # the caller's document is untouched
    assert new.base_dir == doc.base_dir


def test_prepare_strict_raises(tmp_path: Path) -> None:
    doc = _doc(tmp_path, [_video("missing.mp4")])
    with pytest.raises(AssetError) as info:
        MediaLibrary(_resolver(tmp_path), strict=True).prepare(doc)
    assert "layers[0]" in str(info.value.__notes__)


def test_prepare_resolves_source_end(tmp_path: Path) -> None:
    write_numbered_clip(tmp_path / "clip.mp4", frames=20)  # 2.0 s
    doc = _doc(tmp_path, [
        _video("clip.mp4", sourceStart=0.5, sourceEnd=0.25, sourceDuration=9),
        _video("clip.mp4", sourceStart=1.5, sourceEnd=1),
        _video("clip.mp4"),
    ])  # fmt: skip
    new = MediaLibrary(_resolver(tmp_path)).prepare(doc).doc
    first, second, third = (layer.settings for layer in new.layers)
    assert first.source_duration == pytest.approx(1.25)
    assert first.media_duration == pytest.approx(2.0)
    assert first.source_end is None
    assert second.source_duration == 0.0  # max(0, 2 − 1.5 − 1)
    assert third.source_duration == 2
    assert third.source_end is None
    assert third.media_duration is None


def test_disabled_layers_are_not_probed(tmp_path: Path) -> None:
    resolve = _resolver(tmp_path)
    doc = _doc(
        tmp_path, [{**_video("missing.mp4"), "settings": {"sourceDuration": 2, "source": "missing.mp4"}}]
    )
    prepared = MediaLibrary(resolve).prepare(doc)
    assert prepared.warnings == ()
    assert resolve.calls == []


def test_two_layers_of_one_source_share_its_decoder(tmp_path: Path) -> None:
    """The video-layer golden's pattern (speed 1 and speed 2 of one clip) through a whole render."""
    import vfnative

    write_numbered_clip(tmp_path / "clip.mp4", frames=20)
    doc = {
        "width": 64, "height": 48, "fps": 10, "duration": 1,
        "layers": [_video("clip.mp4", sourceDuration=1),
                   {**_video("clip.mp4", sourceStart=0.5, sourceDuration=1, speed=1.5),
                    "properties": {"scale": 0.5}}],
    }  # fmt: skip
    with vfnative.Renderer(doc, base_dir=tmp_path) as renderer:
        frames = [renderer.render_frame(n) for n in range(10)]
        decoder = renderer.media.video("clip.mp4")
        assert decoder.seeks == 1  # both playheads served by forward decoding and the cache
        assert decoder.decoded_frames <= 20
    # output frame 3: the full layer shows clip frame 3 (grey 50), the half-size one in the middle
    # shows source time 0.5 + 0.3 · 1.5 = 0.95 s, clip frame 9 (grey 110)
    assert abs(int(frames[3][2, 2, 0]) - 50) <= 1
    assert abs(int(frames[3][24, 32, 0]) - 110) <= 1

"""--fetch-fonts: families fetched from a Google Fonts-compatible CSS API, under the source policy.

Families no installed package provides (the test extra installs real fontpkg families). The
server here imitates the css2 endpoint on loopback: a stylesheet of @font-face rules whose
url()s point at TTF files it also serves. Loopback is a private address, so the policy must admit
it (`allow_private`); without that, the fetch is refused before any connection.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from pathlib import Path

import pytest

import vfnative
from vfnative.cli.main import run
from vfnative.fonts.fetch import css2_url

from .fontmaker import FontServer, noto_sans_as


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "vfnative" / "fonts"


@pytest.fixture(scope="module")
def fetch_test_sans(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return noto_sans_as(tmp_path_factory.mktemp("f") / "Fetch Test Sans.ttf", "Fetch Test Sans").read_bytes()


def _doc(family: str, weight: float = 550) -> dict:
    return {
        "width": 320, "height": 120, "fps": 30, "duration": 1,
        "layers": [{"id": "t", "type": "text", "settings": {"enabled": True, "sourceDuration": 1},
                    "properties": {"text": "Fetched", "fontFamily": family, "fontWeight": weight}}],
    }  # fmt: skip


def _policy(private: bool) -> vfnative.SourcePolicy:
    return vfnative.SourcePolicy(allow_network=True, allow_private=private, timeout_s=10)


def test_css2_url_shape() -> None:
    assert css2_url("https://fonts.example/", "Playfair Display", [(0, 400), (1, 700)]) == (
        "https://fonts.example/css2?family=Playfair+Display:ital,wght@0,400;1,700"
    )


def test_fetched_family_renders_as_a_web_font_and_is_cached(cache: Path, fetch_test_sans: bytes) -> None:
    with FontServer({"Fetch Test Sans": fetch_test_sans}) as server:
        warnings: list[str] = []
        with vfnative.Renderer(_doc("Fetch Test Sans"), sources=_policy(True), fetch_fonts=server.url,
                               on_warning=warnings.append) as renderer:  # fmt: skip
            renderer.render_frame(0)
            fetched = [d for d in renderer.font_dirs if str(d).startswith(str(cache))]
        assert len(fetched) == 1
        assert not [w for w in warnings if "Fetch Test Sans" in w], warnings
        assert [r.split("?")[0] for r in server.requests] == ["/css2", "/s/Fetch%20Test%20Sans.ttf"]
        assert "family=Fetch+Test+Sans:ital,wght@0,550" in server.requests[0]
        from vfnative.fonts.registry import FontRegistry

        resolved = FontRegistry(font_dirs=fetched).resolve("Fetch Test Sans", weight=550)
        assert dict(resolved.variations)["wght"] == 550.0  # web font: the axis takes the weight
        installed_like = FontRegistry(font_dirs=[fetched[0] / "x"]).resolve("Noto Sans", weight=550)
        assert dict(installed_like.variations)["wght"] == 500.0  # local font: a named instance
        # A second render (another worker process, say) reads the cache: no request at all.
        with vfnative.Renderer(
            _doc("Fetch Test Sans"), sources=_policy(True), fetch_fonts=server.url
        ) as again:
            assert again.font_dirs == tuple(fetched)
        assert len(server.requests) == 2


def test_private_address_is_refused_without_allow_private(cache: Path, fetch_test_sans: bytes) -> None:
    with FontServer({"Fetch Test Sans": fetch_test_sans}) as server:
        warnings: list[str] = []
        with vfnative.Renderer(_doc("Fetch Test Sans"), sources=_policy(False), fetch_fonts=server.url,
                               on_warning=warnings.append) as renderer:  # fmt: skip
            assert renderer.font_dirs == ()
        assert server.requests == []  # refused before connecting
        assert any(
            "could not be fetched" in w and "Fetch Test Sans" in w and "only public addresses" in w
            for w in warnings
        ), warnings
        assert not cache.exists() or not any(cache.rglob("*.ttf"))


def test_a_file_that_is_not_the_family_is_not_cached(cache: Path, tmp_path: Path) -> None:
    other = noto_sans_as(tmp_path / "Other.ttf", "Someone Else").read_bytes()
    with FontServer({"Fetch Test Sans": other, "Fetch Broken": b"<html>not a font</html>"}) as server:
        for family, reason in (("Fetch Test Sans", "not 'Fetch Test Sans'"), ("Fetch Broken", "not an sfnt")):
            warnings: list[str] = []
            with vfnative.Renderer(_doc(family), sources=_policy(True), fetch_fonts=server.url,
                                   on_warning=warnings.append):  # fmt: skip
                pass
            assert any(reason in w for w in warnings), warnings
    assert not cache.exists() or not any(cache.rglob("*.ttf"))


def test_single_weight_family_falls_back_to_its_default_stylesheet(cache: Path, tmp_path: Path) -> None:
    fetch_display = noto_sans_as(tmp_path / "Bebas.ttf", "Fetch Display One").read_bytes()
    with FontServer(
        {"Fetch Display One": fetch_display}, single_weight=frozenset({"Fetch Display One"})
    ) as server:
        with vfnative.Renderer(
            _doc("Fetch Display One", 700), sources=_policy(True), fetch_fonts=server.url
        ) as r:
            assert len(r.font_dirs) == 1
        assert [urllib.parse.unquote_plus(q) for q in server.requests[:2]] == [
            "/css2?family=Fetch Display One:ital,wght@0,700",
            "/css2?family=Fetch Display One",
        ]


def test_cli_flags(cache: Path, tmp_path: Path, fetch_test_sans: bytes) -> None:
    doc = tmp_path / "d.json"
    doc.write_text(json.dumps(_doc("Fetch Test Sans")))
    out, err = io.StringIO(), io.StringIO()
    code = run(["frames", str(doc), "-o", str(tmp_path / "f"), "--fetch-fonts", "http://127.0.0.1:9"],
               environ={}, stdout=out, stderr=err)  # fmt: skip
    assert code == 2
    assert "--fetch-fonts needs --allow-network" in err.getvalue()
    with FontServer({"Fetch Test Sans": fetch_test_sans}) as server:
        args = ["frames", str(doc), "-o", str(tmp_path / "f"), "--fetch-fonts", server.url, "--allow-network"]
        err = io.StringIO()
        assert run([*args, "--allow-private"], environ={}, stdout=io.StringIO(), stderr=err) == 0, (
            err.getvalue()
        )
        assert "not installed" not in err.getvalue()
        assert (tmp_path / "f" / "frame_00000.png").is_file()
        assert len(server.requests) == 2

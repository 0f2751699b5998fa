"""Fonts and font packages made for tests: generated with fontTools, so no test depends on the
fonts a machine happens to have."""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fontTools.ttLib import TTFont


def make_box_font(path: Path, family: str, codepoints: list[int], advance: int = 800) -> Path:
    """A TrueType font drawing each code point as a filled box: a deterministic fallback font."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box(x0: int, y0: int, x1: int, y1: int) -> object:
        pen = TTGlyphPen(None)
        pen.moveTo((x0, y0))
        pen.lineTo((x0, y1))
        pen.lineTo((x1, y1))
        pen.lineTo((x1, y0))
        pen.closePath()
        return pen.glyph()

    names = [".notdef", "space"] + [f"u{cp:05X}" for cp in codepoints]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({0x20: "space", **{cp: f"u{cp:05X}" for cp in codepoints}})
    glyphs = {".notdef": box(50, 0, 450, 700), "space": TTGlyphPen(None).glyph()}
    glyphs.update({f"u{cp:05X}": box(100, -100, advance - 100, 700) for cp in codepoints})
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (advance if n.startswith("u") else 500, 0) for n in names})
    fb.setupHorizontalHeader(ascent=900, descent=-250)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=900, sTypoDescender=-250, usWinAscent=900, usWinDescent=250, usWeightClass=400)
    fb.setupPost()
    fb.save(str(path))
    return path


def noto_sans_as(path: Path, family: str, *, text: str = "") -> Path:
    """Noto Sans (variable, from fontpkg-noto-sans), subset to ASCII plus `text` and renamed `family`.

    A real variable font with a `wght` axis and named instances, under a family name no installed
    package provides: what a fetched or newly installed Google family looks like to the registry.
    """
    from fontTools import subset

    from vfnative.fonts.discovery import fontpkg_roots

    src = next(p for root in fontpkg_roots() for p in root.rglob("NotoSans[[]wdth,wght].ttf"))
    font = TTFont(str(src))
    opts = subset.Options()
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(chr(c) for c in range(0x20, 0x7F)) + text)
    sub.subset(font)
    for rec in font["name"].names:
        if rec.nameID in (1, 16, 21):
            rec.string = family
        elif rec.nameID in (4, 6):
            rec.string = family.replace(" ", "") + "-Regular"
    font.save(str(path))
    return path


def install_fake_fontpkg(site: Path, family: str, font: Path) -> Path:
    """Lay out an installed ``fontpkg-*`` distribution in `site` (a folder for sys.path), as pip does.

    A dist-info folder with METADATA and a RECORD naming the font file: what the registry's
    discovery reads, without a network or a package index.
    """
    slug = "".join(c if c.isalnum() else "_" for c in family.lower())
    pkg = site / f"fontpkg_{slug}" / "files"
    pkg.mkdir(parents=True, exist_ok=True)
    target = pkg / font.name
    target.write_bytes(font.read_bytes())
    info = site / f"fontpkg_{slug}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    name = "fontpkg-" + slug.replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text(f"fontpkg_{slug}/files/{font.name},,\n{info.name}/METADATA,,\n")
    return site


def make_fontpkg_wheel(folder: Path, family: str, font: Path) -> Path:
    """A wheel of a ``fontpkg-*`` distribution shipping `font`, for ``pip install --no-index``."""
    import base64
    import hashlib
    import zipfile

    slug = "".join(c if c.isalnum() else "_" for c in family.lower())
    name = "fontpkg-" + slug.replace("_", "-")
    dist = f"fontpkg_{slug}"
    wheel = folder / f"{dist}-1.0-py3-none-any.whl"
    files = {
        f"{dist}/__init__.py": b"",
        f"{dist}/files/{font.name}": font.read_bytes(),
        f"{dist}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(),
        f"{dist}-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist}-1.0.dist-info/RECORD,,")
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
        zf.writestr(f"{dist}-1.0.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel


class FontServer:
    """A loopback imitation of the Google Fonts css2 API: stylesheets of @font-face rules whose
    url()s point at the TTF files it also serves; `requests` lists every path asked for."""

    def __init__(
        self, fonts: dict[str, bytes], *, single_weight: frozenset[str] = frozenset(), host: str = "127.0.0.1"
    ) -> None:
        self.fonts = fonts
        self.single_weight = single_weight
        """Families that answer 400 to a weight list, as css2 does for a family without those weights."""
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/css2":
                    spec = urllib.parse.parse_qs(url.query)["family"][0]
                    family = spec.split(":")[0]
                    if family not in server.fonts or (":" in spec and family in server.single_weight):
                        self._send(400, b"bad request", "text/plain")
                        return
                    variants = spec.split("@")[1].split(";") if "@" in spec else ["0,400"]
                    base = f"http://{host}:{self.server.server_address[1]}"
                    rules = [
                        f"@font-face {{ font-family: '{family}'; font-style: {'italic' if v[0] == '1' else 'normal'};"
                        f" font-weight: {v.split(',')[1]}; src: url({base}/s/{urllib.parse.quote(family)}.ttf)"
                        " format('truetype'); }"
                        for v in variants
                    ]
                    self._send(200, "\n".join(rules).encode(), "text/css")
                elif url.path.startswith("/s/"):
                    family = urllib.parse.unquote(url.path[3:-4])
                    self._send(200, server.fonts[family], "font/ttf")
                else:
                    self._send(404, b"", "text/plain")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FontServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

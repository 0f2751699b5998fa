"""Fonts: from a family name in a document to glyphs Skia can draw and HarfBuzz can shape.

A service beside the render line (model → timeline → raster → encode): raster/text asks it for
fonts, api/ builds one registry per render. Its modules, each owning one thing:

* `faces`: what a face is (`FontFace`, `ResolvedFont`) and reading one from its tables;
* `discovery`: where faces are (font folders, installed ``fontpkg-*`` distributions, the scan cache);
* `matching`: Blink's matching rules (fontconfig's for local fonts, CSS Fonts 4 for web fonts);
* `instancing`: typefaces at a variation position (fontTools static instances, cached);
* `fallback`: the fixed per-character fallback chain and system fonts;
* `registry`: `FontRegistry`, which puts the above together for a render;
* `packages`: which ``fontpkg-*`` distribution ships a family (install hints);
* `requirements`: the (family, weight, style) settings a document uses (`vfnative fonts check`);
* `fetch`: downloading missing Google Fonts families into the font cache (``--fetch-fonts``).

May import skia, uharfbuzz, fontTools, `errors`, `model` (requirements) and `media.sources`
(fetch, so font downloads obey the same source policy as media). Nothing imports this package's
modules at `import vfnative` time.
"""

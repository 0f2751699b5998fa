"""MoviePy 2 equivalent of bench/documents/promo-kenburns.json: the promo with a slow push-in on the photo.

python bench/peers/moviepy_promo_kenburns.py OUT.mp4 [--scale 0.5]
"""

from __future__ import annotations

from _common import arguments, write
from moviepy_promo import build

if __name__ == "__main__":
    write(lambda scale: build(scale, ken_burns=True), arguments(__doc__.splitlines()[0]))

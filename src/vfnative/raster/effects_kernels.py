"""The 42 built-in effect shaders (spec 03 §B.4) as float32 numba kernels, one per pass.

Every kernel has the same signature, so raster/effects.py can drive them from a table:

    kernel(src, dst, orig, x0, y0, x1, y1, time, p)

* `src`: (H, W, 4) uint8 premultiplied RGBA, the pass input (`u_texture`), rows top-down;
* `dst`: where the pass writes, same shape; only the rectangle [x0, x1) × [y0, y1) is written;
* `orig`: the effect's input (`u_originalTexture`), read only by composite passes;
* `time`: `u_time` as float32 seconds;
* `p`: the effect's params as float32, in schema order, colours expanded to 4 slots (layout
  noted on each kernel), em params already in px, options as indices, bools as 0/1.

The maths follows the spec's per-effect recipes literally, including the quirks it asks to keep
(rgb > a outputs, reversed smoothstep edges, un-aspect-corrected angles, the VHS "scanlines").
The kernels live in one module per family (raster/kernels_blur, kernels_warp, kernels_light,
kernels_color, kernels_glitch, kernels_stylize, kernels_reveal); this module is the one namespace
raster/effects.py reads them from. Imports those modules only.
"""

from __future__ import annotations

from vfnative.raster.kernels_blur import (
    k_gaussian_blur_h,
    k_gaussian_blur_v,
    k_motion_blur,
    k_spin_blur,
    k_streak_blur,
    k_zoom_blur,
)
from vfnative.raster.kernels_color import (
    k_color_correction,
    k_duotone,
    k_invert,
    k_vignette,
)
from vfnative.raster.kernels_glitch import (
    k_chromatic_aberration,
    k_datamosh_smear,
    k_digital_blocks,
    k_prism_split,
    k_rgb_split,
    k_slice_glitch,
    k_vhs_distortion,
)
from vfnative.raster.kernels_light import (
    k_bloom_blur_h,
    k_bloom_blur_v,
    k_bloom_composite,
    k_bloom_extract,
    k_edge_glow_blur_h,
    k_edge_glow_blur_v,
    k_edge_glow_composite,
    k_edge_glow_extract,
    k_glow_blur_h,
    k_glow_blur_v,
    k_glow_composite,
    k_glow_extract,
    k_light_leak,
    k_light_rays,
    k_light_sweep,
    k_volumetric_light,
    light_rays,
    light_rays_reach,
)
from vfnative.raster.kernels_reveal import (
    k_burn_dissolve,
    k_mosaic_reveal,
    k_noise_dissolve,
    k_radial_reveal,
    k_scan_reveal,
    k_wipe_mask,
)
from vfnative.raster.kernels_stylize import (
    frost_field,
    frosted_glass_h,
    k_crt_scanlines,
    k_film_grain,
    k_frosted_glass_h,
    k_frosted_glass_v,
    k_halftone,
    k_pixelate,
)
from vfnative.raster.kernels_warp import (
    k_displacement,
    k_fisheye,
    k_glass_refraction,
    k_heat_haze,
    k_lens_distortion,
    k_liquid_ripple,
    k_shockwave,
    k_wave_warp,
)

__all__ = [
    "frost_field",
    "frosted_glass_h",
    "k_bloom_blur_h",
    "k_bloom_blur_v",
    "k_bloom_composite",
    "k_bloom_extract",
    "k_burn_dissolve",
    "k_chromatic_aberration",
    "k_color_correction",
    "k_crt_scanlines",
    "k_datamosh_smear",
    "k_digital_blocks",
    "k_displacement",
    "k_duotone",
    "k_edge_glow_blur_h",
    "k_edge_glow_blur_v",
    "k_edge_glow_composite",
    "k_edge_glow_extract",
    "k_film_grain",
    "k_fisheye",
    "k_frosted_glass_h",
    "k_frosted_glass_v",
    "k_gaussian_blur_h",
    "k_gaussian_blur_v",
    "k_glass_refraction",
    "k_glow_blur_h",
    "k_glow_blur_v",
    "k_glow_composite",
    "k_glow_extract",
    "k_halftone",
    "k_heat_haze",
    "k_invert",
    "k_lens_distortion",
    "k_light_leak",
    "k_light_rays",
    "k_light_sweep",
    "k_liquid_ripple",
    "k_mosaic_reveal",
    "k_motion_blur",
    "k_noise_dissolve",
    "k_pixelate",
    "k_prism_split",
    "k_radial_reveal",
    "k_rgb_split",
    "k_scan_reveal",
    "k_shockwave",
    "k_slice_glitch",
    "k_spin_blur",
    "k_streak_blur",
    "k_vhs_distortion",
    "k_vignette",
    "k_volumetric_light",
    "k_wave_warp",
    "k_wipe_mask",
    "k_zoom_blur",
    "light_rays",
    "light_rays_reach",
]

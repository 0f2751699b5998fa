"""Encode stage: frames → files. `mux.Muxer` (H.264 MP4 by default; H.265, AV1, VP9, ProRes, animated
WebP), `writers` (GIF, image sequences, audio-only files), `stitch` (pieces joined without re-encoding),
`formats` (which output names and codecs vfnative writes)."""

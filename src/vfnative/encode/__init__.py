"""Encode stage: frames → H.264 MP4 (`mux.Muxer`)."""

"""Timeline stage: seconds -> frames, keyframes, transitions, per-frame resolved properties."""

"""Audio beside the pipeline: the offline mix of audio and video layers (mixer), its DSP (dsp), WAV output (wav)."""

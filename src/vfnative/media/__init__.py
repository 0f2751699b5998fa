"""Media services beside the pipeline: probing and decoding video (and, later, audio) with PyAV."""

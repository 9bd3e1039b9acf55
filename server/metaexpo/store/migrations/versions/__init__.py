"""One file per schema version, applied in order at every start."""

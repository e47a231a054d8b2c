"""The synthetic MIMIC-IV + MIMIC-IV-Note dataset behind `mimicbench synth` and `mimicbench synth-notes`."""

"""The synthetic MIMIC-IV + MIMIC-IV-Note dataset behind `mimicbench synth` and `mimicbench synth-notes`."""


class SynthError(Exception):
    """The dataset cannot be written or read as asked; the message says what to change."""

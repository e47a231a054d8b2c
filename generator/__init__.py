"""mimicbench: reproducible LLM benchmarks from MIMIC-IV admissions."""

__version__ = "0.1.0"

"""The demo city (synthetic, calibrated to the letter's figures) and the shipped sample."""

from .generator import DEFAULT_SCALE, DEFAULT_SEED, TARGETS, DemoCity, generate, read, write
from .sample import SAMPLE_ON, SAMPLE_PATH, sample_records, write_sample

__all__ = [
    "DEFAULT_SCALE",
    "DEFAULT_SEED",
    "SAMPLE_ON",
    "SAMPLE_PATH",
    "TARGETS",
    "DemoCity",
    "generate",
    "read",
    "sample_records",
    "write",
    "write_sample",
]

"""The demo city (synthetic, living up to today, calibrated to the letter's figures) and the shipped sample.

Modules: :mod:`~zjtx.demo.targets` (the letter's figures and the history's dates),
:mod:`~zjtx.demo.firms` (enterprises and annual reports), :mod:`~zjtx.demo.titles` (titles granted
by the rules), :mod:`~zjtx.demo.calibration` (the letter's figures made exact, pools, comparison),
:mod:`~zjtx.demo.city` (``generate``), :mod:`~zjtx.demo.io` (files), :mod:`~zjtx.demo.coherence`
(titles against the rules), :mod:`~zjtx.demo.programs` (programmes), :mod:`~zjtx.demo.sample` (the shipped
sample), :mod:`~zjtx.demo.ids`.
"""

from .city import DemoCity, generate
from .io import read, write
from .sample import SAMPLE_ON, SAMPLE_PATH, sample_records, write_sample
from .targets import DEFAULT_SCALE, DEFAULT_SEED, TARGETS, history_range

__all__ = [
    "DEFAULT_SCALE",
    "DEFAULT_SEED",
    "SAMPLE_ON",
    "SAMPLE_PATH",
    "TARGETS",
    "DemoCity",
    "generate",
    "history_range",
    "read",
    "sample_records",
    "write",
    "write_sample",
]

"""``/api/evaluate`` for a few records answers from the exact explanations laid out as the vectorised
evaluation: both must give identical frames (values and types) on the demo city, on two dates (the
2026 regime and the one before)."""

from __future__ import annotations

import datetime as dt

import pytest
from polars.testing import assert_frame_equal

import zjtx
from zjtx.apps.evaluations.fastpath import evaluate_few


@pytest.fixture(scope="module")
def city():
    from zjtx.demo import generate

    return generate(seed=7, scale=150, today=dt.date(2026, 12, 2))


@pytest.mark.parametrize("day", [dt.date(2026, 12, 2), dt.date(2024, 6, 30)])
def test_few_records_equal_the_vectorised_evaluation(city, day) -> None:
    recs = city.records(day).to_dicts()
    assert_frame_equal(evaluate_few(recs, day, None), zjtx.evaluate(recs, day))
    assert_frame_equal(evaluate_few(recs[:3], day, ["tech_sme", "high_tech"]),
                       zjtx.evaluate(recs[:3], day, ["tech_sme", "high_tech"]))


def test_bad_input_is_reported_as_by_the_engine(city) -> None:
    from zjtx.rules.inputs import InputError

    rec = {**city.records(dt.date(2026, 12, 2)).row(0, named=True), "founded_on": "2015-13-45"}
    with pytest.raises(InputError) as fast:
        evaluate_few([rec], dt.date(2026, 12, 2), None)
    with pytest.raises(InputError) as slow:
        zjtx.evaluate([rec], dt.date(2026, 12, 2))
    assert str(fast.value) == str(slow.value)

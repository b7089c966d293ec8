import math

from hypothesis import given
from hypothesis import strategies as st

from zjtx.stats import apportion, competition_rank, two_year_avg, yoy

values = st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 50), min_size=1, max_size=12)


@given(values)
def test_competition_rank_definition(v):
    ranks = {k: competition_rank(v, k) for k in v}
    for k in v:
        assert ranks[k] == 1 + sum(x > v[k] for x in v.values())
    # ties share a rank; the best rank is 1
    assert min(ranks.values()) == 1
    for a in v:
        for b in v:
            assert (v[a] == v[b]) == (ranks[a] == ranks[b])


@given(st.integers(0, 100_000), st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 500), min_size=1))
def test_apportion_sums_and_is_fair(total, w):
    out = apportion(total, w)
    assert sum(out.values()) == total
    s = sum(w.values())
    assert all(abs(out[k] - total * w[k] / s) < 1 for k in w)


@given(st.floats(1, 1e12), st.floats(0.5, 2.0), st.floats(0.5, 2.0))
def test_two_year_avg_is_geometric_mean_of_yoys(base, g1, g2):
    y0, y1, y2 = base, base * g1, base * g1 * g2
    avg = two_year_avg(y2, y0).value
    assert math.isclose((1 + avg) ** 2, (1 + yoy(y1, y0).value) * (1 + yoy(y2, y1).value), rel_tol=1e-9)

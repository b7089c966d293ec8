"""Streaming batch evaluation (``zjtx.services.stream``): the same results as ``zjtx.evaluate``,
written chunk by chunk, with nothing left behind on bad input."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import zjtx
from zjtx import demo
from zjtx.rules.inputs import InputError
from zjtx.services.stream import evaluate_to_parquet, stream_evaluate

ON = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> tuple[pl.DataFrame, str]:
    recs = demo.generate(scale=1000).records(ON)
    path = tmp_path_factory.mktemp("stream") / "reg.parquet"
    recs.write_parquet(path, row_group_size=97)
    return recs, str(path)


def test_stream_equals_in_memory(register, tmp_path) -> None:
    recs, path = register
    out = tmp_path / "out.parquet"
    res = stream_evaluate(path, out, ON, ["sme_size", "tech_sme", "innovative_sme"], chunk_rows=128,
                          progress=False)
    assert res.records == recs.height
    assert "户/秒" in res.summary()
    got = pl.read_parquet(out)
    expected = zjtx.evaluate(recs, on=ON, policies=["sme_size", "tech_sme", "innovative_sme"], keep=("uscc", "name"))
    assert got.equals(expected)  # same order, columns, types and values (list columns included)


def test_evaluate_to_parquet_default_policies(register, tmp_path) -> None:
    recs, path = register
    out = tmp_path / "all.parquet"
    n = evaluate_to_parquet(path, out, on=ON, progress=False)
    assert n == recs.height
    assert pl.read_parquet(out).equals(zjtx.evaluate(recs, on=ON, keep=("uscc", "name")))


def test_bad_input_raises_and_writes_nothing(tmp_path) -> None:
    src = tmp_path / "bad.parquet"
    pl.DataFrame({"uscc": ["A", "B"], "employees_y1": ["12", "twelve"]}).write_parquet(src)
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError) as err:
        evaluate_to_parquet(src, out, on=ON, policies=["tech_sme"], progress=False)
    assert "employees_y1" in str(err.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_empty_register(tmp_path) -> None:
    src = tmp_path / "empty.parquet"
    pl.DataFrame({"uscc": pl.Series([], dtype=pl.String), "employees_y1": pl.Series([], dtype=pl.Int64)}).write_parquet(src)
    out = tmp_path / "out.parquet"
    assert evaluate_to_parquet(src, out, on=ON, policies=["tech_sme"], progress=False) == 0
    got = pl.read_parquet(out)
    assert got.height == 0 and "tech_sme.status" in got.columns


def test_detail_status_is_the_full_result_narrowed(register, tmp_path) -> None:
    """``detail="status"`` keeps per policy only ``.status`` and its headline number, with the same
    values as the full output — for tiers and calculators, in memory and streamed."""
    from zjtx.policies import catalog

    recs, path = register
    every = catalog().ids
    full = zjtx.evaluate(recs, on=ON, policies=every, keep=("uscc", "name"))
    narrow = zjtx.evaluate(recs, on=ON, policies=every, keep=("uscc", "name"), detail="status")
    suffixes = {c.rsplit(".", 1)[-1] for c in narrow.columns if "." in c}
    assert suffixes == {"status", "score", "tax", "amount"}
    assert "tech_sme.missing" in full.columns and "tech_sme.missing" not in narrow.columns
    assert narrow.equals(full.select(narrow.columns))
    out = tmp_path / "narrow.parquet"
    stream_evaluate(path, out, ON, every, chunk_rows=300, progress=None, detail="status")
    assert pl.read_parquet(out).equals(narrow)
    with pytest.raises(ValueError, match="详细程度"):
        zjtx.evaluate(recs.head(3), on=ON, detail="everything")


def test_memory_held_between_chunks_does_not_grow_with_the_register(register, tmp_path) -> None:
    """After every chunk the reader holds a chunk's buffers or three, however many chunks came before:
    Arrow's allocated bytes after the last chunks are those after the first ones (pyarrow's default
    read-ahead cache kept every chunk's compressed pages, ≈ 50 KiB more per chunk here)."""
    import pyarrow as pa

    recs, _ = register
    path = tmp_path / "tiled.parquet"
    pl.concat([recs.with_columns(pl.col("uscc") + f"#{i}") for i in range(8)]).write_parquet(path, row_group_size=500)
    held: list[int] = []
    res = stream_evaluate(path, tmp_path / "out.parquet", ON, ["tech_sme"], chunk_rows=500,
                          progress=lambda done, total: held.append(pa.total_allocated_bytes()))
    assert res.records == 8 * recs.height and len(held) == 17  # the call before the first chunk, then 16
    # the next chunk is read ahead and the previous one written meanwhile, so a sample holds one
    # to three chunks (±30 KiB here): compare the last chunks with the first ones, not one sample
    assert max(held[-4:]) - max(held[2:6]) < 16 * 2**10, [b // 2**10 for b in held]


def test_bad_record_in_a_later_chunk_is_numbered_in_the_file_and_nothing_is_left(register, tmp_path) -> None:
    """Reading, evaluating and writing overlap (one chunk each): an error in the fourth chunk stops
    the run after three chunks were written, numbers the record within the whole file, and leaves
    no partial result."""
    recs, _ = register
    bad = recs.head(500).with_columns(pl.col("employees_y1").cast(pl.String))
    bad = bad.with_columns(pl.when(pl.int_range(pl.len()) == 420).then(pl.lit("twelve"))
                           .otherwise(pl.col("employees_y1")).alias("employees_y1"))
    src = tmp_path / "bad.parquet"
    bad.write_parquet(src)
    out = tmp_path / "out.parquet"
    with pytest.raises(InputError) as err:
        stream_evaluate(src, out, ON, ["tech_sme"], chunk_rows=100, progress=False)
    assert [(i.row, i.field) for i in err.value.issues] == [(421, "employees_y1")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet"]


def test_statistics_are_written_for_the_columns_readers_filter_on(register, tmp_path) -> None:
    """Min/max statistics for uscc, each status and headline number (a reader skips row groups by
    them); none for names, explanation numbers and lists (computing those cost a fifth of the writing)."""
    import pyarrow.parquet as pq

    _, path = register
    out = tmp_path / "out.parquet"
    stream_evaluate(path, out, ON, ["tech_sme"], chunk_rows=400, progress=False)
    meta = pq.ParquetFile(out).metadata
    names = [meta.schema.column(i).path for i in range(meta.num_columns)]
    with_stats = {names[i] for i in range(meta.num_columns) if meta.row_group(0).column(i).is_stats_set}
    assert with_stats == {"uscc", "tech_sme.status", "tech_sme.score"}
    assert pl.read_parquet(out, columns=["tech_sme.status"]).height == meta.num_rows

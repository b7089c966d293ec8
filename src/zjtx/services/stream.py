"""Streaming batch evaluation: a Parquet register in, a Parquet result out, memory bounded.

    from zjtx.services.stream import evaluate_to_parquet
    n = evaluate_to_parquet("register.parquet", "results.parquet", on="2025-06-30")

The register is read ``chunk_rows`` records at a time (only the columns the policies read, without
pyarrow's read-ahead cache, which would hold every chunk read so far), each chunk
goes through the compiled plan (``zjtx.rules.engine.plan``, the same one ``zjtx.evaluate`` collects;
parameters resolved once) and is appended to a Parquet writer; after each chunk ``progress(done,
total)`` is called (the CLI draws its progress bar from it).
Reading the next chunk and writing the previous result overlap the evaluation of the current one
(one thread each); at most three chunks are held, so peak memory depends on the chunk size and the width
of the plan, not on the number of records (docs/benchmarks.md gives the measured figures). Polars' own streaming engine (``sink_parquet`` / ``sink_batches`` over
``scan_parquet``) was measured too: with a wide, expensive plan its source reads ahead of the
compute and peak memory grows with the file (over 7 GB within 20 s on 10 M records, all policies).

With ``validate=True`` every chunk is checked as it is read (``zjtx.rules.inputs.prepare``); an
``InputError`` numbers the records within the whole file, and no result file is left behind.
The output is written to a temporary file beside ``out`` and renamed when complete, so a failed or
interrupted run never leaves a partial result under the requested name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

DEFAULT_CHUNK_ROWS = 250_000


@dataclass
class StreamResult:
    """What a streaming run did: records written, wall seconds, records per second."""

    records: int
    seconds: float
    out: str

    @property
    def rate(self) -> float:
        return self.records / max(self.seconds, 1e-9)

    def summary(self) -> str:
        return f"{self.records} 户，{self.seconds:.2f} 秒，{self.rate:,.0f} 户/秒 → {self.out}"


def release() -> None:
    """Return freed chunk memory to the system between chunks (Arrow's pool would otherwise keep its
    high-water mark of output buffers resident)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


# the columns a reader filters a result on: min/max statistics let it skip row groups. Computing
# them for every column (names, explanation numbers, lists) took ≈ 20 % of the writing time
STATISTICS_SUFFIXES = (".status", ".score", ".tax", ".amount")


def statistics_columns(names: Sequence[str]) -> list[str]:
    """The result columns written with Parquet statistics: ``uscc`` and each policy's status and
    headline number."""
    return [n for n in names if n == "uscc" or n.endswith(STATISTICS_SUFFIXES)]


def parquet_rows(path: str | Path) -> int:
    """The number of rows of a Parquet file, from its footer (no data read)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


Progress = Callable[[int, int], None]


def stream_evaluate(
    input: str | Path,
    out: str | Path,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: Any = None,
    *,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc", "name"),
    validate: bool = True,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
    compression: str = "zstd",
    detail: str = "full",
) -> StreamResult:
    """Evaluate a Parquet register into a Parquet result on the streaming engine, in chunks;
    ``progress(records done, total)`` after every chunk."""
    import pyarrow.parquet as pq

    from zjtx.api import evaluate_lazy, policy_list, resolve_params
    from zjtx.rules.engine import input_fields, parse_date
    from zjtx.rules.inputs import InputError, InputIssue

    started = time.perf_counter()
    src, dst = Path(input), Path(out)
    day = parse_date(on)
    pols = policy_list(policies, day)
    prm = resolve_params(day, params)  # resolved once, shared by every chunk's plan
    opts = dict(options or {})
    # pre_buffer=False: with pyarrow's default (True) the reader keeps every row group's coalesced
    # column-chunk reads cached until it is closed — resident memory then grows by the compressed size
    # of each chunk read (≈ 130 MB per 250 000 records), i.e. with the register, not the chunk
    source = pq.ParquetFile(src, pre_buffer=False)
    total = source.metadata.num_rows
    wanted = set(input_fields(pols, day, opts)) | set(keep)
    columns = [c for c in source.schema_arrow.names if c in wanted]
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    written = 0
    writer: pq.ParquetWriter | None = None

    def evaluate(frame: pl.DataFrame, offset: int) -> pl.DataFrame:
        try:
            return evaluate_lazy(frame, day, [p.id for p in pols], prm, options=opts, keep=keep,
                                 validate=validate, detail=detail).collect(engine="in-memory")
        except InputError as err:  # number the records within the whole file, not the chunk
            raise InputError([InputIssue(i.row + offset, i.uscc, i.field, i.value, i.reason)
                              for i in err.issues]) from None

    # three stages overlap: the next chunk is read and the previous result written (pyarrow, which
    # releases the GIL) while Polars evaluates the current one — one thread each, at most one chunk
    # waiting in each, so memory stays bounded by three chunks whatever the register's size
    batches = source.iter_batches(batch_size=chunk_rows, columns=columns)
    reader = ThreadPoolExecutor(1, thread_name_prefix="zjtx-read")
    writes = ThreadPoolExecutor(1, thread_name_prefix="zjtx-write")
    pending: Future[None] | None = None

    def write(table: Any) -> None:
        nonlocal writer
        if writer is None:
            dst.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(tmp, table.schema, compression=compression,
                                      write_statistics=statistics_columns(table.schema.names))
        writer.write_table(table)

    try:
        if progress:
            progress(0, total)
        ahead = reader.submit(next, batches, None)
        evaluated = 0  # records evaluated; ``written``: records written (what progress reports)
        pending_rows = 0

        def wrote() -> None:  # the chunk in the writer is on disk (or its error is raised here)
            nonlocal written
            pending.result()  # type: ignore[union-attr]
            written += pending_rows
            release()
            if progress:
                progress(written, total)

        while (batch := ahead.result()) is not None:
            ahead = reader.submit(next, batches, None)
            table = evaluate(pl.from_arrow(batch), evaluated).to_arrow()  # type: ignore[arg-type]
            evaluated += batch.num_rows
            del batch
            if pending is not None:
                wrote()
            pending, pending_rows = writes.submit(write, table), table.num_rows
            del table
        if pending is not None:
            wrote()
            pending = None
        if writer is None:  # an empty register: still write the (empty) result with its schema
            empty = evaluate(pl.from_arrow(source.schema_arrow.empty_table().select(columns)), 0).to_arrow()  # type: ignore[arg-type]
            write(empty)
        writer.close()  # type: ignore[union-attr]
        writer = None
        tmp.replace(dst)
    finally:
        if pending is not None:
            pending.cancel()
            # the evaluation's own error is the one raised; a write failing meanwhile is moot
            with contextlib.suppress(Exception):
                pending.result()
        writes.shutdown(wait=True)
        reader.shutdown(wait=True, cancel_futures=True)
        if writer is not None:
            writer.close()
        if tmp.exists():
            tmp.unlink()
    return StreamResult(written, time.perf_counter() - started, str(dst))


def evaluate_to_parquet(
    input: str | Path,
    out: str | Path,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: Any = None,
    *,
    validate: bool = True,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Progress | None = None,
    detail: str = "full",
) -> int:
    """``zjtx evaluate in.parquet --out out.parquet``: stream the evaluation; return the record count."""
    return stream_evaluate(input, out, on, policies, params, validate=validate, chunk_rows=chunk_rows,
                           progress=progress, detail=detail).records

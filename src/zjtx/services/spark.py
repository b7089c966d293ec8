"""The Spark runner: the same compiled Polars plan, on Apache Spark partitions.

    from zjtx.services.spark import evaluate_spark, session
    spark = session()                                   # local[2], or ZJTX_SPARK_MASTER, or spark-submit's
    out = evaluate_spark(spark.read.parquet("register.parquet"), on="2025-06-30")

``evaluate_spark`` maps every partition through ``mapInArrow``: the executors receive Arrow record
batches, turn them into Polars frames and run ``zjtx.rules.engine.plan`` — the very plan
``zjtx.evaluate`` collects. Only the policy ids, the evaluation date and the parameter overlay (a
reform) are shipped; each executor rebuilds the plan from its own copy of the catalog, so Spark and
Polars results are identical column for column (``tests/rules/test_spark.py`` checks it). The
result has the columns and types of the Polars result (String → string, Float64 → double,
List(String) → array<string>, Boolean → boolean).

Where it runs is configuration only: ``ZJTX_SPARK_MASTER`` (e.g. ``spark://host:7077``, ``yarn``),
or the master given to ``spark-submit``; otherwise ``local[2]``. Executors need ``zjtx`` installed
(same version as the driver). Importing this module does not start Spark; ``session()`` does.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
# rows per Arrow batch handed to Polars: large enough that rebuilding the plan per batch is noise
BATCH_ROWS = 100_000


def package_archive(dest: str | Path | None = None) -> Path:
    """The installed ``zjtx`` package as a zip archive (``zjtx/…``, no bytecode caches) for the
    executors: Spark unpacks it in each executor's working directory (``spark.archives``), where
    the catalog reads its parameter files like any installed copy."""
    import tempfile
    import zipfile

    import zjtx

    root = Path(zjtx.__file__).resolve().parent
    out = Path(dest) if dest else Path(tempfile.mkdtemp(prefix="zjtx-spark-")) / "zjtx_pkg.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                z.write(f, Path("zjtx") / f.relative_to(root))
    return out


def _local_cluster_env() -> None:
    """``local-cluster[n,cores,mb]`` starts a master, workers and executor JVMs from SPARK_HOME and
    keeps the workers' files under ``SPARK_HOME/work``: use the pip-installed pyspark (its ``bin`` and
    bundled jars) through a SPARK_HOME of links in a temporary directory, so nothing is written
    into the installation."""
    import tempfile

    if "SPARK_HOME" not in os.environ:
        import pyspark

        real = Path(pyspark.__file__).resolve().parent
        home = Path(tempfile.mkdtemp(prefix="zjtx-spark-home-"))
        for entry in real.iterdir():
            if entry.name != "work":
                (home / entry.name).symlink_to(entry)
        os.environ["SPARK_HOME"] = str(home)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


def session(master: str | None = None, app: str = "zjtx", conf: Mapping[str, str] | None = None,
            ship: bool | None = None) -> SparkSession:
    """The Spark session: an active one if any, else one on ``master`` / ``ZJTX_SPARK_MASTER`` /
    the spark-submit master / ``local[2]``.

    ``ship`` (default: for any master but ``local[…]``): send this ``zjtx`` to the executors as an
    archive (``package_archive``, ``spark.archives`` + the executors' ``PYTHONPATH``), so executors
    run the driver's version without installing it. Under spark-submit, ship the wheel or a packed
    environment instead (docs/benchmarks.md, "The Spark runner")."""
    try:
        from pyspark.sql import SparkSession
    except ModuleNotFoundError:  # the optional extra is not installed
        raise ValueError("使用 Spark 计算引擎需要安装可选组件：pip install 'zjtx[spark]'（另需 Java 17）") from None

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    master = master or os.environ.get("ZJTX_SPARK_MASTER")
    if master and master.startswith("local-cluster"):
        _local_cluster_env()
    if ship is None:
        ship = bool(master) and not master.startswith("local[")
    if ship:
        builder = builder.config("spark.archives", f"{package_archive()}#zjtx_pkg").config(
            "spark.executorEnv.PYTHONPATH", "zjtx_pkg")
    if master:
        builder = builder.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit: local mode
        builder = builder.master(DEFAULT_MASTER)
    defaults = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_ROWS),
        "spark.sql.session.timeZone": "UTC",
    }
    if (master or DEFAULT_MASTER).startswith("local"):
        defaults.update({"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4",
                         "spark.driver.memory": os.environ.get("ZJTX_SPARK_DRIVER_MEMORY", "2g")})
    if (master or "").startswith("local-cluster"):
        defaults.update({"spark.driver.host": "127.0.0.1", "spark.executor.memory": "512m"})
    for k, v in {**defaults, **dict(conf or {})}.items():
        builder = builder.config(k, v)
    return builder.getOrCreate()


def _policy_ids(policies: str | Sequence[str] | None, on: dt.date | None = None) -> list[str]:
    from zjtx.api import policy_list

    return [p.id for p in policy_list(policies, on)]


def _evaluate_frame(frame: Any, ids: list[str], on: str, overlay: Mapping[str, Any] | None,
                    options: Mapping[str, Any] | None, keep: Sequence[str], validate: bool,
                    detail: str = "full") -> Any:
    from zjtx.api import evaluate_lazy

    return evaluate_lazy(frame, on, ids, dict(overlay) if overlay else None, options=options, keep=keep,
                         validate=validate, detail=detail).collect(engine="in-memory")


def _partition(batches: Iterator[pa.RecordBatch], ids: list[str], on: str, overlay: Mapping[str, Any] | None,
               options: Mapping[str, Any] | None, keep: Sequence[str], validate: bool,
               target: pa.Schema, detail: str = "full") -> Iterator[pa.RecordBatch]:
    """Executor side: Arrow batches → Polars → the rebuilt plan → Arrow batches of ``target``."""
    import polars as pl
    import pyarrow as pa

    def run(group: list[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frame = pl.from_arrow(pa.Table.from_batches(group))
        out = _evaluate_frame(frame, ids, on, overlay, options, keep, validate, detail)
        yield from out.to_arrow().cast(target).to_batches()

    group: list[pa.RecordBatch] = []
    rows = 0
    for b in batches:
        if b.num_rows == 0:
            continue
        group.append(b)
        rows += b.num_rows
        if rows >= BATCH_ROWS:
            yield from run(group)
            group, rows = [], 0
    if group:
        yield from run(group)


def output_schema(input_schema: Any, policies: str | Sequence[str] | None, on: str | dt.date,
                  params: Mapping[str, Any] | None = None, *, options: Mapping[str, Any] | None = None,
                  keep: Sequence[str] = ("uscc",), detail: str = "full") -> Any:
    """The Spark schema of the result for a Spark input schema (the plan run on an empty frame)."""
    import polars as pl
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    empty = pl.from_arrow(pa.Table.from_batches([], schema=to_arrow_schema(input_schema)))
    day = str(on)
    out = _evaluate_frame(empty, _policy_ids(policies), day, params, options, keep, False, detail)
    return from_arrow_schema(out.to_arrow().schema)


def evaluate_spark(
    sdf: DataFrame,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc",),
    validate: bool = True,
    detail: str = "full",
) -> DataFrame:
    """Evaluate a Spark DataFrame of records as of ``on``; ``params`` is a reform overlay
    (parameter id → value), never resolved ``Params`` (executors resolve it themselves).

    With ``validate`` a bad value fails the job with ``InputError`` naming the record's USCC and
    field (row numbers count within the Arrow batch, not the whole input)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    from zjtx.rules.engine import parse_date
    from zjtx.rules.params import Params

    if isinstance(params, Params):
        raise TypeError("evaluate_spark: pass a parameter overlay (a mapping), not resolved Params")
    day = parse_date(on).isoformat()
    ids = _policy_ids(policies, parse_date(on))
    overlay = dict(params) if params else None
    opts = dict(options) if options else None
    keep = tuple(keep)
    # ship only the columns the plan reads (Spark reads the rest of a wide register for nothing)
    from zjtx.api import policy_list
    from zjtx.rules.engine import input_fields

    wanted = set(input_fields(policy_list(ids), parse_date(day), opts or {})) | set(keep)
    sdf = sdf.select(*[sdf[c] for c in sdf.columns if c in wanted])
    schema = output_schema(sdf.schema, ids, day, overlay, options=opts, keep=keep, detail=detail)
    target = to_arrow_schema(schema)

    def func(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _partition(batches, ids, day, overlay, opts, keep, validate, target, detail)

    return sdf.mapInArrow(func, schema)


def read(spark: SparkSession, path: str | Path) -> DataFrame:
    """A register as a Spark DataFrame: Parquet (file or directory), CSV (text; the plan casts),
    JSON lines natively; other formats through ``zjtx.rules.inputs.read_path``."""
    p = str(path)
    low = p.lower()
    if low.endswith(".parquet") or Path(p).is_dir():
        return spark.read.parquet(p)
    if low.endswith(".csv"):
        return spark.read.option("header", True).option("encoding", "UTF-8").csv(p)
    if low.endswith((".ndjson", ".jsonl")):
        return spark.read.json(p)
    from zjtx.rules.inputs import read_path

    frame = read_path(p)
    table = frame.collect() if hasattr(frame, "collect_schema") and not hasattr(frame, "height") else frame
    return spark.createDataFrame(table.to_arrow())


def evaluate_file(
    path: str | Path,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    out: str | Path | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc", "name"),
    validate: bool = True,
    detail: str = "full",
    partition_by: Sequence[str] = (),
    spark: SparkSession | None = None,
) -> int:
    """``zjtx evaluate FILE --engine spark``: evaluate a register on Spark; return the record count.

    ``path`` may be a partitioned Parquet directory (``division=…/part-….parquet``: the partition
    columns are read back as columns). ``out`` ending in ``.parquet``, without a suffix or an existing
    directory is
    written by Spark (a directory of part files, readable by ``pl.scan_parquet(out + "/**/*.parquet")``),
    partitioned by ``partition_by`` (input columns kept in the result, e.g. ``division``); other
    formats (csv, xlsx, json) are collected to the driver and written there; without ``out`` the
    result is only counted."""
    spark = spark or session()
    sdf = read(spark, path)
    keep = [k for k in [*keep, *partition_by] if k in sdf.columns]
    result = evaluate_spark(sdf, on, policies, params, keep=list(dict.fromkeys(keep)), validate=validate,
                            detail=detail)
    if out is None:
        return result.count()
    target = str(out)
    if target.lower().endswith(".parquet") or Path(target).is_dir() or not Path(target).suffix:
        writer = result.write.mode("overwrite")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        writer.parquet(target)
        return spark.read.parquet(target).count()
    import polars as pl

    from zjtx.rules.outputs import write_frame

    df = pl.from_arrow(result.toArrow())
    write_frame(df, target)
    return df.height

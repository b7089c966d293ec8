"""A larger register from a generated one, by repeating its row groups (USCCs made unique), without
holding it in memory — for memory-flatness runs at 3 M / 5 M / 10 M records.

    .venv/bin/python bench/tile.py --n 1000000 --times 5     # bench/data/reg_5000000.parquet
"""

from __future__ import annotations

import argparse

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from common import DATA, data_file, line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--times", type=int, default=3)
    a = ap.parse_args()
    src = pq.ParquetFile(data_file(a.n))
    out = DATA / f"reg_{a.n * a.times}.parquet"
    tmp = out.with_suffix(".part")
    with pq.ParquetWriter(tmp, src.schema_arrow, compression="zstd") as w:
        for t in range(a.times):
            for g in range(src.num_row_groups):
                tb = src.read_row_group(g)
                if t:
                    i = tb.schema.get_field_index("uscc")
                    tb = tb.set_column(i, "uscc", pc.binary_join_element_wise(tb["uscc"], pa.scalar(f"#{t}", tb["uscc"].type), pa.scalar("", tb["uscc"].type)))
                w.write_table(tb)
    tmp.replace(out)
    line("tile", n=a.n * a.times, out=str(out))


if __name__ == "__main__":
    main()

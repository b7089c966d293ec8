"""Whole-register versions are computed once per database change (SQLite's ``data_version`` seen from a
watching connection): a commit by any other connection — another process included — computes afresh."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from zjtx.apps.evaluations import pagecache


@pytest.fixture
def file_db(tmp_path, monkeypatch):
    """The default connection pointed at a database file (no test transaction around the test)."""
    path = tmp_path / "stamp.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x INTEGER)")
    monkeypatch.setitem(connection.settings_dict, "NAME", str(path))
    monkeypatch.setattr(connection, "in_atomic_block", False)
    yield writer
    writer.close()
    with pagecache._watch_lock:
        if pagecache._watch["conn"] is not None:
            pagecache._watch["conn"].close()
        pagecache._watch.update(conn=None, name=None)
        pagecache._stamped.clear()


def test_computed_once_per_change_by_any_connection(file_db, tmp_path) -> None:
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        return int(file_db.execute("SELECT COUNT(*) FROM t").fetchone()[0])

    assert pagecache.per_change("n", count) == 0
    assert pagecache.per_change("n", count) == 0
    assert len(calls) == 1  # nothing committed meanwhile: read back
    file_db.execute("INSERT INTO t VALUES (1)")
    assert pagecache.per_change("n", count) == 1 and len(calls) == 2
    other = sqlite3.connect(tmp_path / "stamp.sqlite3", isolation_level=None)  # as another process would
    other.execute("INSERT INTO t VALUES (2)")
    other.close()
    assert pagecache.per_change("n", count) == 2 and len(calls) == 3
    assert pagecache.per_change("n", count) == 2 and len(calls) == 3


def test_no_stamp_inside_a_transaction_or_in_memory(monkeypatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "NAME", "file:memorydb_default?mode=memory&cache=shared")
    assert pagecache.db_stamp() is None
    calls: list[int] = []
    pagecache.per_change("m", lambda: calls.append(1))
    pagecache.per_change("m", lambda: calls.append(1))
    assert len(calls) == 2  # computed every time

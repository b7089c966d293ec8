"""Insert-only audit log, enforced by the database itself (PostgreSQL and SQLite triggers).

UPDATE, DELETE and (PostgreSQL) TRUNCATE on ``accounts_auditentry`` raise an error whatever the
client: the application, the admin, a SQL console with the application's credentials. Installed by
migration ``accounts.0003``; :func:`install` is idempotent.
"""

from __future__ import annotations

from typing import Any

TABLE = "accounts_auditentry"
MESSAGE = "审计日志只允许追加，不可修改或删除"

_PG = [
    f"""CREATE OR REPLACE FUNCTION zjtx_audit_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END $$""",
    f"DROP TRIGGER IF EXISTS zjtx_audit_no_update ON {TABLE}",
    f"""CREATE TRIGGER zjtx_audit_no_update BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION zjtx_audit_insert_only()""",
    f"DROP TRIGGER IF EXISTS zjtx_audit_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER zjtx_audit_no_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION zjtx_audit_insert_only()""",
]
_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS zjtx_audit_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS zjtx_audit_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
_PG_DROP = [f"DROP TRIGGER IF EXISTS zjtx_audit_no_update ON {TABLE}",
            f"DROP TRIGGER IF EXISTS zjtx_audit_no_truncate ON {TABLE}"]
_SQLITE_DROP = ["DROP TRIGGER IF EXISTS zjtx_audit_no_update", "DROP TRIGGER IF EXISTS zjtx_audit_no_delete"]


def _statements(connection: Any, drop: bool = False) -> list[str]:
    if connection.vendor == "postgresql":
        return _PG_DROP if drop else _PG
    if connection.vendor == "sqlite":
        return _SQLITE_DROP if drop else _SQLITE
    return []


def install(connection: Any) -> None:
    with connection.cursor() as cur:
        for sql in _statements(connection):
            cur.execute(sql)


def remove(connection: Any) -> None:
    """Only for a deliberate maintenance step (and the test suite's database flush)."""
    with connection.cursor() as cur:
        for sql in _statements(connection, drop=True):
            cur.execute(sql)

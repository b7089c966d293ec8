"""``zjtx backup`` / ``zjtx restore`` round trips: SQLite (online backup API) and PostgreSQL
(pg_dump/pg_restore into a second database), with the audit chain intact after the restore."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner
from webtest_helpers import GUZHEN, XIAOLAN, uscc

from zjtx.apps.accounts import chain
from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.models import AnnualReport, Enterprise
from zjtx.cli import app


def _registry() -> list[tuple]:
    return list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "version")) + list(
        AnnualReport.objects.order_by("enterprise__uscc", "year").values_list("enterprise__uscc", "year", "revenue"))


def _fill(make_user) -> None:
    from zjtx.apps.accounts.audit import audit_context

    staff = make_user("backup_staff", "city_staff")
    with audit_context(staff):
        a = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
        Enterprise.objects.create(uscc=uscc(2), name="乙", division_id=GUZHEN)
        AnnualReport.objects.create(enterprise=a, year=2024, revenue=123456789)
        a.name = "甲（更名）"
        a.save()


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_and_restore_round_trip(make_user, tmp_path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs in the SQLite pass of the suite")
    _fill(make_user)
    before, chain_before = _registry(), list(AuditEntry.objects.order_by("chain", "seq").values_list("chain", "seq", "hash"))
    target = tmp_path / "zjtx.sqlite3"
    result = CliRunner().invoke(app, ["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output and target.stat().st_size > 0
    # the registry changes after the backup …
    Enterprise.objects.filter(uscc=uscc(2)).delete()
    Enterprise.objects.create(uscc=uscc(3), name="丙", division_id=XIAOLAN)
    assert _registry() != before
    # … and the restore brings back exactly the backed-up state, audit chain included
    result = CliRunner().invoke(app, ["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert _registry() == before
    assert list(AuditEntry.objects.order_by("chain", "seq").values_list("chain", "seq", "hash")) == chain_before
    assert chain.verify().ok and "审计日志：" in result.output and "完整" in result.output


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database" * 100)
    from zjtx.commands.backup import BackupError, restore_database

    with pytest.raises(BackupError, match="不是有效的 SQLite 备份文件"):
        restore_database(bad, {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.sqlite3")})
    with pytest.raises(BackupError, match="备份文件不存在"):
        restore_database(tmp_path / "missing", {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_and_restore_round_trip(make_user, tmp_path) -> None:
    import psycopg

    from zjtx.commands.backup import backup_database, restore_database

    _fill(make_user)
    db = dict(connection.settings_dict)
    dump = tmp_path / "zjtx.dump"
    result = CliRunner().invoke(app, ["backup", str(dump)])
    assert result.exit_code == 0, result.output
    assert dump.read_bytes()[:5] == b"PGDMP"
    scratch = f"zjtx_restore_{abs(hash(str(tmp_path))) % 10**8}"
    admin = psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        target = {**db, "NAME": scratch}
        restore_database(dump, target)
        restore_database(dump, target)  # over an existing copy: --clean replaces it
        with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=scratch) as c:
            rows = c.execute("SELECT uscc, name, version FROM enterprises_enterprise ORDER BY uscc").fetchall()
            audit = c.execute("SELECT chain, seq, hash FROM accounts_auditentry ORDER BY chain, seq").fetchall()
            triggers = {r[0] for r in c.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts_auditentry'::regclass").fetchall()}
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute("DELETE FROM accounts_auditentry")
        assert rows == list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "version"))
        assert audit == list(AuditEntry.objects.order_by("chain", "seq").values_list("chain", "seq", "hash"))
        assert {"zjtx_audit_no_update", "zjtx_audit_no_truncate"} <= triggers
        # and a backup of the restored copy is byte-for-byte restorable again
        assert len(backup_database(tmp_path / "again.dump", target)) == 64
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()

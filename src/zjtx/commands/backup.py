"""``zjtx backup`` / ``zjtx restore`` — the platform database to one file and back.

* SQLite: the online backup API (a consistent copy while the platform keeps running, WAL included),
  checked with ``PRAGMA integrity_check``; restore copies the backup back page by page.
* PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --single-transaction``
  (the audit triggers, the audit chain and its head travel with the data).

After a restore the audit chain is verified and the result printed. The database is the one of the
platform settings (``DATABASE_URL`` / ``ZJTX_DATA_DIR``) unless ``--database-url`` names another.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from zjtx.commands.common import console


class BackupError(RuntimeError):
    """A backup or restore that could not be done; ``str(exc)`` is the Chinese reason."""


def _database(url: str | None) -> dict[str, Any]:
    if url:
        import dj_database_url

        return dj_database_url.parse(url)
    from zjtx.web import setup

    setup()
    from django.db import connection

    return dict(connection.settings_dict)


def _is_sqlite(db: dict[str, Any]) -> bool:
    return str(db.get("ENGINE", "")).endswith("sqlite3")


def _sqlite_connect(name: str | Path) -> sqlite3.Connection:
    name = str(name)
    return sqlite3.connect(name, uri=name.startswith("file:"))


def sqlite_backup(source: str | Path | sqlite3.Connection, dest: Path) -> None:
    """A consistent copy of a live SQLite database (``source``: path, URI or open connection)."""
    src = source if isinstance(source, sqlite3.Connection) else _sqlite_connect(source)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    out = sqlite3.connect(tmp)
    try:
        src.backup(out)
        ok = out.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise BackupError(f"备份文件完整性检查未通过：{ok}")
    finally:
        out.close()
        if src is not source:
            src.close()
    tmp.replace(dest)


def sqlite_restore(backup: Path, target: str | Path | sqlite3.Connection) -> None:
    """Replace the content of ``target`` with the backup (checked first)."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        try:
            ok = src.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError("不是有效的 SQLite 备份文件") from exc
        if ok != "ok":
            raise BackupError(f"备份文件已损坏：{ok}")
        dst = target if isinstance(target, sqlite3.Connection) else _sqlite_connect(target)
        try:
            src.backup(dst)
        finally:
            if dst is not target:
                dst.close()
    finally:
        src.close()


def _pg_url(db: dict[str, Any]) -> tuple[str, dict[str, str]]:
    from urllib.parse import quote

    user = quote(str(db.get("USER") or ""), safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{quote(str(db['NAME']), safe='')}", env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    return path


def pg_backup(db: dict[str, Any], dest: Path) -> None:
    url, env = _pg_url(db)
    tmp = dest.with_name(dest.name + ".partial")
    run = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                          f"--file={tmp}", f"--dbname={url}"], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump 失败：{run.stderr.strip()}")
    tmp.replace(dest)


def pg_restore(backup: Path, db: dict[str, Any]) -> None:
    url, env = _pg_url(db)
    run = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                          "--single-transaction", "--exit-on-error", f"--dbname={url}", str(backup)],
                         env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_restore 失败（数据库未改动）：{run.stderr.strip()}")


def backup_database(dest: Path, db: dict[str, Any]) -> str:
    """Write the backup; returns its SHA-256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite(db):
        sqlite_backup(db["NAME"], dest)
    elif "postgresql" in str(db.get("ENGINE", "")):
        pg_backup(db, dest)
    else:
        raise BackupError(f"不支持的数据库：{db.get('ENGINE')}")
    return hashlib.sha256(dest.read_bytes()).hexdigest()


def restore_database(src: Path, db: dict[str, Any]) -> None:
    if not src.is_file():
        raise BackupError(f"备份文件不存在：{src}")
    if _is_sqlite(db):
        sqlite_restore(src, db["NAME"])
    elif "postgresql" in str(db.get("ENGINE", "")):
        pg_restore(src, db)
    else:
        raise BackupError(f"不支持的数据库：{db.get('ENGINE')}")


def backup(
    path: Annotated[Path, typer.Argument(help="备份文件路径（SQLite 为 .sqlite3，PostgreSQL 为 pg_dump 自定义格式）")],
    database_url: Annotated[str | None, typer.Option("--database-url", help="数据库地址，默认平台的数据库")] = None,
) -> None:
    """备份平台数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）。"""
    db = _database(database_url)
    try:
        digest = backup_database(path, db)
    except BackupError as exc:
        console.print(f"[red]备份失败：[/]{exc}")
        raise typer.Exit(1) from exc
    console.print(f"已备份到 {path}（{path.stat().st_size:,} 字节，SHA-256 {digest}）")


def restore(
    path: Annotated[Path, typer.Argument(help="zjtx backup 生成的备份文件")],
    database_url: Annotated[str | None, typer.Option("--database-url", help="数据库地址，默认平台的数据库")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="不再确认（现有数据将被备份内容替换）")] = False,
) -> None:
    """用备份文件恢复平台数据库（现有数据被替换），并校验审计日志哈希链。"""
    db = _database(database_url)
    if not yes and not typer.confirm(f"将用 {path} 替换数据库 {db.get('NAME')} 的全部数据，继续？"):
        raise typer.Exit(1)
    try:
        restore_database(path, db)
    except BackupError as exc:
        console.print(f"[red]恢复失败：[/]{exc}")
        raise typer.Exit(1) from exc
    console.print(f"已从 {path} 恢复数据库 {db.get('NAME')}")
    if database_url is None:
        from django.db import connection

        connection.close()
        from zjtx.apps.accounts.chain import verify

        report = verify()
        status = "完整" if report.ok else f"发现 {len(report.problems)} 处问题（运行 zjtx audit verify 查看）"
        console.print(f"审计日志：{report.checked} 条，{status}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)

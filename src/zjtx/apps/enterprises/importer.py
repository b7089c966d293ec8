"""Excel/CSV import of the registry: read → validate every cell (preview) → apply in ONE transaction.

Layout (the downloadable template): sheet “企业年报” (one row per enterprise and year; enterprise
columns, 年度, 数据来源, annual columns) and optional sheet “荣誉资质”. Row 1 holds the Chinese
headers (``FieldSpec.header``, English field names also accepted); an optional notes row starting
with “【填写说明】” follows. Row numbers in messages are the spreadsheet's own.

Rows upsert by USCC (enterprise) and by USCC + 年度 (annual report): existing rows are updated,
never duplicated. Empty cells leave stored values unchanged unless ``overwrite_blank`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.audit import audit_context, log
from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.cells import CellError, is_blank, parse_cell, raw_text
from zjtx.apps.enterprises.fields import (
    ANNUAL_NAMES,
    BY_NAME,
    ENTERPRISE_NAMES,
    IMPORT_FIELDS,
    TITLE_IMPORT_FIELDS,
    FieldSpec,
    vat_return_problems,
)
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise, ImportJob, Title

logger = logging.getLogger("zjtx.import")

MAIN_SHEET = "企业年报"
TITLE_SHEET = "荣誉资质"
NOTES_MARK = "【填写说明】"

# (field, must be ≤ field): cross-field checks within one annual row.
_AT_MOST = (
    ("tech_staff", "employees"), ("rd_staff", "employees"),
    ("ip1_high_value", "ip1"), ("ip1_self_developed", "ip1"), ("ip1_applied", "ip1"),
    ("main_revenue", "revenue"), ("high_tech_revenue", "revenue"),
)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    sheet: str = MAIN_SHEET

    def __str__(self) -> str:
        prefix = "" if self.sheet == MAIN_SHEET else f"{self.sheet} "
        where = f"第{self.row}行 " if self.row else ""
        return f"{prefix}{where}{self.column}：{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message,
                "text": str(self)}


@dataclass
class RowData:
    row: int
    uscc: str
    values: dict[str, Any]          # field → parsed value (present, non-blank cells)
    blanks: set[str]                # fields with a column but an empty cell
    raw: dict[str, str]
    source: str
    year: int | None


@dataclass
class TitleData:
    row: int
    uscc: str
    values: dict[str, Any]


@dataclass
class ParseResult:
    rows: list[RowData] = field(default_factory=list)
    titles: list[TitleData] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_enterprises: int = 0
    updated_enterprises: int = 0
    new_reports: int = 0
    updated_reports: int = 0

    @property
    def total_rows(self) -> int:
        return len(self.rows) + len(self.titles)

    def summary(self) -> dict[str, int]:
        return {"rows": len(self.rows), "titles": len(self.titles), "new_enterprises": self.new_enterprises,
                "updated_enterprises": self.updated_enterprises, "new_reports": self.new_reports,
                "updated_reports": self.updated_reports}


class ImportCancelled(Exception):
    """Raised inside the import transaction to roll it back."""


class ImportRejected(Exception):
    """The file no longer validates at confirmation time."""


# ---------------------------------------------------------------- reading

def read_sheets(content: bytes, filename: str = "") -> dict[str, list[list[Any]]]:
    """All sheets as lists of rows (values typed by the spreadsheet), read by ``safefile``: size, ZIP,
    dimension and encoding checks first; unusable cells come back as ``BadCell`` (a row error)."""
    from zjtx.apps.enterprises.safefile import read_sheets as safe_read

    return safe_read(content, filename, csv_sheet=MAIN_SHEET)


def _norm_header(text: Any) -> str:
    t = raw_text(text).replace(" ", "").replace("*", "").replace("\n", "")
    for unit in ("（元）", "(元)"):
        t = t.removesuffix(unit)
    return t.replace("(", "（").replace(")", "）")


def _header_index(specs: Iterable[FieldSpec]) -> dict[str, FieldSpec]:
    index: dict[str, FieldSpec] = {}
    for spec in specs:
        for key in (spec.name, spec.label, spec.header, *spec.aliases):
            index[_norm_header(key)] = spec
    return index


_MAIN_INDEX = _header_index(IMPORT_FIELDS)
_TITLE_INDEX = _header_index(TITLE_IMPORT_FIELDS)


def _columns(header: list[Any], index: dict[str, FieldSpec], sheet: str,
             warnings: list[Problem], errors: list[Problem]) -> dict[int, FieldSpec]:
    cols: dict[int, FieldSpec] = {}
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if is_blank(h):
            continue
        spec = index.get(_norm_header(h))
        if spec is None:
            warnings.append(Problem(1, f"列「{raw_text(h)}」", "无法识别，已忽略", sheet))
            continue
        if spec.name in seen:
            errors.append(Problem(1, spec.label, f"列重复（第{seen[spec.name] + 1}列与第{i + 1}列）", sheet))
            continue
        seen[spec.name] = i
        cols[i] = spec
    return cols


def _data_rows(rows: list[list[Any]]) -> Iterable[tuple[int, list[Any]]]:
    for n, row in enumerate(rows[1:], start=2):
        if all(is_blank(v) for v in row):
            continue
        if n == 2 and any(isinstance(v, str) and v.startswith(NOTES_MARK) for v in row):
            continue
        yield n, row


# ---------------------------------------------------------------- validation

def validate(content: bytes, filename: str, user: Any) -> ParseResult:
    """Parse and check the whole file without writing anything; every problem is reported."""
    result = ParseResult()
    try:
        sheets = read_sheets(content, filename)
    except CellError as exc:
        result.errors.append(Problem(0, "文件", str(exc).removeprefix("无法读取文件：")))
        return result
    main_name = MAIN_SHEET if MAIN_SHEET in sheets else next(
        (n for n in sheets if n not in (TITLE_SHEET, "填写说明", "代码表")), None)
    if main_name is None or not sheets.get(main_name):
        result.errors.append(Problem(0, "文件", "找不到“企业年报”工作表或表头"))
        return result
    _validate_main(sheets[main_name], user, result)
    if sheets.get(TITLE_SHEET):
        _validate_titles(sheets[TITLE_SHEET], user, result)
    result.errors.sort(key=lambda p: (p.sheet != MAIN_SHEET, p.row))
    limit = getattr(settings, "ZJTX_IMPORT_MAX_ERRORS", 1000)
    if len(result.errors) > limit:
        more = len(result.errors) - limit
        result.errors = [*result.errors[:limit], Problem(0, "文件", f"另有 {more} 处问题未列出，请先修正以上问题")]
    return result


def _validate_main(rows: list[list[Any]], user: Any, result: ParseResult) -> None:
    errors, warnings = result.errors, result.warnings
    cols = _columns(rows[0], _MAIN_INDEX, MAIN_SHEET, warnings, errors)
    names = {s.name for s in cols.values()}
    if "uscc" not in names:
        errors.append(Problem(1, "统一社会信用代码", "缺少此列"))
        return
    parsed: list[RowData] = []
    for n, row in _data_rows(rows):
        values: dict[str, Any] = {}
        blanks: set[str] = set()
        raw: dict[str, str] = {}
        row_errors: list[Problem] = []
        for i, spec in cols.items():
            cell = row[i] if i < len(row) else None
            if is_blank(cell):
                blanks.add(spec.name)
                continue
            raw[spec.name] = raw_text(cell)
            try:
                values[spec.name] = parse_cell(spec, cell)
            except CellError as exc:
                row_errors.append(Problem(n, spec.label, str(exc)))
        if "uscc" in blanks:
            row_errors.insert(0, Problem(n, "统一社会信用代码", "不能为空"))
        annual_given = [f for f in ANNUAL_NAMES if f in values or f in raw]
        if annual_given and "year" not in values and "year" not in raw:
            row_errors.append(Problem(n, "年度", "填写了年度数据时必须填写年度"))
        for small, big in _AT_MOST:
            a, b = values.get(small), values.get(big)
            if a is not None and b is not None and a > b:
                row_errors.append(Problem(n, BY_NAME[small].label, f"不能大于{BY_NAME[big].label}（{raw[big]}）"))
        for name, reason in vat_return_problems(values):
            row_errors.append(Problem(n, BY_NAME[name].label, reason))
        errors.extend(row_errors)
        if "uscc" in values:
            parsed.append(RowData(n, values.pop("uscc"), values, blanks - {"uscc"}, raw,
                                  values.pop("source", "self") or "self", values.pop("year", None)))
    # duplicates: one row per enterprise and year
    first: dict[tuple[str, int | None], int] = {}
    duplicates: set[int] = set()
    for r in parsed:
        key = (r.uscc, r.year)
        if key in first:
            errors.append(Problem(r.row, "统一社会信用代码", f"与第{first[key]}行重复"))
            duplicates.add(r.row)
        else:
            first[key] = r.row
    # one enterprise in several rows (several years): its enterprise columns must agree
    seen_values: dict[str, dict[str, tuple[int, Any]]] = {}
    for r in parsed:
        if r.row in duplicates:
            continue
        seen = seen_values.setdefault(r.uscc, {})
        for name in ENTERPRISE_NAMES:
            if name not in r.values:
                continue
            if name in seen and seen[name][1] != r.values[name]:
                errors.append(Problem(r.row, BY_NAME[name].label,
                                      f"与第{seen[name][0]}行不一致（同一企业的企业信息须相同）"))
            else:
                seen.setdefault(name, (r.row, r.values[name]))
    # existing enterprises, names and scope
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in={r.uscc for r in parsed})}
    existing_years = set(AnnualReport.objects.filter(enterprise__uscc__in=list(existing))
                         .values_list("enterprise__uscc", "year"))
    own_division = scope.user_division_code(user)
    own_name = Division.objects.filter(code=own_division).values_list("name", flat=True).first() or ""
    named: set[str] = set()
    seen_new: set[str] = set()
    for r in parsed:
        ent = existing.get(r.uscc)
        if ent is None and r.uscc not in named and not r.values.get("name"):
            errors.append(Problem(r.row, "企业名称", "新增企业必须填写企业名称"))
        if r.values.get("name"):
            named.add(r.uscc)
        if ent is not None and not scope.can_edit(user, ent):
            errors.append(Problem(r.row, "统一社会信用代码", "该企业不在本账号管辖范围内，不能修改"))
        division = r.values.get("division") or (ent.division_id if ent else None)
        if own_division is not None and "division" in r.values and r.values["division"] != own_division:
            errors.append(Problem(r.row, "所属镇街", f"超出本账号管辖范围（仅限{own_name}）"))
        elif ent is None and not scope.can_create_in(user, division):
            errors.append(Problem(r.row, "所属镇街",
                                  f"超出本账号管辖范围（仅限{own_name}）" if own_division else "无权新增企业"))
        if ent is None and r.uscc not in seen_new:
            seen_new.add(r.uscc)
            result.new_enterprises += 1
        elif ent is not None and r.uscc not in seen_new:
            seen_new.add(r.uscc)
            result.updated_enterprises += 1
        if r.year is not None:
            if (r.uscc, r.year) in existing_years:
                result.updated_reports += 1
            else:
                result.new_reports += 1
    result.rows = parsed


def _validate_titles(rows: list[list[Any]], user: Any, result: ParseResult) -> None:
    errors = result.errors
    cols = _columns(rows[0], _TITLE_INDEX, TITLE_SHEET, result.warnings, errors)
    names = {s.name for s in cols.values()}
    for required, label in (("uscc", "统一社会信用代码"), ("title", "称号"), ("granted_on", "认定日期")):
        if required not in names:
            errors.append(Problem(1, label, "缺少此列", TITLE_SHEET))
    if errors and any(p.sheet == TITLE_SHEET and p.row == 1 and p.message == "缺少此列" for p in errors):
        return
    in_file = {r.uscc for r in result.rows}
    parsed: list[TitleData] = []
    for n, row in _data_rows(rows):
        values: dict[str, Any] = {}
        for i, spec in cols.items():
            cell = row[i] if i < len(row) else None
            if is_blank(cell):
                if spec.name in ("uscc", "title", "granted_on"):
                    errors.append(Problem(n, spec.label, "不能为空", TITLE_SHEET))
                continue
            try:
                values[spec.name] = parse_cell(spec, cell)
            except CellError as exc:
                errors.append(Problem(n, spec.label, str(exc), TITLE_SHEET))
        g, x = values.get("granted_on"), values.get("expires_on")
        if g is not None and x is not None and x < g:
            errors.append(Problem(n, "有效期至", "不能早于认定日期", TITLE_SHEET))
        if "uscc" in values:
            parsed.append(TitleData(n, values["uscc"], values))
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in={t.uscc for t in parsed})}
    first: dict[tuple[str, str, date], int] = {}
    for t in parsed:
        ent = existing.get(t.uscc)
        if ent is None and t.uscc not in in_file:
            errors.append(Problem(t.row, "统一社会信用代码", "企业不在库中，也不在“企业年报”表中", TITLE_SHEET))
        elif ent is not None and not scope.can_edit(user, ent):
            errors.append(Problem(t.row, "统一社会信用代码", "该企业不在本账号管辖范围内，不能修改", TITLE_SHEET))
        if "title" in t.values and "granted_on" in t.values:
            key = (t.uscc, t.values["title"], t.values["granted_on"])
            if key in first:
                errors.append(Problem(t.row, "统一社会信用代码", f"与第{first[key]}行重复", TITLE_SHEET))
            else:
                first[key] = t.row
                result.titles.append(t)


# ---------------------------------------------------------------- applying: stage, then one short commit
#
# Staging reads what the file touches (enterprises, annual reports, titles) in a few bulk queries and
# computes every new row, every change and its audit entry in memory — outside any write transaction,
# so pages (and edits) go on meanwhile. The commit then checks that nobody changed a staged row since
# (record versions), writes everything with bulk statements and the audit entries in one batch, in ONE
# transaction: all or nothing, and short (seconds for 50,000 rows). A row edited between staging and
# commit makes the import stage again from the current data (the edit is kept, not overwritten blindly).

_CHUNK = 2000


class Restage(Exception):
    """A staged row changed before the commit: stage again."""


def _insert_fields(model: Any) -> list[Any]:
    from django.db import models as m

    return [f for f in model._meta.concrete_fields if not isinstance(f, m.AutoField | m.BigAutoField)]


def _compile_inserts(model: Any, objs: list[Any], batch: int = 500) -> list[tuple[str, list[Any]]]:
    """The INSERT statements of ``objs`` compiled to SQL and parameters (Django's own compiler), so the
    costly part of a bulk insert happens before the write transaction."""
    from django.db.models.sql import InsertQuery

    fields = _insert_fields(model)
    out: list[tuple[str, list[Any]]] = []
    for i in range(0, len(objs), batch):
        q = InsertQuery(model)
        q.insert_values(fields, objs[i:i + batch])
        out.extend((_native(sql), list(params)) for sql, params in q.get_compiler(using="default").as_sql())
    return out


def _native(sql: str) -> str:
    """``sql`` in the driver's own placeholder style (SQLite: ``?``), converted while staging — as Django's
    SQLite cursor would on every execution, which for multi-row INSERTs costs a regular expression over
    thousands of placeholders inside the transaction."""
    from django.db import connection

    if connection.vendor == "sqlite":
        from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

        return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")
    return sql


def _raw_cursor() -> Any:
    """A cursor for :func:`_native` SQL on the default connection (inside its current transaction)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.cursor() if connection.vendor == "sqlite" else connection.cursor()


def _select_in(table: str, columns: tuple[str, ...], key: str, values: list[Any]) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM table WHERE key IN (values)`` in chunks, without the ORM's compilation."""
    from contextlib import closing

    from django.db import connection

    qn = connection.ops.quote_name
    mark = "?" if connection.vendor == "sqlite" else "%s"
    head = f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)} WHERE {qn(key)} IN "
    out: list[tuple[Any, ...]] = []
    with closing(_raw_cursor()) as cur:
        for chunk in _chunks(values):
            cur.execute(head + "(" + ", ".join([mark] * len(chunk)) + ")", chunk)
            out.extend(cur.fetchall())
    return out


@dataclass
class Staged:
    new_enterprises: list[Enterprise] = field(default_factory=list)
    changed_enterprises: list[tuple[Enterprise, dict[str, Any]]] = field(default_factory=list)  # (row, before)
    new_reports: list[tuple[AnnualReport, str]] = field(default_factory=list)  # (row, uscc)
    changed_reports: list[tuple[AnnualReport, dict[str, Any]]] = field(default_factory=list)
    new_titles: list[tuple[Title, str]] = field(default_factory=list)
    changed_titles: list[tuple[Title, dict[str, Any]]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)
    report_sql: list[tuple[str, list[Any]]] = field(default_factory=list)  # compiled INSERTs of new_reports
    report_fk: dict[int, Any] = field(default_factory=dict)  # placeholder enterprise id → USCC (then id)
    report_shape: tuple[int, int] = (0, 0)  # columns per row, position of enterprise_id
    enterprise_sql: list[tuple[str, list[Any]]] = field(default_factory=list)  # compiled INSERTs of new ones
    expected: dict[str, dict[Any, int]] = field(default_factory=dict)  # model → pk → version read (changed rows)
    updates: list[tuple[str, list[list[Any]]]] = field(default_factory=list)  # compiled UPDATEs (executemany)
    audit: Any = None  # the audit entries, prepared (``chain.prepare``)

    @property
    def writes(self) -> int:
        return (len(self.new_enterprises) + len(self.changed_enterprises) + len(self.new_reports)
                + len(self.changed_reports) + len(self.new_titles) + len(self.changed_titles))


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _load(model: Any, key: str, values: Iterable[Any], **extra: Any) -> list[Any]:
    out: list[Any] = []
    for chunk in _chunks(sorted(set(values))):
        out.extend(model.objects.filter(**{f"{key}__in": chunk}, **extra))
    return out


def stage(result: ParseResult, *, overwrite_blank: bool = False,
          progress: Callable[[int], None] | None = None) -> Staged:
    """Compute every write of a validated result (no write). ``progress`` may raise to cancel."""
    from zjtx.apps.accounts.audit import snapshot

    usccs = {r.uscc for r in result.rows} | {t.uscc for t in result.titles}
    ents = {e.uscc: e for e in _load(Enterprise, "uscc", usccs)}
    reports = {(r.enterprise_id, r.year): r for r in _load(AnnualReport, "enterprise_id",
                                                           [e.pk for e in ents.values()])}
    staged = Staged()
    before_ent: dict[str, dict[str, Any] | None] = {}
    before_rep: dict[tuple[str, int], dict[str, Any] | None] = {}
    new_reps: dict[tuple[str, int], AnnualReport] = {}
    done = 0
    for r in result.rows:
        ent = ents.get(r.uscc)
        if ent is None:
            ent = ents[r.uscc] = Enterprise(uscc=r.uscc)
            before_ent[r.uscc] = None
        elif r.uscc not in before_ent:
            before_ent[r.uscc] = snapshot(ent)
            ent.provenance, ent.raw = dict(ent.provenance), dict(ent.raw)
        for name in ENTERPRISE_NAMES:
            if name == "uscc":
                continue
            attr = "division_id" if name == "division" else name
            if name in r.values:
                setattr(ent, attr, r.values[name])
                ent.provenance[name] = r.source
                ent.raw[name] = r.raw[name]
            elif overwrite_blank and name in r.blanks and ent.pk is not None and name not in ("name", "division"):
                setattr(ent, attr, "" if name in ("industry", "contact_name", "contact_phone") else None)
                ent.provenance.pop(name, None)
                ent.raw.pop(name, None)
        if "uscc" in r.raw:
            ent.raw["uscc"] = r.raw["uscc"]
        if r.year is not None:
            key = (r.uscc, r.year)
            rep = reports.get((ent.pk, r.year)) if ent.pk is not None else None
            if rep is None:
                rep = new_reps.get(key)
                if rep is None:
                    rep = new_reps[key] = AnnualReport(year=r.year)
                    before_rep[key] = None
            elif key not in before_rep:
                before_rep[key] = snapshot(rep)
                rep.provenance, rep.raw = dict(rep.provenance), dict(rep.raw)
            for name in ANNUAL_NAMES:
                if name in r.values:
                    setattr(rep, name, r.values[name])
                    rep.provenance[name] = r.source
                    rep.raw[name] = r.raw[name]
                elif overwrite_blank and name in r.blanks:
                    setattr(rep, name, "" if BY_NAME[name].kind == "choice" else None)
                    rep.provenance.pop(name, None)
                    rep.raw.pop(name, None)
            if rep.pk is not None:
                rep._zjtx_uscc = r.uscc  # type: ignore[attr-defined]
        done += 1
        if progress is not None:
            progress(done)
    for uscc, before in before_ent.items():
        ent = ents[uscc]
        if before is None:
            staged.new_enterprises.append(ent)
        elif _differs(before, snapshot(ent)):
            staged.changed_enterprises.append((ent, before))
    for key, before in before_rep.items():
        if before is None:
            staged.new_reports.append((new_reps[key], key[0]))
        else:
            rep = reports[(ents[key[0]].pk, key[1])]
            if _differs(before, snapshot(rep)):
                staged.changed_reports.append((rep, before))
    # titles: upsert by (enterprise, title, 认定日期)
    titles = {(t.enterprise_id, t.title, t.granted_on): t for t in _load(
        Title, "enterprise_id", [e.pk for e in ents.values() if e.pk is not None])}
    for t in result.titles:
        ent = ents.get(t.uscc)
        values = {k: v for k, v in t.values.items() if k not in ("uscc", "title", "granted_on")}
        row = titles.get((ent.pk, t.values["title"], t.values["granted_on"])) if ent is not None and ent.pk else None
        if row is None:
            row = Title(title=t.values["title"], granted_on=t.values["granted_on"], **values)
            staged.new_titles.append((row, t.uscc))
        else:
            before = snapshot(row)
            for k, v in values.items():
                setattr(row, k, v)
            if _differs(before, snapshot(row)):
                row._zjtx_uscc = t.uscc  # type: ignore[attr-defined]
                staged.changed_titles.append((row, before))
        done += 1
        if progress is not None:
            progress(done)
    staged.summary = {**result.summary(), "titles": len(result.titles)}
    now = timezone.now()
    for ent in staged.new_enterprises:
        ent.created_at = ent.updated_at = now
    staged.enterprise_sql = _compile_inserts(Enterprise, staged.new_enterprises)
    for i, (rep, uscc) in enumerate(staged.new_reports):  # new enterprises' ids come with the commit
        ent = ents[uscc]
        if ent.pk is None:
            staged.report_fk[-(i + 1)] = uscc
            rep.enterprise_id = -(i + 1)
        else:
            rep.enterprise_id = ent.pk
        rep.updated_at = now
    staged.report_sql = _compile_inserts(AnnualReport, [r for r, _ in staged.new_reports])
    names = [f.attname for f in _insert_fields(AnnualReport)]
    staged.report_shape = (len(names), names.index("enterprise_id"))
    for t, uscc in staged.new_titles:
        t.enterprise_id = ents[uscc].pk
    # changed rows: the version and time they will have, their UPDATEs compiled (the commit checks that the
    # versions read here are still current), then every audit entry prepared — all before the transaction
    afters: dict[int, dict[str, Any]] = {}
    for model, pairs in ((Enterprise, staged.changed_enterprises), (AnnualReport, staged.changed_reports),
                         (Title, staged.changed_titles)):
        staged.expected[model._meta.label] = {obj.pk: obj.version for obj, _ in pairs}
        for obj, _ in pairs:
            obj.version += 1
            if hasattr(obj, "updated_at"):
                obj.updated_at = now
            afters[id(obj)] = snapshot(obj)
        staged.updates += _compile_updates(model, pairs, afters)
    staged.audit = _prepare_audit(staged, ents, afters)
    return staged


def _compile_updates(model: Any, pairs: list[tuple[Any, dict[str, Any]]],
                     afters: dict[int, dict[str, Any]]) -> list[tuple[str, list[list[Any]]]]:
    """One ``UPDATE … WHERE id = %s`` per set of changed columns (plus version and update time), with the
    parameters of every row already converted for the database: the commit only runs ``executemany``."""
    from django.db import connection

    qn = connection.ops.quote_name
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for obj, before in pairs:
        after = afters[id(obj)]
        names = {k for k, v in after.items() if before.get(k) != v and k != "id"} | {"version"}
        if hasattr(obj, "updated_at"):
            names.add("updated_at")
        key = tuple(sorted(names))
        fields = [model._meta.get_field(n) for n in key]
        groups.setdefault(key, []).append([f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
                                          + [obj.pk])
    out = []
    for key, rows in groups.items():
        cols = ", ".join(f"{qn(model._meta.get_field(n).column)} = %s" for n in key)
        out.append((_native(f"UPDATE {qn(model._meta.db_table)} SET {cols} WHERE {qn(model._meta.pk.column)} = %s"),
                    rows))
    return out


def _prepare_audit(staged: Staged, ents: dict[str, Enterprise], afters: dict[int, dict[str, Any]]) -> Any:
    """One audit entry per created / changed row, as the model signals would write, prepared for the chain:
    snapshots, JSON and the text to hash are built here; the commit fills in what only it knows (sequence,
    previous hash, time, and the ids of inserted rows) — see ``chain.prepare``."""
    from zjtx.apps.accounts.audit import current_context, snapshot
    from zjtx.apps.accounts.chain import prepare

    ctx = current_context()
    actor = ctx.user if ctx and getattr(ctx.user, "is_authenticated", False) else None
    common = {"user": actor, "username": actor.get_username()[:150] if actor else "", "ip": ctx.ip if ctx else "",
              "request_id": ctx.request_id if ctx else "", "source": ctx.source if ctx else "import"}
    entries: list[dict[str, Any]] = []
    slots: dict[int, dict[str, str]] = {}
    fk_cache = AnnualReport._meta.get_field("enterprise")
    A = AuditEntry.Action

    def add(action: str, obj: Any, before: dict[str, Any] | None, uscc: str) -> None:
        after = afters.get(id(obj)) or snapshot(obj)
        changed = sorted(k for k in after if before is not None and before.get(k) != after.get(k)
                         and k not in ("updated_at", "version"))
        ref = None
        if obj.pk is None:  # inserted by the commit: its id (and a new enterprise's id) fill slots
            ref = obj
            slots[len(entries)] = {"object_id": "pk_str", "after.id": "pk"}
            fk = getattr(obj, "enterprise_id", 0)
            if fk is None or (isinstance(fk, int) and fk < 0):
                slots[len(entries)]["after.enterprise_id"] = "fk"
        entries.append({**common, "action": action, "model": obj._meta.label,
                        "object_id": "" if obj.pk is None else str(obj.pk)[:64], "object_repr": str(obj)[:300],
                        "enterprise_uscc": uscc[:18], "before": before, "after": after, "changed": changed,
                        "ref": ref})

    for e in staged.new_enterprises:
        add(A.CREATE, e, None, e.uscc)
    for e, b in staged.changed_enterprises:
        add(A.UPDATE, e, b, e.uscc)
    for r, u in staged.new_reports:
        fk_cache.set_cached_value(r, ents[u])  # its name for the entry's text, without a query
        add(A.CREATE, r, None, u)
    for r, b in staged.changed_reports:
        u = getattr(r, "_zjtx_uscc", "")
        if u in ents:
            fk_cache.set_cached_value(r, ents[u])
        add(A.UPDATE, r, b, u)
    for t, u in staged.new_titles:
        add(A.CREATE, t, None, u)
    for t, b in staged.changed_titles:
        add(A.UPDATE, t, b, getattr(t, "_zjtx_uscc", ""))
    return prepare(entries, slots, plain=True)


def _differs(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(k) != v for k, v in after.items() if k not in ("updated_at", "version"))


def commit(staged: Staged) -> dict[str, int]:
    """Write a staged import in the caller's transaction; :class:`Restage` if a staged row changed since.

    Only bulk statements compiled while staging, the ids of inserted rows, and the audit chain's links
    (filled into entries prepared while staging) happen here."""
    from contextlib import closing

    from zjtx.apps.accounts.chain import append_prepared

    for model in (Enterprise, AnnualReport, Title):
        expected = staged.expected.get(model._meta.label, {})
        found = 0
        for pk, version in _select_in(model._meta.db_table, ("id", "version"), "id", list(expected)):
            found += 1
            if expected[pk] != version:
                raise Restage  # edited meanwhile
        if found != len(expected):
            raise Restage  # deleted meanwhile
    with closing(_raw_cursor()) as cur:  # compiled while staging
        for sql, params in staged.enterprise_sql:
            cur.execute(sql, params)
    ids = dict(_select_in(Enterprise._meta.db_table, ("uscc", "id"), "uscc", [e.uscc for e in staged.new_enterprises]))
    for e in staged.new_enterprises:
        e.pk = e.id = ids[e.uscc]
    new_ids = {e.uscc: e.pk for e in staged.new_enterprises}
    if staged.report_fk:  # the placeholders of new enterprises become their ids
        for pk in list(staged.report_fk):
            staged.report_fk[pk] = new_ids[staged.report_fk[pk]]
    width, col = staged.report_shape
    with closing(_raw_cursor()) as cur:
        for sql, params in staged.report_sql:
            if staged.report_fk and len(params) == width and isinstance(params[col], list | tuple):
                # PostgreSQL's bulk insert (INSERT … SELECT * FROM UNNEST): one array per column
                params[col] = [staged.report_fk.get(v, v) for v in params[col]]
            elif staged.report_fk:  # one parameter per column per row
                for k in range(col, len(params), width):
                    params[k] = staged.report_fk.get(params[k], params[k])
            cur.execute(sql, params)
        for sql, rows in staged.updates:
            cur.executemany(sql, rows)
    for rep, uscc in staged.new_reports:
        if rep.enterprise_id is None or rep.enterprise_id < 0:
            rep.enterprise_id = new_ids[uscc]
    for t, uscc in staged.new_titles:
        if t.enterprise_id is None:
            t.enterprise_id = new_ids[uscc]
    Title.objects.bulk_create([t for t, _ in staged.new_titles], batch_size=500)
    if staged.new_reports:  # their ids (for the audit entries), in bulk
        rep_ids = {(ent_id, year): pk for ent_id, year, pk in _select_in(
            AnnualReport._meta.db_table, ("enterprise_id", "year", "id"), "enterprise_id",
            sorted({r.enterprise_id for r, _ in staged.new_reports}))}
        for rep, _ in staged.new_reports:
            rep.pk = rep.id = rep_ids[(rep.enterprise_id, rep.year)]
    if any(t.pk is None for t, _ in staged.new_titles):
        for t, _ in staged.new_titles:
            t.pk = t.id = Title.objects.values_list("pk", flat=True).get(
                enterprise_id=t.enterprise_id, title=t.title, granted_on=t.granted_on)
    if staged.audit is not None:
        append_prepared(staged.audit, lambda obj: (obj.pk, getattr(obj, "enterprise_id", None)))
    return staged.summary


def touched_enterprises(staged: Staged) -> list[int]:
    """The enterprises whose annual data an import changed (their 一企一策 plans are re-checked)."""
    ids = {r.enterprise_id for r, _ in staged.new_reports} | {r.enterprise_id for r, _ in staged.changed_reports}
    return sorted(i for i in ids if i is not None)


def apply(result: ParseResult, *, overwrite_blank: bool = False,
          progress: Callable[[int], None] | None = None,
          then: Callable[[dict[str, int]], None] | None = None) -> dict[str, int]:
    """Stage a validated result and commit it in one transaction (staging again if a row changed
    meanwhile, at most three times, the last time inside the transaction). ``progress`` may raise;
    ``then(summary)`` runs inside the commit's transaction (e.g. the import's audit entry)."""
    for attempt in range(3):
        staged = stage(result, overwrite_blank=overwrite_blank, progress=progress)
        try:
            with transaction.atomic():
                summary = commit(staged)
                if then is not None:
                    then(summary)
            break
        except Restage:
            logger.info("import: rows changed while staging, staging again (%s)", attempt + 1)
    else:
        with transaction.atomic():
            staged = stage(result, overwrite_blank=overwrite_blank)
            summary = commit(staged)
            if then is not None:
                then(summary)
    _recheck_plans_later(staged)
    return summary


def _recheck_plans_later(staged: Staged) -> None:
    """New annual data re-check open 一企一策 plans: one background job after the import (bulk writes send
    no ``post_save``)."""
    ids = touched_enterprises(staged)
    if not ids:
        return
    try:
        from zjtx.apps.cultivation.tasks import submit_recheck
    except ImportError:
        return
    submit_recheck(ids)


# ---------------------------------------------------------------- jobs (the background worker runs them)

def job_progress(job: ImportJob) -> int:
    """Rows processed so far (written by the running job)."""
    return ImportJob.objects.filter(pk=job.pk).values_list("processed_rows", flat=True).first() or 0


def queue_job(job: ImportJob) -> Any:
    """The background job (``zjtx.apps.jobs``) applying this import, if any."""
    from zjtx.apps.jobs.models import Job

    return Job.objects.filter(kind=Job.Kind.IMPORT, args__import_id=str(job.pk)).order_by("-created_at").first()


def request_cancel(job: ImportJob) -> None:
    """Ask a running import to stop; it rolls back. A job not yet started is cancelled at once."""
    ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.READY, ImportJob.Status.INVALID,
                                                     ImportJob.Status.QUEUED]).update(
        status=ImportJob.Status.CANCELLED, finished_at=timezone.now())
    qjob = queue_job(job)
    if qjob is not None and qjob.active:
        from zjtx.apps.jobs.services import cancel

        cancel(qjob)


def job_ended(args: dict[str, Any], status: str, reason: str) -> None:
    """The import's background job ended without applying it (cancelled in the queue, or its worker died
    for good): the import says so. Nothing was written (the commit is all or nothing)."""
    pk = args.get("import_id")
    done = ImportJob.Status.CANCELLED if status == "cancelled" else ImportJob.Status.FAILED
    err = {"sheet": "", "row": 0, "column": "导入", "message": reason, "text": reason}
    for job in ImportJob.objects.filter(pk=pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).defer(
            "content"):
        ImportJob.objects.filter(pk=job.pk).update(
            status=done, finished_at=timezone.now(), processed_rows=0,
            errors=job.errors if done == ImportJob.Status.CANCELLED else [*job.errors, err])


def create_job(user: Any, filename: str, content: bytes, overwrite_blank: bool = False) -> ImportJob:
    """Store the upload and validate it (no registry data is written)."""
    result = validate(content, filename, user)
    return ImportJob.objects.create(
        created_by=user, filename=filename[:255], content=content, overwrite_blank=overwrite_blank,
        status=ImportJob.Status.INVALID if result.errors else ImportJob.Status.READY,
        total_rows=result.total_rows, errors=[p.as_dict() for p in result.errors],
        warnings=[p.as_dict() for p in result.warnings], summary=result.summary(),
    )


def confirm(job: ImportJob, *, background: bool | None = None) -> ImportJob:
    """Apply a validated job: small files at once, large ones on the task queue (``zjtx worker``), which
    runs imports one after another."""
    if job.status != ImportJob.Status.READY:
        return job
    if background is None:
        background = job.total_rows > getattr(settings, "ZJTX_IMPORT_SYNC_ROWS", 500)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    if background:
        from zjtx.apps.enterprises.tasks import apply_import
        from zjtx.apps.jobs.models import Job
        from zjtx.apps.jobs.services import submit

        submit(apply_import, user=job.created_by, kind=Job.Kind.IMPORT, title=f"导入 {job.filename}",
               total=job.total_rows, import_id=str(job.pk))
    else:
        run(job.pk)
    job.refresh_from_db()
    return job


def run(job_id: Any, handle: Any = None) -> str:
    """Validate again, stage, and commit the import in one short transaction; a failure or cancellation
    writes nothing. ``handle``: the background job's :class:`~zjtx.apps.jobs.services.JobHandle`."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    key = str(job.pk)
    if job.cancel_requested or job.status == ImportJob.Status.CANCELLED:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED, finished_at=timezone.now())
        return ImportJob.Status.CANCELLED
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=0)
    last = [0.0]

    def progress(done: int) -> None:
        import time

        now = time.monotonic()
        if done < job.total_rows and now - last[0] < 0.5:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done)
        if handle is not None:
            handle.progress(done, message="逐行核对并准备写入")  # raises JobCancelled when cancelled
        if ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            raise ImportCancelled

    status, summary, errors = ImportJob.Status.DONE, {}, job.errors
    try:
        with audit_context(job.created_by, f"import-{job.pk}", "import"):
            result = validate(bytes(job.content), job.filename, job.created_by)
            if result.errors:
                errors = [p.as_dict() for p in result.errors]
                raise ImportRejected
            summary = _apply_logged(job, result, progress)
    except ImportCancelled:
        status = ImportJob.Status.CANCELLED
    except ImportRejected:
        status = ImportJob.Status.INVALID
    except Exception as exc:
        from zjtx.apps.jobs.services import JobCancelled

        if isinstance(exc, JobCancelled):
            status = ImportJob.Status.CANCELLED
        else:
            logger.exception("import %s failed", key)
            status = ImportJob.Status.FAILED
            errors = [*errors, {"sheet": "", "row": 0, "column": "导入", "message": f"导入失败，已全部回滚：{exc}",
                                "text": f"导入失败，已全部回滚：{exc}"}]
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, summary=summary or job.summary, errors=errors, finished_at=timezone.now(),
        processed_rows=job.total_rows if status == ImportJob.Status.DONE else 0)
    return status


def _apply_logged(job: ImportJob, result: ParseResult, progress: Callable[[int], None]) -> dict[str, int]:
    """``apply`` plus the import's own audit entry, committed with the data."""
    def audit_import(summary: dict[str, int]) -> None:
        log(AuditEntry.Action.IMPORT, model="enterprises.ImportJob", object_id=str(job.pk),
            object_repr=job.filename, after=summary)

    return apply(result, overwrite_blank=job.overwrite_blank, progress=progress, then=audit_import)

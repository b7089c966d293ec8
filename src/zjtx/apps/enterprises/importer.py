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
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connections, transaction
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


# ---------------------------------------------------------------- applying

def apply(result: ParseResult, *, overwrite_blank: bool = False,
          progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Write a validated result. Call inside ``transaction.atomic()``; ``progress`` may raise to cancel."""
    done = 0
    cache: dict[str, Enterprise] = {}
    for r in result.rows:
        ent = cache.get(r.uscc) or Enterprise.objects.filter(uscc=r.uscc).first()
        if ent is None:
            ent = Enterprise(uscc=r.uscc)
        changed = False
        for name in ENTERPRISE_NAMES:
            if name == "uscc":
                continue
            attr = "division_id" if name == "division" else name
            if name in r.values:
                setattr(ent, attr, r.values[name])
                ent.provenance[name] = r.source
                ent.raw[name] = r.raw[name]
                changed = True
            elif overwrite_blank and name in r.blanks and ent.pk is not None and name not in ("name", "division"):
                setattr(ent, attr, "" if name in ("industry", "contact_name", "contact_phone") else None)
                ent.provenance.pop(name, None)
                ent.raw.pop(name, None)
                changed = True
        if "uscc" in r.raw:
            ent.raw["uscc"] = r.raw["uscc"]
        if changed or ent.pk is None:
            ent.save()
        cache[r.uscc] = ent
        if r.year is not None:
            rep = AnnualReport.objects.filter(enterprise=ent, year=r.year).first() or AnnualReport(
                enterprise=ent, year=r.year)
            for name in ANNUAL_NAMES:
                if name in r.values:
                    setattr(rep, name, r.values[name])
                    rep.provenance[name] = r.source
                    rep.raw[name] = r.raw[name]
                elif overwrite_blank and name in r.blanks:
                    setattr(rep, name, "" if BY_NAME[name].kind == "choice" else None)
                    rep.provenance.pop(name, None)
                    rep.raw.pop(name, None)
            rep.save()
        done += 1
        if progress is not None:
            progress(done)
    titles = 0
    for t in result.titles:
        ent = cache.get(t.uscc) or Enterprise.objects.get(uscc=t.uscc)
        defaults = {k: v for k, v in t.values.items() if k not in ("uscc", "title", "granted_on")}
        Title.objects.update_or_create(enterprise=ent, title=t.values["title"], granted_on=t.values["granted_on"],
                                       defaults=defaults)
        titles += 1
        done += 1
        if progress is not None:
            progress(done)
    return {**result.summary(), "titles": titles}


# ---------------------------------------------------------------- jobs

_progress: dict[str, int] = {}
_cancel: set[str] = set()
_lock = threading.Lock()


def job_progress(job: ImportJob) -> int:
    """Rows processed so far (in-process counter while running, the stored value otherwise)."""
    with _lock:
        return _progress.get(str(job.pk), job.processed_rows)


def request_cancel(job: ImportJob) -> None:
    """Ask a running import to stop; it rolls back. A job not yet started is cancelled at once."""
    with _lock:
        _cancel.add(str(job.pk))
    ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
    ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.READY, ImportJob.Status.INVALID,
                                                     ImportJob.Status.QUEUED]).update(
        status=ImportJob.Status.CANCELLED, finished_at=timezone.now())


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
    """Apply a validated job: small files at once, large ones in a background thread."""
    if job.status != ImportJob.Status.READY:
        return job
    if background is None:
        background = job.total_rows > getattr(settings, "ZJTX_IMPORT_SYNC_ROWS", 500)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    if background:
        thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"zjtx-import-{job.pk}", daemon=True)
        thread.start()
    else:
        run(job.pk)
    job.refresh_from_db()
    return job


def _run_in_thread(job_id: Any) -> None:
    try:
        run(job_id)
    finally:
        connections.close_all()  # this thread's connections die with it


def run(job_id: Any) -> None:
    """Validate again and apply the job in one transaction; a failure or cancellation writes nothing."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    key = str(job.pk)
    if job.cancel_requested or job.status == ImportJob.Status.CANCELLED:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED, finished_at=timezone.now())
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=0)

    def progress(done: int) -> None:
        with _lock:
            _progress[key] = done
            cancelled = key in _cancel
        if cancelled:
            raise ImportCancelled

    status, summary, errors = ImportJob.Status.DONE, {}, job.errors
    try:
        with audit_context(job.created_by, f"import-{job.pk}", "import"):
            with transaction.atomic():
                result = validate(bytes(job.content), job.filename, job.created_by)
                if result.errors:
                    errors = [p.as_dict() for p in result.errors]
                    raise ImportRejected
                summary = apply(result, overwrite_blank=job.overwrite_blank, progress=progress)
                log(AuditEntry.Action.IMPORT, model="enterprises.ImportJob", object_id=key,
                    object_repr=job.filename, after=summary)
    except ImportCancelled:
        status = ImportJob.Status.CANCELLED
    except ImportRejected:
        status = ImportJob.Status.INVALID
    except Exception as exc:
        logger.exception("import %s failed", key)
        status = ImportJob.Status.FAILED
        errors = [*errors, {"sheet": "", "row": 0, "column": "导入", "message": f"导入失败，已全部回滚：{exc}",
                            "text": f"导入失败，已全部回滚：{exc}"}]
    with _lock:
        processed = _progress.pop(key, 0)
        _cancel.discard(key)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, summary=summary or job.summary, errors=errors, finished_at=timezone.now(),
        processed_rows=processed if status == ImportJob.Status.DONE else 0)

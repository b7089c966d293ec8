"""Every list is also data: the same rows as XLSX, CSV or JSON (Datasette style: ``?format=csv`` or ``.csv``).

Exports are safe to open in a spreadsheet: a text value starting with ``= + - @``, a tab or a carriage
return is prefixed with ``'`` in CSV (OWASP CSV injection) and always written as a text cell in XLSX,
never as a formula or a link. Every export is written to the audit log (format, rows, filters), and
one whose rows carry unmasked contacts also as a bulk read of personal data.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

FORMATS = ("csv", "xlsx", "json")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}

Column = tuple[str, str]  # (key, Chinese header)


class NumberEncoder(DjangoJSONEncoder):
    """JSON with money and ratios as numbers (FIELDS.md units), dates as ISO strings."""

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            return float(o)
        return super().default(o)


def requested_format(request: HttpRequest, fmt: str | None = None) -> str | None:
    """The export format asked for by a ``.ext`` URL or a ``?format=`` parameter (None: HTML)."""
    fmt = fmt or request.GET.get("format")
    return fmt if fmt in FORMATS else None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERSONAL_KEYS = ("contact_name", "contact_phone")


def neutralise(value: Any) -> Any:
    """A string a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unmasked_personal(rows: Sequence[dict[str, Any]]) -> int:
    """How many rows carry contact data in clear (masked values contain ``*``)."""
    return sum(1 for r in rows if any(r.get(k) and "*" not in str(r.get(k)) for k in PERSONAL_KEYS))


def audit_export(request_path: str, fmt: str, basename: str, rows: int | None, personal: int = 0) -> None:
    """One audit entry per export (and one bulk-personal-data entry when contacts were in clear)."""
    from zjtx.apps.accounts.audit import log
    from zjtx.apps.accounts.models import AuditEntry

    log(AuditEntry.Action.EXPORT, model="export", object_id=fmt, object_repr=f"导出 {basename}.{fmt}"[:300],
        after={"format": fmt, "rows": rows, "path": request_path[:500]})
    if personal:
        log(AuditEntry.Action.BULK_PERSONAL, model="export", object_id=fmt,
            object_repr=f"导出 {basename}.{fmt}：{personal} 条未脱敏联系人信息",
            after={"format": fmt, "rows": personal, "path": request_path[:500]})


def audit_personal_read(rows: Sequence[dict[str, Any]], what: str) -> int:
    """A list page or API page that shows more than one clear contact is a bulk read of personal data."""
    n = unmasked_personal(rows)
    if n > 1:
        from zjtx.apps.accounts.audit import current_context, log
        from zjtx.apps.accounts.models import AuditEntry

        ctx = current_context()
        log(AuditEntry.Action.BULK_PERSONAL, model="list", object_repr=f"{what}：{n} 条未脱敏联系人信息",
            after={"rows": n, "path": ctx.path if ctx else ""})
    return n


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str | date):
        return value
    return str(value)


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_bytes(columns: Sequence[Column], rows: Iterable[dict[str, Any]], sheet: str = "数据") -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(sheet)
    bold = wb.add_format({"bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF"})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, (_, header) in enumerate(columns):
        ws.write(0, c, header, bold)
        ws.set_column(c, c, max(10, min(30, len(header) * 2)))
    for r, row in enumerate(rows, start=1):
        for c, (key, _) in enumerate(columns):
            v = _cell(row.get(key))
            if isinstance(v, datetime | date):
                ws.write_datetime(r, c, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day), datefmt)
            elif v is None:
                continue
            elif isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否")  # as in CSV
            elif isinstance(v, str):
                ws.write_string(r, c, v)  # text, never a formula or a link
            else:
                ws.write(r, c, v)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def export_response(fmt: str, basename: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                    xlsx: bytes | None = None, *, request: HttpRequest | None = None, count: int | None = None,
                    personal: int | None = None) -> HttpResponse:
    """An attachment with ``rows`` in ``fmt``; JSON keys are the field names, CSV/XLSX headers Chinese.

    ``count``/``personal``: rows and rows with clear contacts of a pre-built ``xlsx`` (for the audit log)."""
    from zjtx.apps.accounts.audit import current_context

    rows = list(rows)
    ctx = current_context()
    path = request.get_full_path() if request is not None else (ctx.path if ctx else "")
    audit_export(path, fmt, basename,
                 count if xlsx is not None and count is not None else len(rows),
                 personal if personal is not None else unmasked_personal(rows))
    if fmt == "json":
        data = [{k: row.get(k) for k, _ in columns} for row in rows]
        body = json.dumps({"count": len(data), "columns": [{"name": k, "label": h} for k, h in columns],
                           "rows": data}, cls=NumberEncoder, ensure_ascii=False)
        return HttpResponse(body, content_type=_CONTENT_TYPES["json"])
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # BOM: Excel opens UTF-8 CSV correctly
        writer = csv.writer(out)
        writer.writerow([h for _, h in columns])
        for row in rows:
            writer.writerow(["" if row.get(k) is None else neutralise(_csv(row.get(k))) for k, _ in columns])
        return _attachment(HttpResponse(out.getvalue(), content_type=_CONTENT_TYPES["csv"]), f"{basename}.csv")
    body = xlsx if xlsx is not None else xlsx_bytes(columns, rows)
    return _attachment(HttpResponse(body, content_type=_CONTENT_TYPES["xlsx"]), f"{basename}.xlsx")


def _csv(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float | Decimal):
        f = float(value)
        return int(f) if f.is_integer() else round(f, 6)  # 265, never 265.0
    if isinstance(value, dict):
        from zjtx.web.present import label

        return "；".join(f"{label(k)}：{label(v)}" for k, v in value.items())
    return value

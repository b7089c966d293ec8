"""Every list is also data: the same rows as XLSX, CSV or JSON (Datasette style: ``?format=csv`` or ``.csv``)."""

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
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": True})
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
            else:
                ws.write(r, c, v)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def export_response(fmt: str, basename: str, columns: Sequence[Column], rows: Iterable[dict[str, Any]],
                    xlsx: bytes | None = None) -> HttpResponse:
    """An attachment with ``rows`` in ``fmt``; JSON keys are the field names, CSV/XLSX headers Chinese."""
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
            writer.writerow(["" if row.get(k) is None else _csv(row.get(k)) for k, _ in columns])
        return _attachment(HttpResponse(out.getvalue(), content_type=_CONTENT_TYPES["csv"]), f"{basename}.csv")
    body = xlsx if xlsx is not None else xlsx_bytes(columns, rows)
    return _attachment(HttpResponse(body, content_type=_CONTENT_TYPES["xlsx"]), f"{basename}.xlsx")


def _csv(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    return value

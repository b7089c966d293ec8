"""Rows for list pages and exports (one place decides columns and masking)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from zjtx.apps.accounts import scope
from zjtx.apps.enterprises.fields import (
    ANNUAL_FIELDS,
    ENTERPRISE_FIELDS,
    IMPORT_FIELDS,
    PROVENANCE_LABELS,
    TITLE_IMPORT_FIELDS,
    TITLE_LABELS,
    FieldSpec,
)
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title
from zjtx.facts import industries as fi
from zjtx.facts.uscc import is_local


def mask_name(name: str) -> str:
    """张三丰 → 张**; personal names in lists and exports for roles without permission."""
    name = (name or "").strip()
    return name[0] + "*" * max(1, len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    p = (phone or "").strip()
    if not p:
        return ""
    if len(p) >= 8:
        return p[:3] + "****" + p[-4:]
    return "****"


def contact(enterprise: Enterprise, show: bool) -> dict[str, str]:
    if show:
        return {"contact_name": enterprise.contact_name, "contact_phone": enterprise.contact_phone}
    return {"contact_name": mask_name(enterprise.contact_name), "contact_phone": mask_phone(enterprise.contact_phone)}


LIST_COLUMNS: list[tuple[str, str]] = [
    ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "镇街代码"), ("division_name", "所属镇街"),
    ("industry", "行业代码"), ("industry_name", "行业名称"), ("cluster", "产业集群"), ("founded_on", "成立日期"),
    ("is_local", "本地注册"), ("contact_name", "联系人"), ("contact_phone", "联系电话"),
    ("latest_year", "最新年报年度"),
]


def enterprise_rows(qs: QuerySet, user: Any) -> list[dict[str, Any]]:
    """List rows, contacts masked unless the user may see them."""
    out = []
    for e in qs.select_related("division"):
        years = [r.year for r in e.annual_reports.all()] if hasattr(e, "_prefetched_objects_cache") else []
        out.append({
            "uscc": e.uscc, "name": e.name, "division": e.division_id or "",
            "division_name": e.division.name if e.division else "",
            "industry": e.industry, "industry_name": fi.industry_name(e.industry) or "" if e.industry else "",
            "cluster": fi.cluster_name(fi.cluster_of(e.industry)) or "" if e.industry else "",
            "founded_on": e.founded_on, "is_local": is_local(e.uscc),
            **contact(e, scope.can_see_personal(user, e)),
            "latest_year": max(years) if years else None,
        })
    return out


def _export_value(spec: FieldSpec, value: Any) -> Any:
    if value is None or value == "":
        return None
    if spec.kind == "bool":
        return "是" if value else "否"
    if spec.kind == "choice":
        return dict(spec.choices).get(value, value)
    return value


def template_row(e: Enterprise, report: AnnualReport | None, show_personal: bool) -> list[Any]:
    """One row in the import-template layout (so exports re-import unchanged)."""
    values: dict[str, Any] = {f.name: getattr(e, f.name, None) for f in ENTERPRISE_FIELDS}
    values["division"] = e.division.name if e.division else None
    values.update(contact(e, show_personal))
    if report is not None:
        values["year"] = report.year
        values.update({f.name: getattr(report, f.name) for f in ANNUAL_FIELDS})
        sources = set(report.provenance.values())
        values["source"] = PROVENANCE_LABELS.get(sources.pop()) if len(sources) == 1 else None
    return [_export_value(spec, values.get(spec.name)) for spec in IMPORT_FIELDS]


def annual_dicts(reports: Iterable[AnnualReport], user: Any) -> list[dict[str, Any]]:
    """Annual report rows keyed by field name (for CSV/JSON), contacts masked by permission."""
    out = []
    for r in reports:
        e = r.enterprise
        row = {f.name: getattr(e, f.name, None) for f in ENTERPRISE_FIELDS}
        row["division"] = e.division_id
        row.update(contact(e, scope.can_see_personal(user, e)))
        row["year"] = r.year
        row.update({f.name: getattr(r, f.name) for f in ANNUAL_FIELDS})
        row["provenance"] = r.provenance
        out.append(row)
    return out


ANNUAL_COLUMNS: list[tuple[str, str]] = [(f.name, f.header) for f in IMPORT_FIELDS if f.name != "source"]
ANNUAL_COLUMNS.append(("provenance", "数据来源"))

TITLE_COLUMNS: list[tuple[str, str]] = [("uscc", "统一社会信用代码"), ("name", "企业名称"),
                                        ("title", "称号代码"), ("title_label", "称号"),
                                        *[(f.name, f.label) for f in TITLE_IMPORT_FIELDS[2:]],
                                        ("status", "状态"), ("revoked_on", "撤销日期")]


def title_dicts(titles: Iterable[Title], on: Any = None) -> list[dict[str, Any]]:
    """Title rows for pages and exports; ``status`` (有效/已过期/未生效/已撤销) follows from the dates on ``on``."""
    return [{"uscc": t.enterprise.uscc, "name": t.enterprise.name, "title": t.title,
             "title_label": TITLE_LABELS.get(t.title, t.title), "granted_on": t.granted_on,
             "expires_on": t.expires_on, "batch": t.batch, "document": t.document,
             "certificate_no": t.certificate_no, "status": t.status_label(on), "status_code": t.status_on(on),
             "revoked_on": t.revoked_on} for t in titles]


def title_template_row(t: Title) -> list[Any]:
    return [t.enterprise.uscc, TITLE_LABELS.get(t.title, t.title), t.granted_on, t.expires_on,
            t.batch or None, t.document or None, t.certificate_no or None]

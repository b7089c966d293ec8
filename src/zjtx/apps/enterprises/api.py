"""JSON API for the registry (django-ninja Router, mounted at ``/api/`` by ``zjtx.web.api``).

Same scoping as the pages: every query goes through ``zjtx.apps.accounts.scope``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import create_model

from zjtx.apps.accounts import scope
from zjtx.apps.enterprises.exports import audit_personal_read
from zjtx.apps.enterprises.fields import ANNUAL_FIELDS, ENTERPRISE_FIELDS, FieldSpec
from zjtx.apps.enterprises.filters import filter_annual, filter_enterprises
from zjtx.apps.enterprises.models import AnnualReport, Enterprise
from zjtx.apps.enterprises.tables import contact
from zjtx.web.params import Year

router = Router(tags=["企业库 enterprises"])

_PY: dict[str, Any] = {"money": float, "decimal": float, "fraction": float, "int": int, "bool": bool,
                       "date": date, "str": str, "choice": str, "division": str, "industry": str, "uscc": str}
_IN: dict[str, Any] = {**_PY, "money": Decimal, "decimal": Decimal, "fraction": Decimal}


def _fields(specs: tuple[FieldSpec, ...], types: dict[str, Any]) -> dict[str, Any]:
    return {f.name: (types[f.kind] | None, Field(None, description=f.label)) for f in specs}


EnterpriseOut = create_model("EnterpriseOut", __base__=Schema, **_fields(ENTERPRISE_FIELDS, _PY),
                             division_name=(str | None, None), provenance=(dict[str, str], {}))
AnnualOut = create_model("AnnualReportOut", __base__=Schema, uscc=(str, ...), year=(int, ...), version=(int, 1),
                         **_fields(ANNUAL_FIELDS, _PY), provenance=(dict[str, str], {}), raw=(dict[str, str], {}))
AnnualIn = create_model("AnnualReportIn", __base__=Schema, **_fields(ANNUAL_FIELDS, _IN),
                        source=(str, Field("self", max_length=20,
                                           description="数据来源: self/registry/tax/third_party/verified（企业用户只能为 self）")),
                        version=(int | None, Field(None, ge=1, le=2_000_000_000,
                                                   description="修改已有年度数据时必填：读取时的 version（防止覆盖他人的修改）")))


class EnterprisePage(Schema):
    count: int
    items: list[EnterpriseOut]  # type: ignore[valid-type]


class AnnualPage(Schema):
    count: int
    items: list[AnnualOut]  # type: ignore[valid-type]


class EnterpriseFilters(Schema):
    q: str | None = None
    division: str | None = None
    zone: str | None = None
    industry: str | None = None
    cluster: str | None = None
    local: str | None = None
    title: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class AnnualFilters(EnterpriseFilters):
    year: int | None = Field(None, ge=1990, le=2100)


def _num(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal) else v


def _enterprise_out(e: Enterprise, user: Any) -> dict[str, Any]:
    data = {f.name: _num(getattr(e, f.name)) for f in ENTERPRISE_FIELDS if f.name != "division"}
    data.update(contact(e, scope.can_see_personal(user, e)))
    data["division"] = e.division_id
    data["division_name"] = e.division.name if e.division else None
    data["provenance"] = e.provenance
    return data


def _annual_out(r: AnnualReport) -> dict[str, Any]:
    return {"uscc": r.enterprise.uscc, "year": r.year, "version": r.version, "provenance": r.provenance, "raw": r.raw,
            **{f.name: _num(getattr(r, f.name)) for f in ANNUAL_FIELDS}}


def _role(request: HttpRequest) -> None:
    if scope.role_of(request.user) is None:
        raise HttpError(403, "当前账号未分配角色")


def _get(request: HttpRequest, uscc: str) -> Enterprise:
    _role(request)
    e = scope.scope_enterprises(request.user).select_related("division").filter(uscc=uscc.upper()).first()
    if e is None:
        raise HttpError(404, "企业不存在或不在本账号管辖范围内")
    return e


@router.get("/enterprises", response=EnterprisePage, summary="企业列表")
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseFilters]) -> dict[str, Any]:
    _role(request)
    params = filters.dict()
    qs = filter_enterprises(scope.scope_enterprises(request.user), params).select_related("division")
    items = [_enterprise_out(e, request.user) for e in qs[filters.offset: filters.offset + filters.limit]]
    audit_personal_read(items, "API 企业列表")
    return {"count": qs.count(), "items": items}


@router.get("/enterprises/{uscc}", response=EnterpriseOut, summary="企业详情")
def get_enterprise(request: HttpRequest, uscc: str) -> dict[str, Any]:
    return _enterprise_out(_get(request, uscc), request.user)


@router.get("/enterprises/{uscc}/annual", response=list[AnnualOut], summary="企业年度数据")
def enterprise_annual(request: HttpRequest, uscc: str) -> list[dict[str, Any]]:
    e = _get(request, uscc)
    return [_annual_out(r) for r in e.annual_reports.select_related("enterprise").order_by("year")]


@router.put("/enterprises/{uscc}/annual/{year}", response=AnnualOut, summary="新增或更新某年度数据（只改传入的字段）")
def put_annual(request: HttpRequest, uscc: str, year: Year, payload: AnnualIn) -> dict[str, Any]:  # type: ignore[valid-type]
    e = _get(request, uscc)
    if not scope.can_edit(request.user, e):
        raise HttpError(403, "无权修改该企业")
    if year > date.today().year:
        raise HttpError(422, f"年度应为1990至{date.today().year}之间的年份")
    data = payload.dict(exclude_unset=True)
    source = data.pop("source", "self")
    version = data.pop("version", None)
    if source not in ("self", "registry", "tax", "third_party", "verified"):
        raise HttpError(422, "数据来源无效")
    if source != "self" and scope.role_of(request.user) == "enterprise_user":
        raise HttpError(403, "企业用户只能填报自填数据（source 只能为 self），核验由主管部门完成")
    with transaction.atomic():
        r = AnnualReport.objects.filter(enterprise=e, year=year).first() or AnnualReport(enterprise=e, year=year)
        if r.pk is not None:
            if version is None:
                raise HttpError(428, f"修改已有年度数据须提供 version（当前为第{r.version}版），以免覆盖他人的修改")
            r.version = version
        for k, v in data.items():
            setattr(r, k, v)
            r.provenance[k] = source
            r.raw.pop(k, None)
        r.full_clean(exclude=["enterprise"])
        r.save()
    return _annual_out(r)


@router.get("/annual-reports", response=AnnualPage, summary="年度数据列表")
def list_annual(request: HttpRequest, filters: Query[AnnualFilters]) -> dict[str, Any]:
    _role(request)
    qs = filter_annual(scope.scope_related(request.user, AnnualReport.objects.all()), filters.dict())
    qs = qs.select_related("enterprise").order_by("enterprise__uscc", "year")
    items = qs[filters.offset: filters.offset + filters.limit]
    return {"count": qs.count(), "items": [_annual_out(r) for r in items]}

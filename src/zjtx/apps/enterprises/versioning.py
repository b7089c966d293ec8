"""Record versions: no lost updates.

Every editable record carries ``version`` (1 on creation). Saving an existing record is one conditional
UPDATE ``… SET version = v + 1 WHERE pk = … AND version = v`` before the row is written, inside one
transaction: when somebody else saved in between, nothing is written and :class:`StaleVersion` is raised.

Forms carry the version they were rendered with (hidden ``record_version``): a stale form gets a
conflict message listing, field by field, the submitted value and the value saved meanwhile (with who
saved it and when); if the other save lands between the check and the write, the model check catches
it and :class:`VersionConflictMiddleware` answers 409 with the same comparison (JSON for the API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class StaleVersion(Exception):
    """The record changed since the version the caller started from."""

    def __init__(self, instance: models.Model, expected: int, current: models.Model | None) -> None:
        self.instance, self.expected, self.current = instance, expected, current
        now = getattr(current, "version", "?")
        super().__init__(f"数据已被他人修改：您基于第{expected}版修改，当前已是第{now}版")


class Versioned(models.Model):
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None or self._state.adding or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        manager = type(self)._default_manager
        expected = self.version or 1
        with transaction.atomic(using=kwargs.get("using") or self._state.db):
            bumped = manager.filter(pk=self.pk, version=expected).update(version=expected + 1)
            if not bumped:
                current = manager.filter(pk=self.pk).first()
                if current is not None:
                    raise StaleVersion(self, expected, current)
            self.version = expected + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)


def _label(form_or_model: Any, name: str) -> str:
    field = form_or_model.fields.get(name) if hasattr(form_or_model, "fields") else None
    if field is not None and field.label:
        return str(field.label)
    try:
        return str(form_or_model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _show(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def last_change(instance: models.Model) -> tuple[str, Any]:
    """Who saved ``instance`` last, and when (from the audit log)."""
    from zjtx.apps.accounts.models import AuditEntry

    entry = (AuditEntry.objects.filter(model=instance._meta.label, object_id=str(instance.pk))
             .order_by("-seq").values_list("username", "time").first())
    return entry if entry else ("", None)


def differences(names: Iterable[str], mine: Callable[[str], Any], theirs: Callable[[str], Any],
                label: Callable[[str], str]) -> list[dict[str, str]]:
    rows = []
    for name in names:
        a, b = mine(name), theirs(name)
        if _show(a) != _show(b):
            rows.append({"field": label(name), "mine": _show(a), "current": _show(b)})
    return rows


class VersionedFormMixin:
    """A ModelForm mixin: the version the form was rendered with travels in a hidden field."""

    conflict: dict[str, Any] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        instance = self.instance  # type: ignore[attr-defined]
        if instance.pk is not None:
            self.fields["record_version"] = forms.IntegerField(  # type: ignore[attr-defined]
                widget=forms.HiddenInput, initial=instance.version, required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        instance = self.instance  # type: ignore[attr-defined]
        posted = cleaned.get("record_version")
        if instance.pk is not None and posted and posted != instance.version:
            who, when = last_change(instance)
            names = [n for n in self.fields if n != "record_version" and n in cleaned]  # type: ignore[attr-defined]
            rows = differences(names, cleaned.get, lambda n: getattr(instance, n, None),
                               lambda n: _label(self, n))
            self.conflict = {"mine": posted, "current": instance.version, "who": who, "when": when, "rows": rows}
            # the re-rendered form keeps the user's values and now carries the current version:
            # saving again is a deliberate decision made after seeing both versions
            data = self.data.copy()  # type: ignore[has-type]
            data[self.add_prefix("record_version")] = str(instance.version)  # type: ignore[attr-defined]
            self.data = data
            detail = "；".join(f"{r['field']}：您填写“{r['mine']}”，当前为“{r['current']}”" for r in rows) or "无字段差异"
            raise forms.ValidationError(
                f"保存冲突：您基于第{posted}版修改，但{who or '他人'}已保存了第{instance.version}版"
                f"{'（' + f'{when:%Y-%m-%d %H:%M}' + '）' if when else ''}。{detail}。如确认以您的填写为准，请核对后再次保存。",
                code="stale")
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        posted = self.cleaned_data.get("record_version") if hasattr(self, "cleaned_data") else None
        if posted and not self.errors:  # type: ignore[attr-defined]
            self.instance.version = posted  # type: ignore[attr-defined]


def conflict_payload(exc: StaleVersion) -> dict[str, Any]:
    instance, current = exc.instance, exc.current
    names = [f.attname for f in instance._meta.concrete_fields
             if f.attname not in ("id", "version", "raw", "provenance", "updated_at", "created_at")]
    rows = differences(names, lambda n: getattr(instance, n, None), lambda n: getattr(current, n, None),
                       lambda n: _label(instance, n.removesuffix("_id")))
    who, when = last_change(current) if current is not None else ("", None)
    return {"yours": exc.expected, "current": getattr(current, "version", None), "who": who,
            "when": when.isoformat() if when else None, "rows": rows}


class VersionConflictMiddleware:
    """A stale save that slipped past the form check: 409 with both versions, never a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, StaleVersion):
            return None
        data = conflict_payload(exc)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(exc), "errors": [f"{r['field']}：您提交“{r['mine']}”，当前为“{r['current']}”"
                                                               for r in data["rows"]] or [str(exc)], **data},
                                status=409, json_dumps_params={"ensure_ascii": False})
        return render(request, "enterprises/conflict.html", {"message": str(exc), **data,
                                                             "back": request.get_full_path()}, status=409)

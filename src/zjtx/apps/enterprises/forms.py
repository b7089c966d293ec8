from __future__ import annotations

from typing import Any

from django import forms

from zjtx.apps.enterprises.fields import ANNUAL_NAMES, PROVENANCE_CHOICES, VAT_RETURN_FIELDS
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise
from zjtx.apps.enterprises.versioning import VersionedFormMixin
from zjtx.facts import industries as fi
from zjtx.facts.uscc import InvalidUSCC, normalize_uscc


class EnterpriseForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        exclude = ["raw", "provenance", "created_at", "updated_at"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"}),
                   "niche_since": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, divisions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions if divisions is not None else Division.objects.filter(
            valid_to__isnull=True)
        if self.instance.pk:
            self.fields["uscc"].disabled = True

    def clean_uscc(self) -> str:
        try:
            return normalize_uscc(self.cleaned_data["uscc"])
        except InvalidUSCC as exc:
            raise forms.ValidationError(exc.reason) from exc

    def clean_industry(self) -> str:
        code = fi.normalize_code(self.cleaned_data.get("industry") or "")
        if code and (len(code) != 5 or fi.major_of(code) is None):
            raise forms.ValidationError("格式应为门类字母加4位数字（如C3919），且大类须存在")
        return code


class AnnualReportForm(VersionedFormMixin, forms.ModelForm):
    source = forms.ChoiceField(label="本次修改的数据来源", choices=PROVENANCE_CHOICES, initial="self")

    class Meta:
        model = AnnualReport
        fields = ["year", *ANNUAL_NAMES]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for spec in VAT_RETURN_FIELDS:  # the VAT-return figures: how to read them off the return
            self.fields[spec.name].help_text = spec.note

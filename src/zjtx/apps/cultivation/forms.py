"""Forms of the cultivation pages (Chinese labels come from the models)."""

from __future__ import annotations

from typing import Any

from django import forms

from zjtx.apps.cultivation.models import (
    TIER_CHOICES,
    Application,
    BenefitEntry,
    PlanItem,
    PoolCategory,
    ServiceRequest,
    ServiceType,
    Stage,
    Target,
)
from zjtx.apps.cultivation.workflow import ACTIONS
from zjtx.apps.enterprises.fields import TITLE_CHOICES
from zjtx.apps.enterprises.versioning import VersionedFormMixin

DATE = forms.DateInput(attrs={"type": "date"})


class StageForm(forms.Form):
    tier = forms.ChoiceField(label="梯度", choices=TIER_CHOICES)
    stage = forms.ChoiceField(label="阶段", choices=Stage.choices)
    reason = forms.CharField(label="原因", max_length=300)


class MembershipForm(forms.Form):
    category = forms.ModelChoiceField(label="培育库类别", queryset=PoolCategory.objects.filter(active=True))
    source = forms.CharField(label="来源", max_length=60, required=False)


class ApplicationForm(VersionedFormMixin, forms.ModelForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)

    class Meta:
        model = Application
        fields = ["tier", "year", "batch", "main_product", "dev_score", "recommendation", "note"]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[(a.name, a.label) for a in ACTIONS])
    reason = forms.CharField(label="意见/原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    granted_on = forms.DateField(label="认定日期", required=False, widget=DATE)
    expires_on = forms.DateField(label="有效期至", required=False, widget=DATE)
    document = forms.CharField(label="认定文号", max_length=100, required=False)
    certificate_no = forms.CharField(label="证书编号", max_length=100, required=False)
    publicity_until = forms.DateField(label="公示截止", required=False, widget=DATE)


class DesignationForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    title = forms.ChoiceField(label="称号", choices=TITLE_CHOICES)
    level = forms.ChoiceField(label="级别", choices=[("", "—"), ("national", "国家级"), ("provincial", "省级"),
                                                    ("city", "市级")], required=False)
    granted_on = forms.DateField(label="认定日期", widget=DATE)
    expires_on = forms.DateField(label="有效期至", required=False, widget=DATE, help_text="空则按政策有效期")
    batch = forms.CharField(label="批次", max_length=50, required=False)
    document = forms.CharField(label="认定文号", max_length=100, required=False)
    certificate_no = forms.CharField(label="证书编号", max_length=100, required=False)
    registration_no = forms.CharField(label="入库登记编号", max_length=60, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        g, e = data.get("granted_on"), data.get("expires_on")
        if g and e and e < g:
            self.add_error("expires_on", "有效期至不能早于认定日期")
        return data


class PlanForm(forms.Form):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)
    tier = forms.ChoiceField(label="目标梯度", choices=TIER_CHOICES)
    on = forms.DateField(label="评价基准日", required=False, widget=DATE, help_text="空则为今天")
    due_on = forms.DateField(label="事项完成时限", required=False, widget=DATE)
    note = forms.CharField(label="备注", max_length=300, required=False)


class PlanItemForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["owner", "department", "due_on", "status", "evidence"]
        widgets = {"due_on": DATE, "evidence": forms.Textarea(attrs={"rows": 2})}


class ServiceForm(forms.ModelForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)

    class Meta:
        model = ServiceRequest
        fields = ["type", "subject", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = ServiceType.objects.filter(active=True)


class ServiceUpdateForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ServiceRequest
        fields = ["status", "team", "outcome"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 3})}


class LedgerForm(forms.ModelForm):
    uscc = forms.CharField(label="统一社会信用代码", max_length=18)

    class Meta:
        model = BenefitEntry
        fields = ["policy", "policy_name", "level", "year", "project", "amount", "kind", "document", "paid_on"]
        widgets = {"paid_on": DATE}


class TargetForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["year", "tier", "division", "target", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from zjtx.apps.enterprises.models import Division

        self.fields["division"].queryset = Division.objects.filter(valid_to__isnull=True)  # type: ignore[attr-defined]

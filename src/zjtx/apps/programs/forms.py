"""Forms of the programme pages (money in 万元, stored in 元; dates ISO)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from zjtx.apps.programs.models import (
    CLUSTER_CHOICES,
    Contest,
    Level,
    Project,
    ProjectOutcome,
    PublicityEvent,
    SolverApplication,
    TargetList,
)

DATE = forms.DateInput(attrs={"type": "date"})


def wan(value: Any) -> Decimal:
    return (Decimal(str(value)) * 10000).quantize(Decimal("0.01")) if value not in (None, "") else Decimal(0)


class WanField(forms.DecimalField):
    def __init__(self, label: str, **kw: Any) -> None:
        super().__init__(label=label, max_digits=12, decimal_places=2, min_value=0, required=kw.pop("required", False),
                         **kw)


class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=Project.Kind.choices)
    title = forms.CharField(label="项目名称", max_length=200)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    poster_kind = forms.ChoiceField(label="发榜方类型", choices=Project.PosterKind.choices)
    poster_uscc = forms.CharField(label="发榜企业统一社会信用代码", max_length=18, required=False,
                                  help_text="发榜方为企业时填写")
    poster_name = forms.CharField(label="发榜方名称", max_length=200, required=False, help_text="空则取发榜企业名称或市科技局")
    cluster = forms.ChoiceField(label="产业集群", choices=[("", "—")] + list(CLUSTER_CHOICES), required=False)
    chain_point = forms.CharField(label="“卡脖子”环节", max_length=200, required=False)
    goal = forms.CharField(label="技术目标", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    indicators = forms.CharField(label="考核指标", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    budget_wan = WanField("项目总投入（万元）")
    city_share_wan = WanField("市级资助（万元）")
    town_share_wan = WanField("镇街配套（万元）")
    division = forms.ChoiceField(label="联动镇街", required=False)
    posting_opens = forms.DateField(label="张榜开始", required=False, widget=DATE)
    posting_closes = forms.DateField(label="张榜截止", required=False, widget=DATE)
    deadline = forms.DateField(label="完成期限", required=False, widget=DATE)
    consortium = forms.CharField(label="创新联合体成员", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    plan_id = forms.IntegerField(label="关联一企一策方案编号", required=False, min_value=1)

    def __init__(self, *args: Any, divisions: list[tuple[str, str]] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"].choices = [("", "—")] + list(divisions)

    def clean(self) -> dict[str, Any]:
        d = super().clean()
        o, c = d.get("posting_opens"), d.get("posting_closes")
        if o and c and c < o:
            self.add_error("posting_closes", "张榜截止日期不能早于张榜开始日期")
        return d


class ApplyForm(forms.Form):
    enterprise_uscc = forms.CharField(label="企业统一社会信用代码", max_length=18, required=False,
                                      help_text="本库企业填写；高校、科研机构或市外单位留空并填写申报单位")
    applicant_kind = forms.ChoiceField(label="申报主体类型", choices=SolverApplication.ApplicantKind.choices)
    applicant_name = forms.CharField(label="申报单位", max_length=200, required=False)
    local = forms.BooleanField(label="市内单位", required=False, initial=True)
    proposal = forms.CharField(label="解决方案摘要", widget=forms.Textarea(attrs={"rows": 4}))
    requested_amount_wan = WanField("申请资助（万元）")
    partners = forms.CharField(label="联合体成员", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=200)
    due_on = forms.DateField(label="计划完成日期", widget=DATE)
    deliverable = forms.CharField(label="交付成果", max_length=300, required=False)
    city_amount_wan = WanField("市级拨付（万元）")
    town_amount_wan = WanField("镇街拨付（万元）")


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label="成果类型", choices=ProjectOutcome.Kind.choices)
    title = forms.CharField(label="成果名称", max_length=200)
    count = forms.IntegerField(label="数量", min_value=1, initial=1)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    note = forms.CharField(label="备注", max_length=300, required=False)


class TargetImportForm(forms.Form):
    file = forms.FileField(label="名单文件（.xlsx）")
    list_name = forms.CharField(label="名单名称", max_length=120, initial="全省专精特新“小巨人”企业名单")
    kind = forms.ChoiceField(label="名单类型", choices=TargetList.Kind.choices)
    listed_on = forms.DateField(label="名单日期", widget=DATE)
    source = forms.CharField(label="来源", max_length=200, required=False)
    team = forms.ChoiceField(label="梳理小组", required=False)


class CertificationForm(forms.Form):
    level = forms.ChoiceField(label="申报级别", choices=[c for c in Level.choices if c[0] != Level.NONE])
    applied_on = forms.DateField(label="申报日期", widget=DATE)


class TenantForm(forms.Form):
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18)
    entered_on = forms.DateField(label="入驻日期", widget=DATE)


class EventForm(forms.Form):
    title = forms.CharField(label="主题", max_length=200, initial="专精特新发展政策宣讲会")
    division = forms.ChoiceField(label="镇街")
    planned_on = forms.DateField(label="计划日期", widget=DATE)
    channel = forms.ChoiceField(label="方式", choices=PublicityEvent.Channel.choices)
    policies = forms.MultipleChoiceField(label="宣讲政策", required=False, widget=forms.CheckboxSelectMultiple)
    organiser = forms.CharField(label="主办单位", max_length=120, required=False)

    def __init__(self, *args: Any, divisions: list[tuple[str, str]] = (), policies: list[tuple[str, str]] = (),
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["division"].choices = list(divisions)
        self.fields["policies"].choices = list(policies)


class ReachForm(forms.Form):
    usccs = forms.CharField(label="覆盖企业（统一社会信用代码，每行一个）", widget=forms.Textarea(attrs={"rows": 5}))


class AwardForm(forms.Form):
    contest = forms.ModelChoiceField(label="赛事", queryset=Contest.objects.all())
    uscc = forms.CharField(label="企业统一社会信用代码", max_length=18)
    project = forms.CharField(label="参赛项目", max_length=200)
    group = forms.CharField(label="组别", max_length=60, required=False)
    prize = forms.CharField(label="奖项", max_length=60)
    rank = forms.IntegerField(label="名次", min_value=1, required=False)
    awarded_on = forms.DateField(label="获奖日期", widget=DATE)

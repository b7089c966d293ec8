"""Programme models: 揭榜挂帅 and key projects, investment targets, the incubation ladder and
platforms, policy publicity (宣讲) and competition awards (中工信函〔2022〕59号; DOMAIN.md §1 items
4, 7, 9, 10, 14, 15).

Every model points at the registry (``enterprises.Enterprise``, ``Division``) and never edits it
except through the documented feeds (project outcomes → annual IP counts, awards → award ranks),
which are audited like any other change. States move only through ``programs.lifecycle``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from zjtx.facts import industries as fi

CLUSTER_CHOICES = tuple((c.id, c.name) for c in fi.CLUSTERS)


class Level(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    NONE = "none", "未认定"


# ---------------------------------------------------------------------------------------------
# lifecycle log


class LifecycleLog(models.Model):
    """One move of a programme object: actor, role, time, reason (the audit log has before/after)."""

    model = models.CharField("对象类型", max_length=40, db_index=True)
    object_id = models.PositiveBigIntegerField("对象编号", db_index=True)
    action = models.CharField("操作", max_length=40)
    action_label = models.CharField("操作名称", max_length=60)
    from_state = models.CharField("原状态", max_length=40, blank=True, default="")
    to_state = models.CharField("新状态", max_length=40, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True, default="")
    actor_role = models.CharField("角色", max_length=20, blank=True, default="")
    reason = models.CharField("意见/原因", max_length=500, blank=True, default="")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "项目流转记录"


# ---------------------------------------------------------------------------------------------
# 揭榜挂帅 and 市级重大科技专项


class Project(models.Model):
    """A problem posted for solvers (揭榜挂帅) or a city major S&T project (重大科技专项)."""

    class Kind(models.TextChoices):
        JIEBANG = "jiebang", "揭榜挂帅"
        MAJOR = "major", "市级重大科技专项"

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        POSTED = "posted", "张榜征集中"
        REVIEWING = "reviewing", "评审中"
        SELECTED = "selected", "已揭榜（待立项）"
        CONTRACTED = "contracted", "已立项（实施中）"
        ACCEPTING = "accepting", "验收中"
        ACCEPTED = "accepted", "已验收"
        FAILED = "failed", "验收未通过"
        CANCELLED = "cancelled", "已撤榜"

    class PosterKind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        BUREAU = "bureau", "市级部门"
        TOWN = "town", "镇街"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.JIEBANG)
    code = models.CharField("项目编号", max_length=40, unique=True)
    title = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    poster_kind = models.CharField("发榜方类型", max_length=12, choices=PosterKind.choices,
                                   default=PosterKind.BUREAU)
    poster = models.ForeignKey("enterprises.Enterprise", verbose_name="发榜企业", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="posted_projects")
    poster_name = models.CharField("发榜方", max_length=200)
    cluster = models.CharField("产业集群", max_length=30, choices=CLUSTER_CHOICES, blank=True, default="")
    chain_point = models.CharField("“卡脖子”环节", max_length=200, blank=True, default="")
    goal = models.TextField("技术目标", blank=True, default="")
    indicators = models.TextField("考核指标", blank=True, default="")
    budget = models.DecimalField("项目总投入（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    city_share = models.DecimalField("市级资助（元）", max_digits=16, decimal_places=2, default=0)
    town_share = models.DecimalField("镇街配套（元）", max_digits=16, decimal_places=2, default=0)
    division = models.ForeignKey("enterprises.Division", verbose_name="联动镇街", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text="市镇联动：配套资金和共同管理的镇街")
    posting_opens = models.DateField("张榜开始", null=True, blank=True)
    posting_closes = models.DateField("张榜截止", null=True, blank=True)
    deadline = models.DateField("完成期限", null=True, blank=True)
    consortium = models.TextField("创新联合体成员", blank=True, default="",
                                  help_text="企业牵头、联合高校和科研院所，每行一个成员")
    solver = models.ForeignKey("SolverApplication", verbose_name="揭榜方", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    selection_reason = models.CharField("揭榜评审意见", max_length=500, blank=True, default="")
    selected_on = models.DateField("揭榜日期", null=True, blank=True)
    contract_no = models.CharField("合同/立项文号", max_length=100, blank=True, default="")
    approved_on = models.DateField("立项日期", null=True, blank=True)
    plan = models.ForeignKey("cultivation.Plan", verbose_name="关联一企一策方案", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="programme_projects")
    outcome = models.TextField("验收结论与成果", blank=True, default="")
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = verbose_name_plural = "揭榜挂帅与重大科技专项"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def total_funding(self) -> Any:
        return (self.city_share or 0) + (self.town_share or 0)


class SolverApplication(models.Model):
    """A solver's application (揭榜申请): an enterprise, university or institute, in or outside the city."""

    class ApplicantKind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        UNIVERSITY = "university", "高校"
        INSTITUTE = "institute", "科研机构"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已申报"
        SELECTED = "selected", "揭榜成功"
        NOT_SELECTED = "not_selected", "未入选"
        WITHDRAWN = "withdrawn", "已撤回"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="applications")
    applicant_kind = models.CharField("申报主体类型", max_length=12, choices=ApplicantKind.choices,
                                      default=ApplicantKind.ENTERPRISE)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="solver_applications")
    applicant_name = models.CharField("申报单位", max_length=200)
    local = models.BooleanField("市内单位", default=True)
    proposal = models.TextField("解决方案摘要", blank=True, default="")
    requested_amount = models.DecimalField("申请资助（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    partners = models.TextField("联合体成员", blank=True, default="")
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.SUBMITTED)
    score = models.DecimalField("评审得分", max_digits=6, decimal_places=2, null=True, blank=True)
    review_note = models.CharField("评审意见", max_length=500, blank=True, default="")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = verbose_name_plural = "揭榜申请"

    def __str__(self) -> str:
        return f"{self.applicant_name} → {self.project.code}"


class Milestone(models.Model):
    """A contract milestone with its fund tranche (city and town shares)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "未完成"
        SUBMITTED = "submitted", "已提交成果"
        CLOSED = "closed", "已完成"

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField("序号")
    title = models.CharField("节点", max_length=200)
    due_on = models.DateField("计划完成日期")
    deliverable = models.CharField("交付成果", max_length=300, blank=True, default="")
    city_amount = models.DecimalField("市级拨付（元）", max_digits=16, decimal_places=2, default=0)
    town_amount = models.DecimalField("镇街拨付（元）", max_digits=16, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    evidence = models.CharField("成果材料", max_length=500, blank=True, default="")
    submitted_on = models.DateField("提交日期", null=True, blank=True)
    closed_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        ordering = ["project", "seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="milestone_unique_seq")]
        verbose_name = verbose_name_plural = "项目节点"

    def __str__(self) -> str:
        return f"{self.project.code} 节点{self.seq}：{self.title}"


class ProjectOutcome(models.Model):
    """An outcome of a project that may feed the solver enterprise's records (with provenance)."""

    class Kind(models.TextChoices):
        IP1 = "ip1", "Ⅰ类知识产权（发明专利等）"
        IP1_HIGH_VALUE = "ip1_high_value", "Ⅰ类高价值知识产权"
        IP2 = "ip2", "Ⅱ类知识产权"
        PRODUCT = "product", "新产品/新工艺"
        STANDARD = "standard", "标准"
        OTHER = "other", "其他成果"

    FEEDS = {"ip1": ("ip1",), "ip1_high_value": ("ip1", "ip1_high_value"), "ip2": ("ip2",)}

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField("成果类型", max_length=20, choices=Kind.choices)
    title = models.CharField("成果名称", max_length=200)
    count = models.PositiveIntegerField("数量", default=1)
    year = models.PositiveSmallIntegerField("年度")
    fed_at = models.DateTimeField("已写入企业年报", null=True, blank=True)
    fed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="写入人", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    note = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["project", "id"]
        verbose_name = verbose_name_plural = "项目成果"

    def __str__(self) -> str:
        return f"{self.project.code} {self.title}"

    @property
    def feeds_record(self) -> bool:
        return self.kind in self.FEEDS


# ---------------------------------------------------------------------------------------------
# investment targeting (招商)


class InvestmentTeam(models.Model):
    """A team of the 市招商引资工作指挥部 (驻深圳、上海、北京工作小组)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    city = models.CharField("驻地", max_length=20)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = verbose_name_plural = "驻外招商小组"

    def __str__(self) -> str:
        return self.name


class TargetList(models.Model):
    """An imported external list (e.g. the province's 专精特新“小巨人” list)."""

    class Kind(models.TextChoices):
        LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业名单"
        SPECIALIZED = "specialized_sme", "专精特新中小企业名单"
        OTHER = "other", "其他名单"

    name = models.CharField("名单名称", max_length=120)
    kind = models.CharField("名单类型", max_length=20, choices=Kind.choices, default=Kind.LITTLE_GIANT)
    source = models.CharField("来源", max_length=200, blank=True, default="")
    listed_on = models.DateField("名单日期")
    team = models.ForeignKey(InvestmentTeam, verbose_name="梳理小组", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="lists")
    filename = models.CharField("文件名", max_length=255, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = verbose_name_plural = "招商名单"

    def __str__(self) -> str:
        return self.name


class TargetImport(models.Model):
    """An upload of a target list: validated (preview, nothing written) → confirmed (one transaction)."""

    class Status(models.TextChoices):
        INVALID = "invalid", "有错误"
        READY = "ready", "待确认"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="导入人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=255)
    content = models.BinaryField("文件内容")
    list_name = models.CharField("名单名称", max_length=120)
    list_kind = models.CharField("名单类型", max_length=20, choices=TargetList.Kind.choices,
                                 default=TargetList.Kind.LITTLE_GIANT)
    source = models.CharField("来源", max_length=200, blank=True, default="")
    listed_on = models.DateField("名单日期")
    team = models.ForeignKey(InvestmentTeam, verbose_name="梳理小组", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.READY)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    warnings = models.JSONField("提示", default=list, blank=True)
    result_list = models.ForeignKey(TargetList, verbose_name="导入结果", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "名单导入任务"

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"


class TargetStage(models.TextChoices):
    LISTED = "listed", "已列入名单"
    TARGETED = "targeted", "重点招引目标"
    CONTACTED = "contacted", "已联系"
    VISITED = "visited", "已走访/线上会谈"
    INTENTION = "intention", "有投资意向"
    SIGNED = "signed", "已签约"
    LANDED = "landed", "已落地"
    DROPPED = "dropped", "已放弃"


STAGE_ORDER = {s: i for i, s in enumerate([TargetStage.LISTED, TargetStage.TARGETED, TargetStage.CONTACTED,
                                           TargetStage.VISITED, TargetStage.INTENTION, TargetStage.SIGNED,
                                           TargetStage.LANDED])}


class InvestmentTarget(models.Model):
    """A firm of an external list: its figures, engine results, chain fit, team, receiving town, stage."""

    class Fit(models.TextChoices):
        FILL = "fill", "补链"
        EXTEND = "extend", "延链"
        STRENGTHEN = "strengthen", "强链"
        NONE = "none", "不属于“4+6+4”集群"

    target_list = models.ForeignKey(TargetList, verbose_name="名单", on_delete=models.CASCADE, related_name="targets")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("企业名称", max_length=200)
    region = models.CharField("所在地市", max_length=40, blank=True, default="")
    region_code = models.CharField("登记地代码", max_length=6, blank=True, default="")
    local = models.BooleanField("本市注册", default=False)
    industry = models.CharField("国民经济行业分类", max_length=5, blank=True, default="")
    main_product = models.CharField("主导产品", max_length=200, blank=True, default="")
    founded_on = models.DateField("成立日期", null=True, blank=True)
    data = models.JSONField("评价数据（FIELDS.md 字段）", default=dict, blank=True)
    raw = models.JSONField("原始导入值", default=dict, blank=True)
    evaluation = models.JSONField("规则评价结果", default=dict, blank=True)
    evaluated_on = models.DateField("评价基准日", null=True, blank=True)
    fit = models.CharField("产业链契合", max_length=12, choices=Fit.choices, default=Fit.NONE)
    fit_score = models.PositiveSmallIntegerField("契合度得分", default=0)
    fit_reasons = models.JSONField("契合理由", default=list, blank=True)
    team = models.ForeignKey(InvestmentTeam, verbose_name="招商小组", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="targets")
    town = models.ForeignKey("enterprises.Division", verbose_name="承接镇街", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    key_target = models.BooleanField("重点招引目标", default=False)
    targeted_on = models.DateField("确定为重点目标日期", null=True, blank=True)
    stage = models.CharField("进展", max_length=12, choices=TargetStage.choices, default=TargetStage.LISTED)
    furthest = models.CharField("最远进展", max_length=12, choices=TargetStage.choices, default=TargetStage.LISTED)
    stage_on = models.DateField("进展日期", null=True, blank=True)
    dropped_reason = models.CharField("放弃原因", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ["-fit_score", "uscc"]
        constraints = [models.UniqueConstraint(fields=["target_list", "uscc"], name="target_unique_per_list")]
        verbose_name = verbose_name_plural = "招商目标"

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def cluster(self) -> str | None:
        return fi.cluster_of(self.industry) if self.industry else None


class FollowUp(models.Model):
    """One follow-up of a target (联系、走访、线上会谈、意向、签约、落地) with date and notes."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "联系"
        VISIT = "visit", "上门走访"
        ONLINE = "online", "线上会谈（不见面招商）"
        INTENTION = "intention", "达成投资意向"
        SIGNED = "signed", "签约"
        LANDED = "landed", "落地"
        NOTE = "note", "跟进记录"

    STAGE_OF = {"contact": "contacted", "visit": "visited", "online": "visited", "intention": "intention",
                "signed": "signed", "landed": "landed"}

    target = models.ForeignKey(InvestmentTarget, verbose_name="招商目标", on_delete=models.CASCADE,
                               related_name="followups")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    note = models.CharField("情况", max_length=500, blank=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        ordering = ["target", "on", "id"]
        verbose_name = verbose_name_plural = "招商跟进记录"

    def __str__(self) -> str:
        return f"{self.target.name} {self.on} {self.get_kind_display()}"


# ---------------------------------------------------------------------------------------------
# incubation ladder and platforms


class Carrier(models.Model):
    """An incubation carrier of the ladder 众创空间 → 孵化器 → 加速器 → 科技园区 (and 大学科技园)."""

    class Kind(models.TextChoices):
        MAKER_SPACE = "maker_space", "众创空间"
        INCUBATOR = "incubator", "科技企业孵化器"
        ACCELERATOR = "accelerator", "加速器"
        SCIENCE_PARK = "science_park", "科技园区"
        UNIVERSITY_PARK = "university_park", "大学科技园"

    LADDER = ("maker_space", "incubator", "accelerator", "science_park")

    name = models.CharField("名称", max_length=120, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    operator = models.CharField("运营主体", max_length=120, blank=True, default="")
    division = models.ForeignKey("enterprises.Division", verbose_name="所在镇街", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    level = models.CharField("现级别", max_length=12, choices=Level.choices, default=Level.NONE)
    certified_on = models.DateField("现级别认定日期", null=True, blank=True)
    opened_on = models.DateField("运营日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = verbose_name_plural = "孵化载体"

    def __str__(self) -> str:
        return self.name


class Certification(models.Model):
    """A level application of a carrier: 申报中 → 已认定 / 未通过; 已认定 → 已撤销."""

    class Status(models.TextChoices):
        APPLYING = "applying", "申报中"
        CERTIFIED = "certified", "已认定"
        REJECTED = "rejected", "未通过"
        REVOKED = "revoked", "已撤销"

    carrier = models.ForeignKey(Carrier, verbose_name="载体", on_delete=models.CASCADE, related_name="certifications")
    level = models.CharField("申报级别", max_length=12, choices=Level.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.APPLYING)
    applied_on = models.DateField("申报日期")
    certified_on = models.DateField("认定日期", null=True, blank=True)
    document = models.CharField("认定文号", max_length=120, blank=True, default="")

    class Meta:
        ordering = ["carrier", "applied_on", "id"]
        verbose_name = verbose_name_plural = "载体认定"

    def __str__(self) -> str:
        return f"{self.carrier.name} {self.get_level_display()}（{self.get_status_display()}）"


class Tenancy(models.Model):
    """An enterprise resident in a carrier: 在孵 → 毕业 / 退出."""

    class Status(models.TextChoices):
        RESIDENT = "resident", "在孵"
        GRADUATED = "graduated", "已毕业"
        LEFT = "left", "已退出"

    carrier = models.ForeignKey(Carrier, verbose_name="载体", on_delete=models.CASCADE, related_name="tenancies")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="tenancies")
    entered_on = models.DateField("入驻日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RESIDENT)
    graduated_on = models.DateField("毕业日期", null=True, blank=True)
    left_on = models.DateField("退出日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["carrier", "entered_on", "id"]
        constraints = [models.UniqueConstraint(fields=["carrier", "enterprise", "entered_on"],
                                               name="tenancy_unique_entry")]
        verbose_name = verbose_name_plural = "在孵与毕业企业"

    def __str__(self) -> str:
        return f"{self.enterprise.name} @ {self.carrier.name}"


class Platform(models.Model):
    """An innovation platform brought in with a university or institute (市校/院共建)."""

    class Kind(models.TextChoices):
        RESEARCH_INSTITUTE = "research_institute", "研究院"
        INNOVATION_CENTER = "innovation_center", "创新中心"
        NEW_RD = "new_rd", "新型研发机构"
        LAB = "lab", "实验室"

    class Status(models.TextChoices):
        PLANNING = "planning", "筹建中"
        OPERATING = "operating", "已挂牌运营"

    name = models.CharField("名称", max_length=120, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    partner = models.CharField("共建高校/科研机构", max_length=120)
    division = models.ForeignKey("enterprises.Division", verbose_name="所在镇街", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    park = models.CharField("所在园区", max_length=60, blank=True, default="")
    established_on = models.DateField("挂牌日期", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPERATING)
    open_shared_lab = models.BooleanField("开放共享实验室", default=False)
    fields_served = models.CharField("服务产业方向", max_length=200, blank=True, default="")

    class Meta:
        ordering = ["established_on", "name"]
        verbose_name = verbose_name_plural = "创新平台"

    def __str__(self) -> str:
        return self.name


class PlatformService(models.Model):
    """A service a platform gave an enterprise (检测、研发合作、技术转移、仪器共享、人才培养)."""

    class Kind(models.TextChoices):
        TESTING = "testing", "检验检测"
        RD = "rd", "研发合作"
        TRANSFER = "transfer", "技术转移"
        EQUIPMENT = "equipment", "仪器共享"
        TALENT = "talent", "人才培养"

    platform = models.ForeignKey(Platform, verbose_name="平台", on_delete=models.CASCADE, related_name="services")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="platform_services")
    kind = models.CharField("服务类型", max_length=12, choices=Kind.choices)
    on = models.DateField("日期")
    note = models.CharField("内容", max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-on", "id"]
        verbose_name = verbose_name_plural = "平台服务企业"


# ---------------------------------------------------------------------------------------------
# policy publicity (宣讲)


class PublicityEvent(models.Model):
    """A 宣讲 event in a 镇街: planned → held (with the enterprises reached) / cancelled."""

    class Channel(models.TextChoices):
        ONLINE = "online", "线上"
        OFFLINE = "offline", "线下"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        HELD = "held", "已举办"
        CANCELLED = "cancelled", "已取消"

    title = models.CharField("主题", max_length=200)
    division = models.ForeignKey("enterprises.Division", verbose_name="镇街", on_delete=models.PROTECT,
                                 related_name="+")
    planned_on = models.DateField("计划日期")
    held_on = models.DateField("举办日期", null=True, blank=True)
    channel = models.CharField("方式", max_length=10, choices=Channel.choices, default=Channel.OFFLINE)
    policies = models.JSONField("宣讲政策", default=list, blank=True, help_text="政策代码列表")
    organiser = models.CharField("主办单位", max_length=120, blank=True, default="")
    attendees = models.PositiveIntegerField("参加人数", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    note = models.CharField("备注", max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "-id"]
        verbose_name = verbose_name_plural = "政策宣讲"

    def __str__(self) -> str:
        return f"{self.division.name} {self.title}"


class Reach(models.Model):
    """An enterprise reached by a publicity event (attended or was contacted)."""

    event = models.ForeignKey(PublicityEvent, verbose_name="宣讲活动", on_delete=models.CASCADE,
                              related_name="reached")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="publicity_reach")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "enterprise"], name="reach_unique")]
        verbose_name = verbose_name_plural = "宣讲覆盖企业"


# ---------------------------------------------------------------------------------------------
# competitions and awards


class Contest(models.Model):
    """A contest (e.g. 2021年中国创新创业大赛（广东·中山赛区）) and the benefits its prizes unlock."""

    class Series(models.TextChoices):
        INNOVATION = "innovation_contest", "中国创新创业大赛"
        CHUANGKE = "chuangke", "“创客中国”中小企业创新创业大赛"
        SCIENCE_AWARD = "science_award", "科学技术奖"
        OTHER = "other", "其他赛事"

    RANK_FIELDS = (("", "不用于梯度评价"), ("chuangke_rank_3y", "近三年“创客中国”大赛全国最好名次"),
                   ("national_award_rank_3y", "近三年国家级科技奖励最好排名"),
                   ("provincial_award_rank_3y", "近三年省级科技奖励最好排名"))

    name = models.CharField("赛事名称", max_length=160, unique=True)
    series = models.CharField("赛事系列", max_length=20, choices=Series.choices)
    year = models.PositiveSmallIntegerField("年度")
    level = models.CharField("级别", max_length=12, choices=Level.choices)
    division_name = models.CharField("赛区", max_length=60, blank=True, default="")
    organiser = models.CharField("主办单位", max_length=160, blank=True, default="")
    held_on = models.DateField("决赛日期", null=True, blank=True)
    rank_field = models.CharField("计入评价字段", max_length=30, choices=RANK_FIELDS, blank=True, default="")
    benefits = models.JSONField("获奖可享政策", default=list, blank=True,
                                help_text="[{prize: 奖项, grant: 资金补助（元）, credit: 银行授信（元）}]")
    document = models.CharField("依据文件", max_length=160, blank=True, default="")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = verbose_name_plural = "赛事"

    def __str__(self) -> str:
        return self.name

    def benefit_for(self, prize: str) -> dict:
        for b in self.benefits or []:
            if b.get("prize") == prize:
                return b
        return {}


class Award(models.Model):
    """A prize won by an enterprise: recorded → benefits granted (benefit ledger) → paid."""

    class BenefitStatus(models.TextChoices):
        NONE = "none", "未兑现"
        GRANTED = "granted", "已批复"
        PAID = "paid", "已兑现"

    contest = models.ForeignKey(Contest, verbose_name="赛事", on_delete=models.PROTECT, related_name="awards")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="awards")
    project = models.CharField("参赛项目", max_length=200)
    group = models.CharField("组别", max_length=60, blank=True, default="")
    prize = models.CharField("奖项", max_length=60)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    awarded_on = models.DateField("获奖日期")
    benefit_status = models.CharField("政策兑现", max_length=10, choices=BenefitStatus.choices,
                                      default=BenefitStatus.NONE)
    ledger_entry = models.ForeignKey("cultivation.BenefitEntry", verbose_name="奖补台账记录", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    credit_line = models.DecimalField("银行授信（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    credit_bank = models.CharField("授信银行", max_length=60, blank=True, default="")

    class Meta:
        ordering = ["contest", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "enterprise", "project"], name="award_unique")]
        verbose_name = verbose_name_plural = "获奖企业"

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.contest.name} {self.prize}"


AUDITED: tuple[type[models.Model], ...] = (
    Project, SolverApplication, Milestone, ProjectOutcome, InvestmentTeam, TargetList, InvestmentTarget, FollowUp,
    Carrier, Certification, Tenancy, Platform, PlatformService, PublicityEvent, Reach, Contest, Award,
)

"""Loading the demo programmes (``zjtx.demo.programs``) for the enterprises already in the registry.

Independent of how the demo registry was loaded: it reads the enterprises and titles from the
database, generates the programme rows, writes them in one transaction (one summary audit entry,
like the registry's demo load), imports the shipped 299-firm sample through the same validation as
an upload, evaluates and scores it, and picks the Shenzhen team's 36 key targets by chain fit.
Does nothing when programme data already exist.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from django.db import transaction

from zjtx.apps.accounts import audit
from zjtx.apps.programs.models import (
    STAGE_ORDER,
    Award,
    Carrier,
    Certification,
    Contest,
    FollowUp,
    InvestmentTarget,
    InvestmentTeam,
    LifecycleLog,
    Milestone,
    Platform,
    PlatformService,
    Project,
    ProjectOutcome,
    PublicityEvent,
    Reach,
    SolverApplication,
    TargetList,
    Tenancy,
)

LIST_ON = dt.date(2021, 10, 15)
TARGETED_ON = dt.date(2021, 12, 20)
LEVEL_RANK = {"national": 3, "provincial": 2, "city": 1}


def _registry() -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    from zjtx.apps.enterprises.models import Enterprise, Title

    rows = list(Enterprise.objects.order_by("uscc").values_list("uscc", "name", "division_id", "industry", "founded_on"))
    ents = pl.DataFrame(rows, schema={"uscc": pl.String, "name": pl.String, "division": pl.String,
                                      "industry": pl.String, "founded_on": pl.Date}, orient="row")
    trows = list(Title.objects.values_list("enterprise__uscc", "title", "granted_on"))
    titles = pl.DataFrame(trows, schema={"uscc": pl.String, "title": pl.String, "granted_on": pl.Date}, orient="row")
    pk = dict(Enterprise.objects.values_list("uscc", "pk"))
    return ents, titles, pk


def _town_for(cluster: str | None) -> str:
    from zjtx.facts.divisions import TOWN_SPECIALTIES
    from zjtx.facts.industries import cluster_name

    name = cluster_name(cluster) if cluster else None
    for code, specs in TOWN_SPECIALTIES.items():
        if name and name in specs:
            return code
    return "442000003"  # 中山港街道 (火炬开发区)


def load_programmes(seed: int = 2022) -> dict[str, int]:
    """Write the demo programmes; returns counts (empty when programme data already exist)."""
    from zjtx.demo.programs import SAMPLE_TARGETS_PATH, generate_programmes, write_target_sample

    if Project.objects.exists() or TargetList.objects.exists():
        return {}
    ents, titles, pk = _registry()
    if ents.height == 0:
        return {}
    demo = generate_programmes(ents, titles, seed)
    counts: dict[str, int] = {}
    with audit.audit_context(None, source="demo"), transaction.atomic():
        _renames(demo.renames)
        counts["projects"] = _projects(demo, pk)
        counts["carriers"] = _carriers(demo, pk)
        counts["platforms"] = _platforms(demo, pk)
        counts["publicity_events"] = _publicity(demo, pk)
        counts["awards"] = _awards(demo, pk)
        audit.log("import", model="programs.Project", object_repr="载入演示专项工作数据", after=dict(counts))
    if not SAMPLE_TARGETS_PATH.exists():  # pragma: no cover - the sample ships with the package
        write_target_sample()
    counts["targets"] = _targets(demo, SAMPLE_TARGETS_PATH.read_bytes())
    return counts


def _renames(renames: dict[str, str]) -> None:
    from zjtx.apps.enterprises.models import Enterprise

    for uscc, name in renames.items():
        e = Enterprise.objects.filter(uscc=uscc).first()
        if e is not None and not Enterprise.objects.filter(name=name).exists():
            e.name = name
            e.save()


def _projects(demo: Any, pk: dict[str, int]) -> int:
    from zjtx.apps.cultivation.models import BenefitEntry
    from zjtx.apps.programs.projects import LEDGER_NAMES, LEDGER_POLICY

    by_code: dict[str, Project] = {}
    for r in demo.projects:
        p = Project.objects.create(
            kind=r["kind"], code=r["code"], title=r["title"], year=r["year"], state=r["state"],
            poster_kind=r["poster_kind"], poster_name=r["poster_name"], cluster=r["cluster"],
            chain_point=r["chain_point"], goal=r["goal"], indicators=r["indicators"], budget=Decimal(str(r["budget"])),
            city_share=Decimal(str(r["city_share"])), town_share=Decimal(str(r["town_share"])),
            division_id=r["division"], posting_opens=r["posting_opens"], posting_closes=r["posting_closes"],
            deadline=r["deadline"], consortium=r["consortium"], selected_on=r["selected_on"],
            approved_on=r["approved_on"], contract_no=r["contract_no"], accepted_on=r["accepted_on"],
            outcome=r["outcome"], selection_reason="综合评审得分第一，技术路线可行、产业化基础好（演示数据）")
        by_code[p.code] = p
    for a in demo.applications:
        p = by_code[a["project"]]
        app = SolverApplication.objects.create(
            project=p, applicant_kind=a["applicant_kind"], enterprise_id=pk.get(a["enterprise"]) if a["enterprise"] else None,
            applicant_name=a["applicant_name"] or "", local=a["local"], proposal=a["proposal"], status=a["status"],
            score=Decimal(str(a["score"])), requested_amount=Decimal(str(a["requested_amount"])))
        if not app.applicant_name and app.enterprise_id:
            app.applicant_name = app.enterprise.name
            app.save(update_fields=["applicant_name"])
        if a["status"] == "selected":
            p.solver = app
            p.save(update_fields=["solver"])
    Milestone.objects.bulk_create([
        Milestone(project=by_code[m["project"]], seq=m["seq"], title=m["title"], due_on=m["due_on"],
                  deliverable=m["deliverable"], city_amount=Decimal(str(m["city_amount"])),
                  town_amount=Decimal(str(m["town_amount"])), status=m["status"], closed_on=m["closed_on"],
                  submitted_on=m["closed_on"], evidence=m["evidence"]) for m in demo.milestones])
    ProjectOutcome.objects.bulk_create([
        ProjectOutcome(project=by_code[o["project"]], kind=o["kind"], title=o["title"], count=o["count"], year=o["year"])
        for o in demo.outcomes])
    entries, logs = [], []
    for p in by_code.values():
        ent = p.solver.enterprise_id if p.solver_id else None
        done = p.state == Project.State.ACCEPTED
        project = f"{p.code} {p.title}"[:200]
        for policy, level, amount in ((LEDGER_POLICY[p.kind], "city", p.city_share), ("zs_town_cofund", "town", p.town_share)):
            if ent and amount:
                entries.append(BenefitEntry(enterprise_id=ent, policy=policy, policy_name=LEDGER_NAMES[policy], level=level,
                                            year=p.approved_on.year, project=project, amount=amount,
                                            kind=BenefitEntry.Kind.PAID if done else BenefitEntry.Kind.GRANTED,
                                            paid_on=p.accepted_on if done else None, document=p.contract_no))
        steps = [("post", "发榜（公开张榜征集）", "draft", "posted"), ("close_call", "截止征集，进入评审", "posted", "reviewing"),
                 ("select", "确定揭榜方", "reviewing", "selected"), ("approve", "签订合同，立项实施", "selected", "contracted")]
        if done:
            steps += [("request_acceptance", "申请验收", "contracted", "accepting"), ("accept", "验收通过", "accepting", "accepted")]
        logs += [LifecycleLog(model="project", object_id=p.pk, action=a, action_label=label, from_state=f, to_state=t,
                              actor_name="演示数据", reason="") for a, label, f, t in steps]
    BenefitEntry.objects.bulk_create(entries)
    LifecycleLog.objects.bulk_create(logs)
    return len(by_code)


def _carriers(demo: Any, pk: dict[str, int]) -> int:
    carriers = {r["name"]: Carrier.objects.create(name=r["name"], kind=r["kind"], operator=r["operator"],
                                                  division_id=r["division"], note=r["note"]) for r in demo.carriers}
    Certification.objects.bulk_create([
        Certification(carrier=carriers[c["carrier"]], level=c["level"], status=c["status"], applied_on=c["applied_on"],
                      certified_on=c["certified_on"], document=c["document"]) for c in demo.certifications])
    for c in carriers.values():
        best = max((x for x in c.certifications.all() if x.status == "certified"),
                   key=lambda x: (LEVEL_RANK[x.level], x.certified_on), default=None)
        if best is not None:
            c.level, c.certified_on = best.level, best.certified_on
            c.save(update_fields=["level", "certified_on"])
    Tenancy.objects.bulk_create([
        Tenancy(carrier=carriers[t["carrier"]], enterprise_id=pk[t["enterprise"]], entered_on=t["entered_on"],
                status=t["status"], graduated_on=t["graduated_on"]) for t in demo.tenancies if t["enterprise"] in pk])
    return len(carriers)


def _platforms(demo: Any, pk: dict[str, int]) -> int:
    plats = {r["name"]: Platform.objects.create(**{k: v for k, v in r.items() if k != "division"},
                                                division_id=r["division"]) for r in demo.platforms}
    PlatformService.objects.bulk_create([
        PlatformService(platform=plats[s["platform"]], enterprise_id=pk[s["enterprise"]], kind=s["kind"], on=s["on"],
                        note=s["note"]) for s in demo.services if s["enterprise"] in pk])
    return len(plats)


def _publicity(demo: Any, pk: dict[str, int]) -> int:
    events = {}
    for r in demo.events:
        events[r["key"]] = PublicityEvent.objects.create(
            title=r["title"], division_id=r["division"], planned_on=r["planned_on"], held_on=r["held_on"],
            channel=r["channel"], policies=r["policies"], status=r["status"], organiser=r["organiser"],
            attendees=r["attendees"], note=r.get("note", ""))
    Reach.objects.bulk_create([Reach(event=events[x["event"]], enterprise_id=pk[x["enterprise"]])
                               for x in demo.reach if x["enterprise"] in pk], ignore_conflicts=True)
    return len(events)


def _awards(demo: Any, pk: dict[str, int]) -> int:
    from zjtx.apps.cultivation.models import BenefitEntry
    from zjtx.apps.programs.awards import LEDGER_NAME, LEDGER_POLICY

    contests = {r["name"]: Contest.objects.create(**r) for r in demo.contests}
    n = 0
    for a in demo.awards:
        c = contests[a["contest"]]
        b = c.benefit_for(a["prize"])
        award = Award.objects.create(contest=c, enterprise_id=pk[a["enterprise"]], project=a["project"], group=a["group"],
                                     prize=a["prize"], rank=a["rank"], awarded_on=a["awarded_on"],
                                     benefit_status=a["benefit_status"],
                                     credit_line=Decimal(str(b["credit"])) if b.get("credit") else None,
                                     credit_bank="合作银行（演示）" if b.get("credit") else "")
        if b.get("grant"):
            policy = LEDGER_POLICY[c.series]
            paid = a["benefit_status"] == "paid"
            award.ledger_entry = BenefitEntry.objects.create(
                enterprise_id=award.enterprise_id, policy=policy, policy_name=LEDGER_NAME[policy], level="city",
                year=c.year, project=award.project, amount=Decimal(str(b["grant"])),
                kind=BenefitEntry.Kind.PAID if paid else BenefitEntry.Kind.GRANTED,
                paid_on=dt.date(2021, 12, 15) if paid else None, document=c.document[:150])
            award.save(update_fields=["ledger_entry"])
        n += 1
    return n


def _targets(demo: Any, content: bytes) -> int:
    """The sample list through the upload path, scored; the Shenzhen team's 36 key targets; follow-ups."""
    from zjtx.apps.programs.targets import apply_rows, refresh_list, suggest_key_targets, validate_targets
    from zjtx.demo.programs import LIST_NAME, TARGETS

    parsed = validate_targets(content, "province_little_giants_sample.xlsx")
    if parsed.errors:  # pragma: no cover - the shipped sample validates (tests/web/programs)
        raise ValueError("演示名单校验未通过：" + "；".join(str(p) for p in parsed.errors[:5]))
    teams = {t.code: t for t in InvestmentTeam.objects.all()}
    with audit.audit_context(None, source="demo"), transaction.atomic():
        tl = TargetList.objects.create(name=LIST_NAME, kind=TargetList.Kind.LITTLE_GIANT, listed_on=LIST_ON,
                                       source="广东省专精特新“小巨人”企业名单（演示样本，299家）", team=teams.get("shenzhen"),
                                       filename="province_little_giants_sample.xlsx")
        apply_rows(tl, parsed.rows)
    refresh_list(tl, LIST_ON)
    keys = suggest_key_targets(tl, "深圳市", TARGETS["shenzhen_key_targets"])
    by_rank = {i: t for i, t in enumerate(keys, start=1)}
    with audit.audit_context(None, source="demo"), transaction.atomic():
        for t in keys:
            t.key_target, t.targeted_on = True, TARGETED_ON
            t.stage = t.furthest = "targeted"
            t.stage_on = TARGETED_ON
            t.town_id = _town_for(t.cluster)
            t.save()
        for f in sorted(demo.followups, key=lambda x: x["on"]):
            t = by_rank.get(f["rank"])
            if t is None:
                continue
            FollowUp.objects.create(target=t, kind=f["kind"], on=f["on"], note=f["note"])
            stage = FollowUp.STAGE_OF[f["kind"]]
            if STAGE_ORDER[stage] > STAGE_ORDER[t.stage]:
                t.stage = t.furthest = stage
                t.stage_on = f["on"]
                t.save()
        n = tl.targets.count()
        for team_code, label in (("shanghai", "长三角专精特新“小巨人”重点企业（演示）"), ("beijing", "京津冀专精特新“小巨人”重点企业（演示）")):
            rows = [r for r in demo.extra_lists if r["team"] == team_code]
            other = TargetList.objects.create(name=label, kind=TargetList.Kind.LITTLE_GIANT, listed_on=dt.date(2022, 3, 1),
                                              source="演示数据", team=teams.get(team_code))
            for i, r in enumerate(rows):
                t = InvestmentTarget.objects.create(target_list=other, uscc=r["uscc"], name=r["name"], region=r["region"],
                                                    region_code=r["uscc"][2:8], industry=r["industry"],
                                                    team=teams.get(team_code), town_id=_town_for(None))
                if r["stage"] != "listed":
                    t.key_target, t.targeted_on = True, dt.date(2022, 3, 20)
                    t.stage = t.furthest = "targeted"
                for kind, on in (("contact", dt.date(2022, 4, 1 + i)), ("online", dt.date(2022, 5, 1 + i))):
                    want = {"contact": "contacted", "online": "visited"}[kind]
                    if ["listed", "targeted", "contacted", "visited"].index(r["stage"]) >= \
                            ["listed", "targeted", "contacted", "visited"].index(want):
                        FollowUp.objects.create(target=t, kind=kind, on=on, note="演示数据")
                        t.stage = t.furthest = want
                        t.stage_on = on
                t.save()
                n += 1
    return n

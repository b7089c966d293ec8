"""Conditions shared by several policies."""

from __future__ import annotations

from zjtx.policies.sme_size import POLICY as SME_SIZE
from zjtx.rules import IsFalse, PolicyOK
from zjtx.rules.nodes import Cond


def tier_gate(doc: str) -> list[Cond]:
    """The common gate G of the 梯度培育 tiers (POLICIES.md §1.6): 中小企业, compliance, industry."""
    return [
        PolicyOK(SME_SIZE).named("G_sme", "符合《中小企业划型标准规定》（中小微企业）", "工信部联企业〔2011〕300号"),
        IsFalse("abnormal_or_dishonest").named("G_credit", "未被列入经营异常名录或严重失信主体名单", doc),
        IsFalse("major_incident_3y").named(
            "G_incident", "近三年未发生重大安全（含网络安全、数据安全）、质量、环境污染等事故以及偷漏税等违法违规行为", doc),
        IsFalse("restricted_industry").named("G_industry", "产品（服务）不属于国家禁止、限制或淘汰类", doc),
    ]

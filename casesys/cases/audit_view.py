"""The audit log (修改记录) in the user's language: Chinese names of tables
and fields, names and numbers instead of ids, labels instead of codes,
Beijing time instead of stored UTC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from casesys.auth.models import Office, User
from casesys.cases.models import Agent, Case, CasePatent, Evidence, Party, Patent
from casesys.core.timefmt import local_datetime
from casesys.domain import enums
from casesys.extensions import db

TABLES = {"cases": "案件", "parties": "当事人", "agents": "委托代理人", "case_patents": "涉案专利", "evidence": "证据",
          "hearings": "口头审理", "panel_members": "合议组成员", "clock_stops": "期限中止", "mediations": "调解",
          "documents": "文书", "case_deadlines": "期限"}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}
FIELDS = {
    "number": "编号", "title": "案由", "requests": "请求事项", "accused_products": "被控侵权产品",
    "infringing_acts": "被控侵权行为", "places": "侵权行为地", "facts_and_reasons": "事实和理由",
    "dispute_kind": "纠纷类型", "case_type": "案件类型", "procedure": "程序", "state": "状态",
    "received_on": "收到请求日期", "accepted_on": "受理日期", "closed_on": "结案日期", "handler_id": "承办人",
    "office_id": "承办机关", "created_by_id": "登记人", "created_at": "登记时间", "conditions": "受理条件",
    "short_answer_agreed": "同意缩短答辩期", "served_on": "送达日期", "answer_received_on": "收到答辩日期",
    "answer_forwarded_on": "转送答辩日期", "extensions": "延期次数", "converted_on": "转换程序日期",
    "suspended_from": "中止前状态", "decided_on": "裁决日期", "decision_outcome": "裁决结果",
    "decision_text": "裁决主文", "decision_served_on": "裁决送达日期", "closing_type": "结案方式",
    "role": "身份", "position": "序号", "kind": "类型", "name": "名称或姓名", "id_number": "身份证号码",
    "credit_code": "统一社会信用代码", "address": "地址", "phone": "电话", "legal_representative": "法定代表人",
    "enterprise_type": "主体性质", "party_id": "当事人", "case_id": "案件", "firm": "代理机构",
    "authority": "代理权限", "patent_id": "专利", "claims": "主张的权利要求", "description": "名称及证明内容",
    "page_count": "页数", "sha256": "文件指纹", "filename": "文件名", "content_type": "文件类型", "size": "大小（字节）",
    "cross_examination": "质证意见", "uploaded_by_id": "上传人", "uploaded_at": "上传时间",
    "scheduled_at": "时间", "place": "地点", "notice_served_on": "通知送达日期", "held": "已举行",
    "requester_attended": "请求人到场", "respondent_attended": "被请求人到场", "absence_excused": "缺席有正当理由",
    "notes": "笔录摘要", "user_id": "人员", "presiding": "组长", "started_on": "开始日期", "ended_on": "结束日期",
    "reason": "理由", "reference": "文号", "status": "状态", "texts": "文书内容", "issued_on": "签发日期",
    "approved_by_id": "签发人", "approved_at": "签发时间", "verify_code": "核验码", "doc_type": "文书类型",
}
ENUMS = {
    "dispute_kind": enums.DisputeKind, "case_type": enums.CaseType, "procedure": enums.Procedure,
    "state": enums.CaseState, "suspended_from": enums.CaseState, "role": enums.PartyRole,
    "enterprise_type": enums.EnterpriseType, "authority": enums.AgentAuthority,
}
KIND_ENUMS = {"parties": enums.PartyKind, "evidence": enums.EvidenceKind}
USER_FIELDS = {"handler_id", "created_by_id", "uploaded_by_id", "user_id", "approved_by_id"}
BOOLEANS = {True: "是", False: "否"}


@dataclass
class Change:
    field: str
    old: str | None
    new: str


@dataclass
class AuditEntry:
    at: str
    actor: str
    what: str
    action: str
    changes: list[Change]


class _Names:
    """Ids to names, each kind read once for the whole page."""

    def __init__(self, rows, procedure=None):
        self.procedure = procedure
        wanted: dict[str, set[int]] = {}
        for row in rows:
            for key, values in (row.changes or {}).items():
                for value in values:
                    if isinstance(value, int) and not isinstance(value, bool):
                        wanted.setdefault(key, set()).add(value)
            wanted.setdefault(row.table_name, set()).add(row.row_id)
        ids = lambda *keys: set().union(*(wanted.get(k, set()) for k in keys))  # noqa: E731
        self.users = dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids(*USER_FIELDS)))).all())
        self.offices = dict(db.session.execute(sa.select(Office.id, Office.name).where(Office.id.in_(ids("office_id")))).all())
        self.parties = dict(db.session.execute(sa.select(Party.id, Party.name).where(
            Party.id.in_(ids("party_id", "parties")))).all())
        self.patents = dict(db.session.execute(sa.select(Patent.id, Patent.number).where(Patent.id.in_(ids("patent_id")))).all())
        self.cases = dict(db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(ids("case_id")))).all())
        self.agents = dict(db.session.execute(sa.select(Agent.id, Agent.name).where(Agent.id.in_(ids("agents")))).all())
        self.evidence = dict(db.session.execute(sa.select(Evidence.id, Evidence.description).where(
            Evidence.id.in_(ids("evidence")))).all())
        self.case_patents = dict(db.session.execute(
            sa.select(CasePatent.id, Patent.number).join(Patent, CasePatent.patent_id == Patent.id)
            .where(CasePatent.id.in_(ids("case_patents")))).all())
        # a deleted row is named by what its insertion recorded
        self.inserted = {(r.table_name, r.row_id): r.changes for r in rows if r.action == "insert"}

    def of_row(self, table: str, row_id: int | None, changes: dict) -> str:
        known = {"parties": self.parties, "agents": self.agents, "evidence": self.evidence,
                 "case_patents": self.case_patents}.get(table, {})
        name = known.get(row_id)
        if name is None:
            recorded = {**self.inserted.get((table, row_id), {}), **changes}
            for key in ("name", "description", "number", "place"):
                if recorded.get(key):
                    value = recorded[key]
                    name = value[-1] if isinstance(value, list) else value
                    break
        return f"{TABLES.get(table, table)}“{name}”" if name else TABLES.get(table, table)

    def value(self, table: str, key: str, value: Any) -> str:
        if value is None or value == "":
            return "（空）"
        if isinstance(value, bool):
            return BOOLEANS[value]
        if key in USER_FIELDS:
            return self.users.get(value, f"用户 {value}")
        lookups = {"office_id": self.offices, "party_id": self.parties, "patent_id": self.patents, "case_id": self.cases}
        if key in lookups:
            return lookups[key].get(value, str(value))
        if key in ("state", "suspended_from") and isinstance(value, str):
            return enums.case_state_label(value, self.procedure)
        enum = ENUMS.get(key) or (KIND_ENUMS.get(table) if key == "kind" else None)
        if enum is not None and isinstance(value, str):
            return enum.label_of(value) if value in enum._value2member_map_ else value
        if key == "infringing_acts" and isinstance(value, str):
            return "、".join(enums.InfringingAct.label_of(a) for a in value.split(",") if a) or "（空）"
        if key == "conditions" and isinstance(value, dict):
            return f"满足 {sum(1 for v in value.values() if v)}/{len(value)} 项" if value else "（空）"
        if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
            try:  # stored UTC: shown in Beijing time
                return local_datetime(datetime.fromisoformat(value), "%Y-%m-%d %H:%M")
            except ValueError:
                return value
        if isinstance(value, dict):
            return "；".join(f"{FIELDS.get(k, k)}：{v}" for k, v in value.items())
        return str(value)


def describe_audit(rows, procedure=None) -> list[AuditEntry]:
    """The audit rows of a case in words; its states under the names every page uses."""
    names = _Names(rows, procedure)
    entries = []
    for row in rows:
        changes = [Change(FIELDS.get(key, key), None if old is None else names.value(row.table_name, key, old),
                          names.value(row.table_name, key, new))
                   for key, (old, new) in (row.changes or {}).items() if key not in ("id", "case_id")]
        entries.append(AuditEntry(local_datetime(row.at, "%Y-%m-%d %H:%M:%S"), row.actor.full_name if row.actor else "系统",
                                  names.of_row(row.table_name, row.row_id, row.changes or {}),
                                  ACTIONS.get(row.action, row.action), changes))
    return entries

"""The supervisors' figures (SPEC §10): every table is counted with the same
conditions the case list filters by (`casesys.casepage.search`), so each number
links to exactly the cases behind it.

A figure table is plain JSON (it is cached in `dashboard_snapshots`):
    {"key", "title", "note", "headers": [..], "rows": [[cell, ..], ..], "chart": {..} | None}
and a cell is {"v": value, "fmt": "int|pct|days|text|date", "args": {case-list filters} | absent}.
The export module writes the same tables to CSV/XLSX.
"""
from __future__ import annotations

import statistics
import time
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import Office
from casesys.casepage.search import (
    NO_PROCEDURE,
    CaseFilters,
    filtered_cases,
    mediation_condition,
    terms_condition,
)
from casesys.cases.models import Case, Party
from casesys.core import clock
from casesys.domain.enums import (
    OPEN_STATES,
    CaseState,
    CaseType,
    EnterpriseType,
    PartyRole,
    Procedure,
    case_state_label,
)
from casesys.domain.mediation import MediationStatus
from casesys.extensions import db
from casesys.mediation.models import Mediation
from casesys.referrals.queries import PROVINCE, partner_figures

REPEAT_RESPONDENTS_SHOWN = 20
REFERRAL_DIRECTIONS = {"outbox": "发出", "inbox": "收到"}
OVERDUE_LIST_SHOWN = 20
# The columns of "by state and procedure": (label, case-list filters).
KINDS = (
    ("普通程序", {"case_type": CaseType.ADJUDICATION.value, "procedure": Procedure.ORDINARY.value}),
    ("简易程序", {"case_type": CaseType.ADJUDICATION.value, "procedure": Procedure.SIMPLIFIED.value}),
    ("尚未确定程序", {"case_type": CaseType.ADJUDICATION.value, "procedure": NO_PROCEDURE}),
    ("调解", {"case_type": CaseType.MEDIATION.value}),
)


def cell(value, args: dict | None = None, fmt: str = "int") -> dict:
    out = {"v": value, "fmt": fmt}
    if args is not None:
        out["args"] = {k: str(v) for k, v in args.items()}
    return out


def text(value) -> dict:
    return {"v": value, "fmt": "text"}


def ratio(part: int, whole: int) -> dict:
    return cell(round(part / whole, 4) if whole else None, fmt="pct")


def _kind_key(case_type: str, procedure: str | None) -> int:
    if case_type == CaseType.MEDIATION.value:
        return 3
    return {Procedure.ORDINARY.value: 0, Procedure.SIMPLIFIED.value: 1}.get(procedure or "", 2)


def _value(enum_or_str) -> str | None:
    return getattr(enum_or_str, "value", enum_or_str)


class Figures:
    """Counts over the cases of one scope (office or province) and period."""

    def __init__(self, user, scope: CaseFilters, today: date):
        self.user, self.scope, self.today = user, scope, today
        self.base = filtered_cases(user, scope, today)
        self.ids = self.base.with_only_columns(Case.id)

    def rows(self, *columns, where=(), join=None, group_by=None):
        stmt = self.base.with_only_columns(*columns, maintain_column_froms=True).where(*where)
        if join is not None:
            stmt = stmt.join(*join)
        if group_by is not None:
            stmt = stmt.group_by(*group_by)
        return db.session.execute(stmt.order_by(None)).all()

    def count(self, *where) -> int:
        return db.session.scalar(self.base.with_only_columns(sa.func.count(), maintain_column_froms=True)
                                 .where(*where).order_by(None))

    # --- the tables ------------------------------------------------------------

    def by_state(self) -> dict:
        counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(KINDS))
        for case_type, procedure, state, n in self.rows(Case.case_type, Case.procedure, Case.state, sa.func.count(),
                                                        group_by=(Case.case_type, Case.procedure, Case.state)):
            counts[_value(state)][_kind_key(_value(case_type), _value(procedure))] += n
        rows, totals = [], [0] * len(KINDS)
        for state in CaseState:
            if state.value not in counts:
                continue
            values = counts[state.value]
            totals = [a + b for a, b in zip(totals, values)]
            # A state named by the procedure (SPEC §4: simplified 审理终结, not 合议) is a row per name.
            names: dict[str, list[int]] = {}
            for index, (_, args) in enumerate(KINDS):
                names.setdefault(case_state_label(state, args.get("procedure")), []).append(index)
            for label, columns in names.items():
                if len(names) > 1 and not any(values[i] for i in columns):
                    continue
                row_total = sum(values[i] for i in columns)
                if len(names) == 1:
                    total_args = {"state": state.value}
                else:  # the list filters one procedure, or all: a total over some columns links if one holds it
                    holding = [i for i in columns if values[i]]
                    total_args = {**KINDS[holding[0]][1], "state": state.value} if len(holding) == 1 else None
                procedure = KINDS[columns[0]][1].get("procedure") if len(names) > 1 else None
                rows.append([{**text(label), "state": f"case:{state.value}" + (f":{procedure}" if procedure else "")}]
                            + [cell(values[i], {**args, "state": state.value}) if i in columns else cell(None)
                               for i, (_, args) in enumerate(KINDS)]
                            + [cell(row_total, total_args)])
        rows.append([text("合计")] + [cell(n, args) for n, (_, args) in zip(totals, KINDS)]
                    + [cell(sum(totals), {})])
        return {"key": "by_state", "title": "按状态和程序", "headers": ["状态", *[k for k, _ in KINDS], "合计"],
                "rows": rows,
                "chart": {"type": "bar", "stacked": True, "labels": [r[0]["v"] for r in rows[:-1]],
                          "series": [{"label": label, "data": [r[i + 1]["v"] for r in rows[:-1]]}
                                     for i, (label, _) in enumerate(KINDS)]}}

    def procedure_share(self) -> dict:
        # SPEC §1, §4: the plan asks to spread the simplified procedure.
        counts = dict(self.rows(Case.procedure, sa.func.count(),
                                where=(Case.case_type == CaseType.ADJUDICATION, Case.procedure.is_not(None)),
                                group_by=(Case.procedure,)))
        counts = {_value(k): v for k, v in counts.items()}
        ordinary, simplified = counts.get("ordinary", 0), counts.get("simplified", 0)
        rows = [[text(label), cell(counts.get(key, 0), args)] for label, args in KINDS[:2]
                for key in [args["procedure"]]]
        rows.append([text("简易程序适用率"), ratio(simplified, ordinary + simplified)])
        return {"key": "procedure_share", "title": "简易程序适用情况", "headers": ["程序", "件数"], "rows": rows,
                "note": "已确定程序的行政裁决案件。",
                "chart": {"type": "doughnut", "labels": ["普通程序", "简易程序"],
                          "series": [{"label": "件数", "data": [ordinary, simplified]}]}}

    def closing(self) -> dict:
        met = {}
        for procedure, late, n in self.rows(
                Case.procedure, CaseDeadline.met_on > CaseDeadline.due_on, sa.func.count(),
                join=(CaseDeadline, sa.and_(CaseDeadline.case_id == Case.id, CaseDeadline.kind == "closing")),
                where=(CaseDeadline.met_on.is_not(None),),
                group_by=(Case.procedure, CaseDeadline.met_on > CaseDeadline.due_on)):
            met[(_value(procedure), bool(late))] = n
        rows = []
        for label, procedure in (("普通程序", "ordinary"), ("简易程序", "simplified"), ("合计", None)):
            pick = [procedure] if procedure else ["ordinary", "simplified", None]
            on_time = sum(met.get((p, False), 0) for p in pick)
            late = sum(met.get((p, True), 0) for p in pick)
            args = {"procedure": procedure} if procedure else {}
            rows.append([text(label), cell(on_time, {**args, "limit": "in"}), cell(late, {**args, "limit": "late"}),
                         ratio(on_time, on_time + late)])
        return {"key": "closing", "title": "审理期限内结案", "headers": ["程序", "按期结案", "超期结案", "按期结案率"],
                "rows": rows, "note": "结案期限已届满处理（作出决定或结案）的行政裁决案件；期限已扣除中止等不计入的期间。",
                "chart": {"type": "bar", "stacked": True, "labels": [r[0]["v"] for r in rows[:2]],
                          "series": [{"label": "按期结案", "data": [r[1]["v"] for r in rows[:2]]},
                                     {"label": "超期结案", "data": [r[2]["v"] for r in rows[:2]]}]}}

    def days_to_close(self) -> dict:
        spans: dict[int, list[int]] = defaultdict(list)
        for case_type, procedure, accepted, closed in self.rows(
                Case.case_type, Case.procedure, Case.accepted_on, Case.closed_on,
                where=(Case.accepted_on.is_not(None), Case.closed_on.is_not(None))):
            spans[_kind_key(_value(case_type), _value(procedure))].append((closed - accepted).days)
        rows = []
        for index, (label, args) in enumerate(KINDS):
            if index == 2 and not spans.get(2):
                continue
            days = spans.get(index, [])
            rows.append([text(label), cell(len(days), {**args, "closed": "1"}),
                         cell(round(sum(days) / len(days), 1) if days else None, fmt="days"),
                         cell(statistics.median(days) if days else None, fmt="days")])
        return {"key": "days_to_close", "title": "结案用时（自受理至结案，日历日）",
                "headers": ["程序", "已结案件数", "平均用时（日）", "中位数（日）"], "rows": rows,
                "chart": {"type": "bar", "labels": [r[0]["v"] for r in rows],
                          "series": [{"label": "平均用时", "data": [r[2]["v"] for r in rows]},
                                     {"label": "中位数", "data": [r[3]["v"] for r in rows]}]}}

    def mediation(self) -> dict:
        by_status = dict(db.session.execute(
            sa.select(Mediation.status, sa.func.count(sa.distinct(Mediation.case_id)))
            .where(Mediation.case_id.in_(self.ids)).group_by(Mediation.status)).all())
        by_status = {_value(k): v for k, v in by_status.items()}
        succeeded = self.count(mediation_condition("succeeded"))
        failed = by_status.get(MediationStatus.FAILED.value, 0)
        rows = [[{**text(status.label), "state": f"mediation:{status.value}"},
                 cell(by_status.get(status.value, 0), {"mediation": status.value})] for status in MediationStatus]
        rows.append([text("调解成功（达成全部或部分协议）"), cell(succeeded, {"mediation": "succeeded"})])
        rows.append([text("调解成功率"), ratio(succeeded, succeeded + failed)])
        rows.append([text("协议条款均已履行"), cell(self.count(terms_condition("performed", self.today)),
                                                    {"terms": "performed"})])
        rows.append([text("协议有逾期未履行条款"), cell(self.count(terms_condition("overdue", self.today)),
                                                      {"terms": "overdue"})])
        return {"key": "mediation", "title": "调解成功率与协议履行", "headers": ["项目", "案件数"], "rows": rows,
                "note": "按案件计；成功率 = 调解成功 ÷（调解成功 + 调解不成）。",
                "chart": {"type": "doughnut", "labels": ["调解成功", "调解不成"],
                          "series": [{"label": "案件数", "data": [succeeded, failed]}]}}

    def _overdue_join(self):
        """Open cases joined to their office limits passed unmet — the same
        cases `overdue_deadlines` selects for the list (SPEC §10)."""
        return ((CaseDeadline, CaseDeadline.case_id == Case.id),
                (Case.state.in_(OPEN_STATES), CaseDeadline.met_on.is_(None), CaseDeadline.due_on < self.today,
                 CaseDeadline.owner == "office"))

    def overdue(self) -> tuple[dict, dict]:
        join, where = self._overdue_join()
        cases = sa.func.count(sa.distinct(Case.id))
        counts = self.rows(CaseDeadline.kind, sa.func.max(CaseDeadline.label), cases, join=join, where=where,
                           group_by=(CaseDeadline.kind,))
        total = self.rows(cases, join=join, where=where)[0][0]
        rows = [[text(label), cell(n, {"overdue": kind})] for kind, label, n in sorted(counts, key=lambda r: -r[2])]
        rows.append([text("合计（案件）"), cell(total, {"overdue": "any"})])
        table = {"key": "overdue", "title": "逾期未完成的期限（办理中的案件）", "headers": ["期限", "案件数"],
                 "rows": rows, "chart": None}
        oldest = db.session.execute(
            self.base.with_only_columns(Case.id, Case.number, CaseDeadline.label, CaseDeadline.due_on)
            .join(CaseDeadline, CaseDeadline.case_id == Case.id)
            .where(Case.state.in_(OPEN_STATES), CaseDeadline.met_on.is_(None), CaseDeadline.due_on < self.today,
                   CaseDeadline.owner == "office")
            .order_by(CaseDeadline.due_on, Case.id).limit(OVERDUE_LIST_SHOWN)).all()
        listing = {"key": "overdue_list", "title": f"逾期最久的 {OVERDUE_LIST_SHOWN} 项期限",
                   "headers": ["案号", "期限", "届满日", "逾期（日）"], "chart": None,
                   "rows": [[{"v": number, "fmt": "text", "case_id": case_id}, text(label),
                             cell(due_on.isoformat(), fmt="date"), cell((self.today - due_on).days)]
                            for case_id, number, label, due_on in oldest]}
        return table, listing

    def repeat_respondents(self) -> dict:
        n = sa.func.count(sa.distinct(Party.case_id))
        found = db.session.execute(
            sa.select(Party.credit_code, sa.func.max(Party.name), n)
            .where(Party.role == PartyRole.RESPONDENT, Party.credit_code.is_not(None), Party.credit_code != "",
                   Party.case_id.in_(self.ids))
            .group_by(Party.credit_code).having(n >= 2)
            .order_by(n.desc(), Party.credit_code).limit(REPEAT_RESPONDENTS_SHOWN)).all()
        return {"key": "repeat_respondents", "title": "多次被请求的当事人（同一统一社会信用代码）",
                "headers": ["被请求人", "统一社会信用代码", "案件数"], "chart": None,
                "note": f"两件以上，按案件数列前 {REPEAT_RESPONDENTS_SHOWN} 名。",
                "rows": [[text(name), text(code), cell(count, {"respondent": code})] for code, name, count in found]}

    def monthly(self) -> dict:
        per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for received, case_type, n in self.rows(Case.received_on, Case.case_type, sa.func.count(),
                                                group_by=(Case.received_on, Case.case_type)):
            if isinstance(received, str):  # SQLite's plain text under GROUP BY on some drivers
                received = date.fromisoformat(received)
            per_month[received.strftime("%Y-%m")][0 if _value(case_type) == CaseType.ADJUDICATION.value else 1] += n
        rows = []
        for month in sorted(per_month):
            first = date.fromisoformat(month + "-01")
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            span = {"date_from": max(first, self.scope.date_from or first).isoformat(),
                    "date_to": min(last, self.scope.date_to or last).isoformat()}
            adjudication, mediation = per_month[month]
            rows.append([text(month), cell(adjudication, {**span, "case_type": CaseType.ADJUDICATION.value}),
                         cell(mediation, {**span, "case_type": CaseType.MEDIATION.value}),
                         cell(adjudication + mediation, span)])
        return {"key": "monthly", "title": "每月收案", "headers": ["月份", "行政裁决", "调解", "合计"], "rows": rows,
                "chart": {"type": "line", "labels": [r[0]["v"] for r in rows],
                          "series": [{"label": "行政裁决", "data": [r[1]["v"] for r in rows]},
                                     {"label": "调解", "data": [r[2]["v"] for r in rows]}]}}

    def enterprise_types(self) -> dict:
        counts = dict(db.session.execute(
            sa.select(Party.enterprise_type, sa.func.count(sa.distinct(Party.case_id)))
            .where(Party.role == PartyRole.REQUESTER, Party.case_id.in_(self.ids))
            .group_by(Party.enterprise_type)).all())
        counts = {_value(k): v for k, v in counts.items()}
        rows = [[text(kind.label), cell(counts.get(kind.value, 0), {"requester_type": kind.value})]
                for kind in EnterpriseType]
        return {"key": "enterprise_types", "title": "请求人企业类型", "headers": ["企业类型", "案件数"], "rows": rows,
                "highlight": EnterpriseType.PRIVATE.label,
                "note": "按请求人计（有多个请求人的案件可计入多类）；民营企业为保护重点。",
                "chart": {"type": "bar", "labels": [k.label for k in EnterpriseType],
                          "series": [{"label": "案件数", "data": [r[1]["v"] for r in rows]}]}}

    def offices(self) -> dict:
        names = dict(db.session.execute(sa.select(Office.id, Office.name)).all())
        received = dict(self.rows(Case.office_id, sa.func.count(), group_by=(Case.office_id,)))
        closed = dict(self.rows(Case.office_id, sa.func.count(),
                                where=(Case.accepted_on.is_not(None), Case.closed_on.is_not(None)),
                                group_by=(Case.office_id,)))
        on_time, late = defaultdict(int), defaultdict(int)
        for office_id, is_late, n in self.rows(
                Case.office_id, CaseDeadline.met_on > CaseDeadline.due_on, sa.func.count(),
                join=(CaseDeadline, sa.and_(CaseDeadline.case_id == Case.id, CaseDeadline.kind == "closing")),
                where=(CaseDeadline.met_on.is_not(None),),
                group_by=(Case.office_id, CaseDeadline.met_on > CaseDeadline.due_on)):
            (late if is_late else on_time)[office_id] += n
        join, where = self._overdue_join()
        overdue = dict(self.rows(Case.office_id, sa.func.count(sa.distinct(Case.id)), join=join, where=where,
                                 group_by=(Case.office_id,)))
        rows = []
        for office_id in sorted(received, key=lambda o: (-received[o], o)):
            args = {"office_id": office_id}
            rows.append([text(names.get(office_id, "")), cell(received[office_id], args),
                         cell(closed.get(office_id, 0), {**args, "closed": "1"}),
                         ratio(on_time.get(office_id, 0), on_time.get(office_id, 0) + late.get(office_id, 0)),
                         cell(overdue.get(office_id, 0), {**args, "overdue": "any"})])
        return {"key": "offices", "title": "各机关", "headers": ["机关", "收案", "已受理并结案", "按期结案率", "有逾期期限的案件"],
                "rows": rows,
                "chart": {"type": "bar", "labels": [r[0]["v"] for r in rows],
                          "series": [{"label": "收案", "data": [r[1]["v"] for r in rows]}]}}

    def referrals(self) -> dict:
        """鄂湘赣 referrals by partner and direction with their response times
        (SPEC §6, §10); each count links to the referral list filtered to
        exactly those referrals (`casesys.referrals.queries.box_query`)."""
        office_id = self.scope.office_id if self.scope.office_id else PROVINCE
        scope_args = {"province": "1"} if office_id is PROVINCE else {"office_id": office_id}
        if self.scope.date_from:
            scope_args["sent_from"] = self.scope.date_from.isoformat()
        if self.scope.date_to:
            scope_args["sent_to"] = self.scope.date_to.isoformat()
        found = partner_figures(office_id, self.scope.date_from, self.scope.date_to, self.today)

        def days(values: list[int], how) -> dict:
            return cell(round(float(how(values)), 1) if values else None, fmt="days")

        def link(value: int, args: dict) -> dict:
            return {**cell(value, args), "list": "referrals"}

        rows = []
        totals = {box: [0, 0, 0, [], []] for box in ("outbox", "inbox")}
        for item in found:
            total = totals[item.box]
            for index, value in enumerate((item.count, item.open, item.overdue, item.ack_days, item.reply_days)):
                total[index] += value
        for partner, name, box, count, open_, overdue, ack, reply in (
                [(f.partner_id, f.partner, f.box, f.count, f.open, f.overdue, f.ack_days, f.reply_days)
                 for f in found]
                + [(None, "全部协作机关", box, *totals[box]) for box in ("outbox", "inbox") if totals[box][0]]):
            args = {**scope_args, "box": box, "sent": "1", **({"partner": partner} if partner else {})}
            rows.append([text(name), text(REFERRAL_DIRECTIONS[box]), link(count, args),
                         link(open_, {**args, "open": "1"}), link(overdue, {**args, "overdue": "1"}),
                         link(len(ack), {**args, "acknowledged": "1"}), days(ack, statistics.mean),
                         days(ack, statistics.median), link(len(reply), {**args, "answered": "1"}),
                         days(reply, statistics.mean), days(reply, statistics.median)])
        charted = [r for r in rows if r[0]["v"] != "全部协作机关"]
        return {"key": "referrals", "title": "跨区域协作：各协作机关的事项与响应时间",
                "headers": ["协作机关", "方向", "事项数", "未办结", "逾期", "已签收", "签收平均日数", "签收中位日数",
                            "已答复", "答复平均日数", "答复中位日数"],
                "rows": rows, "wide": True,
                "note": "所选期间内发出的协作事项；日数为日历日，签收自发出之日起算，答复（含拒绝）自签收之日起算。"
                        + ("全省只计与湖南、江西协作机关之间的事项。" if office_id is PROVINCE else ""),
                "chart": {"type": "bar", "horizontal": True,
                          "labels": [f"{r[1]['v']} · {r[0]['v']}" for r in charted],
                          "series": [{"label": "签收中位日数", "data": [r[7]["v"] for r in charted]},
                                     {"label": "答复中位日数", "data": [r[10]["v"] for r in charted]}]}}

    def all(self) -> dict:
        overdue, overdue_list = self.overdue()
        tables = [self.by_state(), self.procedure_share(), self.closing(), self.days_to_close(), self.mediation(),
                  overdue, overdue_list, self.repeat_respondents(), self.monthly(), self.enterprise_types(),
                  self.offices(), self.referrals()]
        return {"tables": tables, "total": self.count(), "today": self.today.isoformat()}


def compute_figures(user, scope: CaseFilters, today: date | None = None) -> tuple[dict, float]:
    """Every table of the dashboard; and the seconds it took."""
    started = time.perf_counter()
    figures = Figures(user, replace(scope, page=1), today or clock.today()).all()
    return figures, time.perf_counter() - started

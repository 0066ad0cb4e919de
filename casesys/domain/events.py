"""Kinds of timeline events (SPEC §2); stored as plain strings so later
procedures add kinds without a migration."""
from casesys.domain.enums import Labelled


class EventKind(Labelled):
    REGISTERED = "registered", "登记收案"
    EDITED = "edited", "修改案件信息"
    PARTY_EDITED = "party_edited", "修改当事人信息"
    PARTY_ADDED = "party_added", "追加当事人"
    EVIDENCE_ADDED = "evidence_added", "提交证据"
    SHARED = "shared", "共享给其他机关"
    APPROVAL_REQUESTED = "approval_requested", "提请审批"
    APPROVAL_RETURNED = "approval_returned", "审批退回"
    ACCEPTED = "accepted", "受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    SERVED = "served", "送达请求书"
    ANSWERED = "answered", "提交答辩"
    ANSWER_FORWARDED = "answer_forwarded", "转送答辩书"
    PANEL_SET = "panel_set", "组成合议组"
    HEARING_SCHEDULED = "hearing_scheduled", "安排口头审理"
    HEARING = "hearing", "口头审理"
    DELIBERATED = "deliberated", "合议"
    DECIDED = "decided", "作出决定"
    DECISION_SERVED = "decision_served", "送达决定"
    SUSPENDED = "suspended", "中止审理"
    RESUMED = "resumed", "恢复审理"
    CONVERTED = "converted", "转为普通程序"
    EXTENDED = "extended", "延长审理期限"
    CLOCK_STOPPED = "clock_stopped", "期限中止"
    CLOCK_RESUMED = "clock_resumed", "期限恢复计算"
    CONSENT_REQUESTED = "consent_requested", "征询调解意愿"
    MEDIATION_STARTED = "mediation_started", "开始调解"
    MEDIATION_PROGRESS = "mediation_progress", "调解进展"
    AGREEMENT = "agreement", "达成调解协议"
    MEDIATION_FAILED = "mediation_failed", "调解不成"
    DOCUMENT_ISSUED = "document_issued", "签发文书"
    DOCUMENT_SERVED = "document_served", "送达文书"
    CLOSED = "closed", "结案"
    TRANSFERRED = "transferred", "移送结案"
    REFERRAL = "referral", "跨区域协作"
    IMPORTED = "imported", "由台账导入"

    @classmethod
    def for_action(cls, action) -> "EventKind":
        """The timeline entry a workflow action leaves."""
        return _BY_ACTION.get(getattr(action, "value", action), cls.CLOSED)


_BY_ACTION = {
    "accept": EventKind.ACCEPTED, "reject": EventKind.NOT_ACCEPTED, "serve": EventKind.SERVED,
    "record_answer": EventKind.ANSWERED, "forward_answer": EventKind.ANSWER_FORWARDED,
    "set_panel": EventKind.PANEL_SET, "schedule_hearing": EventKind.HEARING_SCHEDULED,
    "hold_hearing": EventKind.HEARING, "deliberate": EventKind.DELIBERATED, "decide": EventKind.DECIDED,
    "serve_decision": EventKind.DECISION_SERVED, "close": EventKind.CLOSED, "suspend": EventKind.SUSPENDED,
    "resume": EventKind.RESUMED, "convert": EventKind.CONVERTED, "extend": EventKind.EXTENDED,
    "transfer": EventKind.TRANSFERRED,
}

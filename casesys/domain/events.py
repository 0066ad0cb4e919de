"""Kinds of timeline events (SPEC §2); stored as plain strings so later
procedures add kinds without a migration."""
from casesys.domain.enums import Labelled


class EventKind(Labelled):
    REGISTERED = "registered", "登记收案"
    EDITED = "edited", "修改案件信息"
    PARTY_EDITED = "party_edited", "修改当事人信息"
    EVIDENCE_ADDED = "evidence_added", "提交证据"
    SHARED = "shared", "共享给其他机关"
    ACCEPTED = "accepted", "受理"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    SERVED = "served", "送达请求书"
    ANSWERED = "answered", "提交答辩"
    HEARING = "hearing", "口头审理"
    DELIBERATED = "deliberated", "合议"
    DECIDED = "decided", "作出决定"
    DECISION_SERVED = "decision_served", "送达决定"
    SUSPENDED = "suspended", "中止审理"
    CONSENT_REQUESTED = "consent_requested", "征询调解意愿"
    MEDIATION_STARTED = "mediation_started", "开始调解"
    AGREEMENT = "agreement", "达成调解协议"
    MEDIATION_FAILED = "mediation_failed", "调解不成"
    CLOSED = "closed", "结案"

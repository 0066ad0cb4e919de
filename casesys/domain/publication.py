"""What the public site shows (SPEC §7) as data: the kinds published and the
life of a publication — asked for, then published or returned by a
supervisor; a published one is withdrawn (its address answers 410)."""
from __future__ import annotations

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused
from casesys.domain.states import StateTable


class PublicationKind(Labelled):
    RULING = "ruling", "行政裁决书"
    TYPICAL = "typical", "典型案例"


class PublicationState(Labelled):
    PENDING = "pending", "待审批"
    PUBLISHED = "published", "已公开"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class PublicationMove(Labelled):
    APPROVE = "approve", "批准公开"
    RETURN = "return", "退回"
    WITHDRAW = "withdraw", "撤回"


class PublicationRefused(Refused):
    pass


_S, _M = PublicationState, PublicationMove
REFUSALS = {_M.APPROVE: "该公开申请已处理", _M.RETURN: "该公开申请已处理", _M.WITHDRAW: "只有已公开的内容可以撤回"}
# SPEC §7: publishing and withdrawing need a supervisor's approval; a returned
# request stays as it is (a new request is made).
PUBLICATION = StateTable(PublicationState, {
    (_S.PENDING, _M.APPROVE): _S.PUBLISHED,
    (_S.PENDING, _M.RETURN): _S.RETURNED,
    (_S.PUBLISHED, _M.WITHDRAW): _S.WITHDRAWN,
}, refusal=lambda state, move: REFUSALS[move], error=PublicationRefused)

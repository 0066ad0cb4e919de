"""The life of an official document (SPEC §8) as data: draft → pending
(submitted for signature) → approved (numbered and frozen), or returned to
draft; only a draft's text is edited (a pending one is returned first). An
approved document never changes: a correction is a new, linked draft.
`next_status` is the one judge; services apply what it allows."""
from __future__ import annotations

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused


class DocumentStatus(Labelled):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待签发"
    APPROVED = "approved", "已签发"


class DocumentMove(Labelled):
    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交签发"
    APPROVE = "approve", "签发"
    RETURN = "return", "退回"


TRANSITIONS: dict[tuple[DocumentStatus, DocumentMove], DocumentStatus] = {
    (DocumentStatus.DRAFT, DocumentMove.EDIT): DocumentStatus.DRAFT,
    (DocumentStatus.DRAFT, DocumentMove.SUBMIT): DocumentStatus.PENDING,
    (DocumentStatus.PENDING, DocumentMove.APPROVE): DocumentStatus.APPROVED,
    (DocumentStatus.PENDING, DocumentMove.RETURN): DocumentStatus.DRAFT,
}
REFUSALS = {
    (DocumentStatus.PENDING, DocumentMove.EDIT): "文书已提交签发，等待签发期间不能修改；如需修改，请负责人退回",
    DocumentMove.EDIT: "已签发的文书不能修改；如需更正，请制作补正文书",
    DocumentMove.SUBMIT: "该文书不是草稿",
    DocumentMove.APPROVE: "该文书未提交签发",
    DocumentMove.RETURN: "该文书未提交签发",
}


class DocumentMoveRefused(Refused):
    pass


def next_status(status: str, move: DocumentMove) -> DocumentStatus:
    try:
        return TRANSITIONS[(DocumentStatus(status), move)]
    except KeyError:
        message = REFUSALS.get((DocumentStatus(status), move)) or REFUSALS[move]
        raise DocumentMoveRefused(message) from None


def can_move(status: str, move: DocumentMove) -> bool:
    return (DocumentStatus(status), move) in TRANSITIONS


SIGNED_BY_A_WRITER = "您起草、修改或提交过这份文书，须由其他负责人签发"


def signing_refusal(signer_id: int, writer_ids: set[int]) -> str | None:
    """SPEC §8: the approver is not the drafter — and a drafter is anyone
    who wrote, changed or submitted the text (issue 11)."""
    return SIGNED_BY_A_WRITER if signer_id in writer_ids else None

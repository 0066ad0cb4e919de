"""The life of an official document (SPEC §8) as data: draft → pending
(submitted for signature) → approved (numbered and frozen), or returned to
draft; only a draft's text is edited (a pending one is returned first). An
approved document never changes: a correction is a new, linked draft.
`next_status` is the one judge; services apply what it allows."""
from __future__ import annotations

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused
from casesys.domain.states import StateTable


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


class PrintBatchStatus(Labelled):
    """A batch print's states. A batch whose job gave up or was cancelled is
    shown as failed from its job (`PrintBatch.outcome`): a retried job picks it
    up again. Only batches printed before jobs (issue 10.4) were stored failed."""
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    FINISHED = "finished", "已完成"
    FAILED = "failed", "失败"


class BatchMove(Labelled):
    START = "start", "开始生成"
    FINISH = "finish", "完成"


class BatchMoveRefused(Refused):
    pass


# SPEC §8 batch printing, built by the worker: started (again, when the worker
# that had it died: the spooled part is kept), then finished.
PRINT_BATCH = StateTable(PrintBatchStatus, {
    (PrintBatchStatus.QUEUED, BatchMove.START): PrintBatchStatus.RUNNING,
    (PrintBatchStatus.RUNNING, BatchMove.START): PrintBatchStatus.RUNNING,
    (PrintBatchStatus.RUNNING, BatchMove.FINISH): PrintBatchStatus.FINISHED,
}, refusal=lambda state, move: f"批量打印当前为“{state.label}”，不能{move.label}", error=BatchMoveRefused)


SIGNED_BY_A_WRITER = "您起草、修改或提交过这份文书，须由其他负责人签发"


def signing_refusal(signer_id: int, writer_ids: set[int]) -> str | None:
    """SPEC §8: the approver is not the drafter — and a drafter is anyone
    who wrote, changed or submitted the text (issue 11)."""
    return SIGNED_BY_A_WRITER if signer_id in writer_ids else None

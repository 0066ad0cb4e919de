"""States as data (SPEC §1 approvals, §5 mediation, §8 documents; background jobs): every (state, move)
pair against a table written here by hand, through each module's one judge."""
import pytest

from casesys.domain.documents import PRINT_BATCH, BatchMoveRefused, DocumentMoveRefused, next_status
from casesys.domain.documents import BatchMove as BM
from casesys.domain.documents import DocumentMove as DM
from casesys.domain.documents import DocumentStatus as DS
from casesys.domain.documents import PrintBatchStatus as BS
from casesys.domain.enums import CaseState as CS
from casesys.domain.jobs import JobMove as JM
from casesys.domain.jobs import JobMoveRefused, next_state
from casesys.domain.jobs import JobState as JS
from casesys.domain.mediation import (
    STANDALONE_CASE_STATE,
    MediationMove,
    MediationMoveRefused,
    MediationStatus,
    next_mediation_status,
    start_refusal,
)
from casesys.domain.publication import (
    PUBLICATION,
    PublicationRefused,
)
from casesys.domain.publication import (
    PublicationMove as PM,
)
from casesys.domain.publication import (
    PublicationState as PS,
)
from casesys.domain.referrals import OUTBOX, OutboxMove, OutboxState, ReferralRefused
from casesys.domain.workflow import ActionRefused, ApprovalMove, ApprovalStatus, next_approval_status

# SPEC §8: a draft is edited and submitted for signature; the supervisor
# signs (numbered, frozen) or returns it; a submitted text is not edited
# until returned; nothing moves a signed document (corrections are new).
DOCUMENT_MOVES = {
    (DS.DRAFT, DM.EDIT): DS.DRAFT, (DS.DRAFT, DM.SUBMIT): DS.PENDING,
    (DS.PENDING, DM.APPROVE): DS.APPROVED, (DS.PENDING, DM.RETURN): DS.DRAFT,
}
# A queued job is claimed (running); a running one finishes, waits for a
# retry, gives up, or is claimed again when its worker died; an administrator
# cancels queued or running jobs and retries failed or cancelled ones.
JOB_MOVES = {
    (JS.QUEUED, JM.CLAIM): JS.RUNNING, (JS.QUEUED, JM.CANCEL): JS.CANCELLED,
    (JS.RUNNING, JM.CLAIM): JS.RUNNING, (JS.RUNNING, JM.FINISH): JS.DONE, (JS.RUNNING, JM.RETRY_LATER): JS.QUEUED,
    (JS.RUNNING, JM.GIVE_UP): JS.FAILED, (JS.RUNNING, JM.CANCEL): JS.CANCELLED,
    (JS.FAILED, JM.RETRY): JS.QUEUED, (JS.CANCELLED, JM.RETRY): JS.QUEUED,
}


@pytest.mark.parametrize("move", list(DM))
@pytest.mark.parametrize("status", list(DS))
def test_document_moves(status, move):
    if (status, move) in DOCUMENT_MOVES:
        assert next_status(status, move) == DOCUMENT_MOVES[(status, move)]
    else:
        with pytest.raises(DocumentMoveRefused):
            next_status(status, move)


def test_a_signed_document_is_never_edited_and_a_pending_one_is_returned_first():
    with pytest.raises(DocumentMoveRefused, match="补正文书"):
        next_status("approved", DM.EDIT)
    with pytest.raises(DocumentMoveRefused, match="请负责人退回"):
        next_status("pending", DM.EDIT)


@pytest.mark.parametrize("move", list(JM))
@pytest.mark.parametrize("state", list(JS))
def test_job_moves(state, move):
    if (state, move) in JOB_MOVES:
        assert next_state(state, move) == JOB_MOVES[(state, move)]
    else:
        with pytest.raises(JobMoveRefused, match=state.label):
            next_state(state, move)


# SPEC §5: 征询 → 调解中 → 达成协议 / 部分达成 / 调解不成; the work of a
# mediation (mediators, sessions, the agreement and its signatures, an
# extension) happens while mediating; mediators may be named while asking.
MS, MM = MediationStatus, MediationMove
MEDIATION_MOVES = {
    (MS.CONSENT_PENDING, MM.RECORD_SERVICE): MS.CONSENT_PENDING,
    (MS.CONSENT_PENDING, MM.RECORD_CONSENT): MS.CONSENT_PENDING, (MS.CONSENT_PENDING, MM.START): MS.MEDIATING,
    (MS.CONSENT_PENDING, MM.ASSIGN): MS.CONSENT_PENDING, (MS.CONSENT_PENDING, MM.FAIL): MS.FAILED,
    (MS.MEDIATING, MM.ASSIGN): MS.MEDIATING, (MS.MEDIATING, MM.SCHEDULE): MS.MEDIATING,
    (MS.MEDIATING, MM.RECORD_SESSION): MS.MEDIATING, (MS.MEDIATING, MM.DRAFT_AGREEMENT): MS.MEDIATING,
    (MS.MEDIATING, MM.SIGN): MS.MEDIATING, (MS.MEDIATING, MM.EXTEND): MS.MEDIATING,
    (MS.MEDIATING, MM.AGREE): MS.AGREED, (MS.MEDIATING, MM.AGREE_PARTLY): MS.PARTIAL,
    (MS.MEDIATING, MM.FAIL): MS.FAILED,
}


@pytest.mark.parametrize("move", list(MM))
@pytest.mark.parametrize("status", list(MS))
def test_mediation_moves(status, move):
    if (status, move) in MEDIATION_MOVES:
        assert next_mediation_status(status, move) == MEDIATION_MOVES[(status, move)]
    else:
        with pytest.raises(MediationMoveRefused, match=f"调解当前为“{status.label}”，不能{move.label}"):
            next_mediation_status(status, move)


# SPEC §1: a supervisor approves or returns a pending request, its author may
# withdraw it; a decided request is final.
AS, AM = ApprovalStatus, ApprovalMove
APPROVAL_MOVES = {(AS.PENDING, AM.APPROVE): AS.APPROVED, (AS.PENDING, AM.RETURN): AS.RETURNED,
                  (AS.PENDING, AM.WITHDRAW): AS.WITHDRAWN}


@pytest.mark.parametrize("move", list(AM))
@pytest.mark.parametrize("status", list(AS))
def test_approval_moves(status, move):
    if (status, move) in APPROVAL_MOVES:
        assert next_approval_status(status, move) == APPROVAL_MOVES[(status, move)]
    else:
        with pytest.raises(ActionRefused, match="该申请已处理"):
            next_approval_status(status, move)


# The small tables (casesys.domain.states.StateTable), each written out here:
# SPEC §8 batch printing in the worker — started, started again after a dead
# worker (its spooled part kept), finished; nothing moves a finished batch or
# one the old in-process printing left failed.
BATCH_MOVES = {(BS.QUEUED, BM.START): BS.RUNNING, (BS.RUNNING, BM.START): BS.RUNNING,
               (BS.RUNNING, BM.FINISH): BS.FINISHED}
# SPEC §6: a message to a partner is delivered once its signed receipt is back.
OUTBOX_MOVES = {(OutboxState.PENDING, OutboxMove.DELIVER): OutboxState.DELIVERED}
# SPEC §7: a supervisor publishes or returns a request; a published item is withdrawn.
PUBLICATION_MOVES = {(PS.PENDING, PM.APPROVE): PS.PUBLISHED, (PS.PENDING, PM.RETURN): PS.RETURNED,
                     (PS.PUBLISHED, PM.WITHDRAW): PS.WITHDRAWN}
SMALL_TABLES = [
    (PRINT_BATCH, BATCH_MOVES, BatchMoveRefused, lambda state, move: f"批量打印当前为“{state.label}”，不能{move.label}"),
    (OUTBOX, OUTBOX_MOVES, ReferralRefused, lambda state, move: f"该消息当前为“{state.label}”"),
    (PUBLICATION, PUBLICATION_MOVES, PublicationRefused,
     lambda state, move: "只有已公开的内容可以撤回" if move == PM.WITHDRAW else "该公开申请已处理"),
]


@pytest.mark.parametrize(("table", "expected", "refused", "message", "state", "move"), [
    (table, expected, refused, message, state, move) for table, expected, refused, message in SMALL_TABLES
    for state in table.states for move in type(next(iter(expected))[1])])  # every move of its kind
def test_small_state_tables(table, expected, refused, message, state, move):
    if (state, move) in expected:
        assert table.next(state, move) == expected[(state, move)] and table.allows(state, move)
    else:
        assert not table.allows(state, move)
        with pytest.raises(refused, match=message(state, move)):
            table.next(state, move)


# SPEC §5: a standalone mediation case is in its mediation's state (a partial
# agreement is an agreement); mediation starts on a received mediation case, or
# in an adjudication between acceptance and decision, one at a time.


def test_a_standalone_mediation_case_follows_its_mediation():
    assert STANDALONE_CASE_STATE == {MS.CONSENT_PENDING: CS.CONSENT_PENDING, MS.MEDIATING: CS.MEDIATING,
                                     MS.AGREED: CS.AGREED, MS.PARTIAL: CS.AGREED, MS.FAILED: CS.FAILED}


@pytest.mark.parametrize("state", list(CS))
def test_where_a_mediation_may_start(state):
    adjudication = start_refusal("adjudication", state, open_mediation=False)
    assert (adjudication is None) == (state in (CS.ACCEPTED, CS.ANSWER_PERIOD, CS.HEARING, CS.DELIBERATION))
    assert (start_refusal("mediation", state, open_mediation=False) is None) == (state == CS.RECEIVED)
    assert start_refusal("mediation", CS.RECEIVED, open_mediation=True) == "本案已有进行中的调解"

"""States as data (SPEC §8 documents; background jobs): every (state, move)
pair against a table written here by hand, through each module's one judge."""
import pytest

from casesys.domain.documents import DocumentMove as DM, DocumentMoveRefused, DocumentStatus as DS, next_status
from casesys.domain.jobs import JobMove as JM, JobMoveRefused, JobState as JS, next_state

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

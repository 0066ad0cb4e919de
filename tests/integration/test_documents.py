"""Documents (SPEC §8): text, number, parties, layout, freezing, service."""
import io
from datetime import timedelta

import pdfplumber
import pytest
import sqlalchemy as sa

from casesys.adjudication.services import approve, request_action
from casesys.core import clock
from casesys.documents.rendering import DocumentError
from casesys.documents.services import (
    approve_document,
    correct,
    create_draft,
    document_pdf,
    publication_pdf,
    record_service,
    service_receipt_pdf,
    submit,
    update_texts,
)
from casesys.domain.enums import CaseState, PartyRole
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action

A4 = (595.3, 841.9)


def text_of(data: bytes) -> str:
    """The text without line breaks (lines wrap anywhere in Chinese)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((page.extract_text() or "").replace("\n", "") for page in pdf.pages)


def has_watermark(data: bytes) -> bool:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return all(any(c["text"] == "草" and c["size"] > 50 for c in page.chars) for page in pdf.pages)


#: A ruling may be submitted only with every required section written (SPEC §8).
COMPLETE = {"answer": "被请求人未在答辩期内提交答辩书。", "reasons": "被请求人的行为构成侵权。"}


def _issued_ruling(db, case, team, **texts):
    document = create_draft(case, "ruling", actor=team["officer"])
    update_texts(document, {**COMPLETE, **texts}, expected_version=document.version, actor=team["officer"])
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    db.session.commit()
    return document


def test_draft_ruling_has_every_part_and_the_draft_watermark(db, decided_case, team):
    document = create_draft(decided_case, "ruling", actor=team["officer"])
    data = document_pdf(document)
    assert has_watermark(data)
    text = text_of(data)
    for part in ("武汉市知识产权局", "行政裁决书", "请求人", "被请求人", "武汉光谷激光科技有限公司",
                 "长沙湘江机械制造有限公司", "张三丰", "经审理查明", "本机关认为", "裁决如下",
                 "被请求人立即停止销售", "十五日内", "人民法院起诉", decided_case.number):
        assert part in text, part


def test_approval_numbers_freezes_and_reprints_identically(db, decided_case, team):
    document = _issued_ruling(db, decided_case, team, reasons="被请求人的行为构成侵权。")
    year = clock.today().year
    assert document.number == f"武知保决字〔{year}〕1号"
    text = text_of(document.pdf)
    assert document.number in text and not has_watermark(document.pdf) and "核验" in text
    first = document.sha256
    # Later edits of the case do not change the frozen document.
    decided_case.title = "改过的案由"
    decided_case.parties[0].name = "改名后的公司"
    db.session.commit()
    again = document_pdf(document)
    import hashlib

    assert hashlib.sha256(again).hexdigest() == first == document.sha256
    assert "改名后的公司" not in text_of(again)


def test_layout_a4_and_body_at_16_points(db, decided_case, team):
    document = _issued_ruling(db, decided_case, team)
    with pdfplumber.open(io.BytesIO(document.pdf)) as pdf:
        page = pdf.pages[0]
        assert (round(page.width, 1), round(page.height, 1)) == A4
        sizes = [round(c["size"]) for c in page.chars]
        assert max(set(sizes), key=sizes.count) == 16  # the body: 三号
        title = [c for c in page.chars if c["text"] == "裁"][0]
        assert round(title["size"]) == 22 and abs((title["x0"] + title["x1"]) / 2 - page.width / 2) < 120
        left = min(c["x0"] for c in page.chars)
        assert 75 <= left <= 85  # 28 mm ≈ 79 pt
        last = pdf.pages[-1].extract_text()
        assert f"— {len(pdf.pages)} —" in last
        # ~28 full-width characters a line, ~22 lines a page (SPEC §8)
        lines = pdf.pages[0].extract_text().splitlines()
        full_width = [sum(1 for ch in line if ord(ch) > 0x2E80) for line in lines]
        assert 26 <= max(full_width) <= 28
        assert 18 <= len(lines) <= 23


def test_document_numbers_have_their_own_sequence_per_type(db, decided_case, team):
    ruling = _issued_ruling(db, decided_case, team)
    notice = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    submit(notice, actor=team["officer"])
    approve_document(notice, actor=team["chief"])
    year = clock.today().year
    assert ruling.number.endswith(f"〔{year}〕1号") and notice.number == f"武知保受字〔{year}〕1号"


def test_frozen_document_cannot_be_edited_and_correction_links_back(db, decided_case, team):
    document = _issued_ruling(db, decided_case, team)
    with pytest.raises(DocumentError, match="补正"):
        update_texts(document, {"facts": "新事实"}, expected_version=document.version, actor=team["officer"])
    fix = correct(document, actor=team["officer"])
    submit(fix, actor=team["officer"])
    approve_document(fix, actor=team["chief"])
    assert fix.corrects_id == document.id and fix.number != document.number
    assert f"本文书系对{document.number}行政裁决书的补正" in text_of(fix.pdf)


def test_the_drafter_cannot_sign_their_own_document(db, decided_case, team):
    document = create_draft(decided_case, "ruling", actor=team["chief"])
    update_texts(document, COMPLETE, expected_version=document.version, actor=team["chief"])
    submit(document, actor=team["chief"])
    with pytest.raises(DocumentError, match="须由其他负责人签发"):
        approve_document(document, actor=team["chief"])
    approve_document(document, actor=team["chief2"])


def test_whoever_changed_or_submitted_the_text_cannot_sign_it(db, decided_case, team):
    """Issue 11: a supervisor who edits an officer's draft, or submits it, is
    one of its writers; every version's writer is kept."""
    from casesys.documents.models import DocumentContributor

    officer, chief, chief2 = team["officer"], team["chief"], team["chief2"]
    edited = create_draft(decided_case, "ruling", actor=officer)
    update_texts(edited, COMPLETE, expected_version=edited.version, actor=chief)
    submit(edited, actor=officer)
    with pytest.raises(DocumentError, match="您起草、修改或提交过这份文书"):
        approve_document(edited, actor=chief)
    submitted = create_draft(decided_case, "acceptance_notice", actor=officer)
    submit(submitted, actor=chief2)
    with pytest.raises(DocumentError, match="须由其他负责人签发"):
        approve_document(submitted, actor=chief2)
    approve_document(edited, actor=chief2)
    approve_document(submitted, actor=chief)
    db.session.commit()
    rows = db.session.execute(sa.select(DocumentContributor.action, DocumentContributor.user_id,
                                        DocumentContributor.version)
                              .where(DocumentContributor.document_id == edited.id)
                              .order_by(DocumentContributor.id)).all()
    assert rows == [("draft", officer.id, 1), ("edit", chief.id, 2), ("submit", officer.id, 3)]


def test_an_unchanged_save_does_not_make_a_writer(db, decided_case, team):
    document = create_draft(decided_case, "ruling", actor=team["officer"])
    update_texts(document, COMPLETE, expected_version=document.version, actor=team["officer"])
    update_texts(document, COMPLETE, expected_version=document.version, actor=team["chief"])
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    assert document.status == "approved"


def test_the_writer_of_a_corrected_document_cannot_sign_its_correction(db, decided_case, team):
    """A correction starts from the corrected text."""
    original = create_draft(decided_case, "ruling", actor=team["chief"])
    update_texts(original, COMPLETE, expected_version=original.version, actor=team["chief"])
    submit(original, actor=team["chief"])
    approve_document(original, actor=team["chief2"])
    fix = correct(original, actor=team["officer"])
    submit(fix, actor=team["officer"])
    with pytest.raises(DocumentError, match="须由其他负责人签发"):
        approve_document(fix, actor=team["chief"])
    approve_document(fix, actor=team["chief2"])


def test_a_case_in_no_state_for_a_ruling_is_refused(factory, team):
    case = factory.case(team["officer"])
    with pytest.raises(DocumentError, match="尚未作出裁决"):
        create_draft(case, "ruling", actor=team["officer"])


def test_receipt_of_the_ruling_starts_the_right_to_sue_and_prints_a_service_receipt(db, decided_case, team):
    document = _issued_ruling(db, decided_case, team)
    requester = decided_case.parties[0]
    record = record_service(document, recipient=requester.name, party_id=requester.id, method="post",
                            address=requester.address, sent_on=clock.today(), received_on=clock.today(),
                            note="EMS", actor=team["officer"])
    db.session.commit()
    assert decided_case.state == CaseState.SERVED_DECISION and decided_case.decision_served_on == clock.today()
    # Issue 9.13: the period to sue runs per party, from its own receipt.
    sue = {d.kind: d for d in decided_case.deadlines if d.kind.startswith("right_to_sue")}
    assert list(sue) == [f"right_to_sue:{requester.id}"]
    later = clock.today()
    respondent = decided_case.parties_in(PartyRole.RESPONDENT)[0]
    record_service(document, recipient=respondent.name, party_id=respondent.id, method="post",
                   address=respondent.address, sent_on=later, received_on=later + timedelta(days=3),
                   note="EMS", actor=team["officer"], today=later + timedelta(days=4))
    db.session.commit()
    sue = {d.kind: d for d in decided_case.deadlines if d.kind.startswith("right_to_sue")}
    assert set(sue) == {f"right_to_sue:{requester.id}", f"right_to_sue:{respondent.id}"}
    assert sue[f"right_to_sue:{respondent.id}"].due_on >= later + timedelta(days=18)
    assert respondent.name in sue[f"right_to_sue:{respondent.id}"].label
    assert "《中华人民共和国专利法》第六十五条" in sue[f"right_to_sue:{respondent.id}"].explanation
    text = text_of(service_receipt_pdf(record))
    assert "送达回证" in text and requester.name in text and "邮寄送达" in text and document.number in text


def test_public_announcement_service_stops_the_clock(db, factory, team):
    officer, chief = team["officer"], team["chief"]
    case = factory.case(officer, received_on=clock.today() - timedelta(days=40))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer), actor=chief, today=clock.today() - timedelta(days=35))
    notice = create_draft(case, "answer_notice", actor=officer)
    submit(notice, actor=officer)
    approve_document(notice, actor=chief, today=clock.today() - timedelta(days=34))
    before = next(d for d in case.deadlines if d.kind == "closing").due_on
    record_service(notice, recipient="长沙湘江机械制造有限公司", party_id=None, method="announcement", address="",
                   sent_on=clock.today() - timedelta(days=30), received_on=clock.today(), note="", actor=officer)
    db.session.commit()
    closing = next(d for d in case.deadlines if d.kind == "closing")
    # issue 9.1: the 30 days not counted lengthen the period before its last day moves to a working day
    from casesys.adjudication.calendars import current_calendar

    expected = current_calendar().add(case.accepted_on, 3, "months", stopped_days=30)
    assert closing.due_on == expected.date and closing.due_on > before and "不计入的 30 日" in closing.explanation
    assert case.served_on == clock.today() and case.state == CaseState.ANSWER_PERIOD


def test_service_dates_are_checked(db, decided_case, team):
    document = _issued_ruling(db, decided_case, team)
    with pytest.raises(DocumentError, match="不能晚于今天"):
        record_service(document, recipient="x", party_id=None, method="post", address="", note="",
                       sent_on=clock.today() + timedelta(days=1), received_on=None, actor=team["officer"])
    with pytest.raises(DocumentError, match="不能早于发出日期"):
        record_service(document, recipient="x", party_id=None, method="post", address="", note="",
                       sent_on=clock.today(), received_on=clock.today() - timedelta(days=1), actor=team["officer"])


def test_publication_copy_masks_natural_persons_and_keeps_organisations(db, decided_case, team):
    person = next(p for p in decided_case.parties if p.name == "张三丰")
    document = _issued_ruling(db, decided_case, team, facts="张三丰在其网店销售被诉侵权产品，联系电话13912345678。")
    text = text_of(publication_pdf(document))
    assert "张三丰" not in text and "张某某" in text
    assert person.id_number not in text and "13912345678" not in text
    assert "麓山南路2号" not in text
    assert "长沙湘江机械制造有限公司" in text and "武汉光谷激光科技有限公司" in text


def test_no_cjk_font_means_a_clear_error_not_boxes(app, db, decided_case, team):
    from casesys.documents.rendering import cjk_font_installed

    app.config["PDF_FONT_FAMILY"] = "No Such Font CJK"
    try:
        with pytest.raises(DocumentError, match="fonts-noto-cjk"):
            document_pdf(create_draft(decided_case, "ruling", actor=team["officer"]))
    finally:
        app.config["PDF_FONT_FAMILY"] = "Noto Serif CJK SC"
        cjk_font_installed.cache_clear()


def test_templates_cannot_reach_the_network(app):
    from casesys.documents.rendering import write_pdf

    with pytest.raises(DocumentError, match="不允许的外部资源"):
        write_pdf('<html lang="zh-CN"><body><img src="http://example.com/x.png">测试</body></html>')


@pytest.mark.parametrize("key", ["acceptance_notice", "answer_notice", "extension_form", "ruling"])
def test_each_ready_document_type_prints(db, decided_case, team, key):
    document = create_draft(decided_case, key, actor=team["officer"])
    text = text_of(document_pdf(document))
    from casesys.documents.types import DOC_TYPES

    assert DOC_TYPES[key].title in text and decided_case.office.name in text


def test_batch_merges_the_selected_documents(app, db, decided_case, team):
    from casesys.documents.batches import start_batch

    first = _issued_ruling(db, decided_case, team)
    second = create_draft(decided_case, "acceptance_notice", actor=team["officer"])
    submit(second, actor=team["officer"])
    approve_document(second, actor=team["chief"])
    db.session.commit()
    from casesys.documents.batches import batch_file
    from casesys.jobs.worker import run_due_jobs

    batch = start_batch([first.id, second.id], actor_id=team["chief"].id)
    db.session.commit()
    assert run_due_jobs() == 1
    db.session.expire_all()
    assert (batch.status, batch.done, batch.total) == ("finished", 2, 2)
    assert batch.job.result["pages"] == first.page_count + second.page_count
    assert (batch.job.progress_done, batch.job.progress_total) == (2, 2)
    with pdfplumber.open(batch_file(batch)) as pdf:
        assert len(pdf.pages) == first.page_count + second.page_count
        assert "行政裁决书" in pdf.pages[0].extract_text()  # in the order chosen


def test_cli_renders_frozen_bytes_or_a_draft(runner, db, decided_case, team, tmp_path):
    out = tmp_path / "ruling.pdf"
    variant = decided_case.number.replace("〔", "[").replace("〕", "]")
    result = runner.invoke(args=["document", "render", "--case", variant, "--type", "ruling", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert has_watermark(out.read_bytes())
    document = _issued_ruling(db, decided_case, team)
    runner.invoke(args=["document", "render", "--case", decided_case.number, "--type", "ruling", "--out", str(out)])
    assert out.read_bytes() == document.pdf
    refused = runner.invoke(args=["document", "render", "--case", decided_case.number, "--type", "rejection_notice",
                                  "--out", str(out)])
    assert refused.exit_code != 0 and "不予受理" in refused.output


def test_a_ruling_with_an_empty_required_section_cannot_be_submitted(db, decided_case, team):
    """Issue 16.6 (SPEC §8): 请求人称, 被请求人辩称 (or that no answer was filed),
    经审理查明, 本机关认为, 裁决如下 must be written."""
    from casesys.documents.services import MissingSections

    document = create_draft(decided_case, "ruling", actor=team["officer"])
    update_texts(document, {"facts": "经审理查明：", "decision": ""}, expected_version=document.version,
                 actor=team["officer"])
    with pytest.raises(MissingSections) as refused:
        submit(document, actor=team["officer"])
    assert set(refused.value.missing) == {"answer", "facts", "reasons", "decision"}
    assert "未在答辩期内提交答辩书" in refused.value.missing["answer"]
    assert document.status == "draft"
    update_texts(document, {**COMPLETE, "facts": "经审理查明：被请求人销售了被诉产品。", "decision": "被请求人立即停止销售。"},
                 expected_version=document.version, actor=team["officer"])
    submit(document, actor=team["officer"])
    assert document.status == "pending"


def test_a_pending_document_is_read_only_and_a_return_tells_the_drafter(db, decided_case, team):
    """Issue 16.7: awaiting signature, the text is frozen for its drafter; a
    return shows the reason on the document and puts it on the drafter's to-do list."""
    from casesys.adjudication.worklists import unread_reminders
    from casesys.documents.services import last_return, return_document

    document = create_draft(decided_case, "ruling", actor=team["officer"])
    update_texts(document, COMPLETE, expected_version=document.version, actor=team["officer"])
    submit(document, actor=team["officer"])
    with pytest.raises(DocumentError, match="等待签发期间不能修改"):
        update_texts(document, {"facts": "改"}, expected_version=document.version, actor=team["officer"])
    return_document(document, actor=team["chief"], comment="请补充被诉产品的技术特征比对")
    db.session.commit()
    assert document.status == "draft" and last_return(document) == "请补充被诉产品的技术特征比对"
    returns = [r for r in unread_reminders(team["officer"]) if r.level == "returned"]
    assert len(returns) == 1 and "行政裁决书被退回：请补充被诉产品的技术特征比对" in returns[0].message
    update_texts(document, {"facts": "补充了比对。"}, expected_version=document.version, actor=team["officer"])
    submit(document, actor=team["officer"])
    assert last_return(document) is None

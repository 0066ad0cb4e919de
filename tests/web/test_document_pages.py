"""Documents through the pages: draft, preview, sign, verify, batch."""

import re

import sqlalchemy as sa

from casesys.documents.models import Document, PrintBatch
from casesys.jobs.worker import run_due_jobs


def test_draft_edit_preview_submit_sign_and_verify(app, client, db, decided_case, team, login_as):
    login_as(team["officer"])
    response = client.post(f"/cases/{decided_case.id}/documents/new/ruling")
    url = response.headers["Location"]
    document = db.session.scalar(sa.select(Document))
    page = client.get(url).get_data(as_text=True)
    assert "经审理查明" in page and "预览（草稿）" in page
    response = client.post(url, data={"version": str(document.version), "facts": "查明的事实。", "reasons": "理由。",
                                      "claims": "请求。", "answer": "答辩。", "legal_basis": "依据", "decision": "主文。"})
    assert response.status_code == 302
    preview = client.get(url + "/pdf")
    assert preview.mimetype == "application/pdf" and preview.data.startswith(b"%PDF")
    client.post(url + "/submit")
    client.post("/logout")
    login_as(team["chief"])
    assert "待签发文书" in client.get("/approvals").get_data(as_text=True)
    client.post(url + "/approve")
    db.session.expire_all()
    document = db.session.get(Document, document.id)
    assert document.status == "approved" and document.texts["facts"] == "查明的事实。"
    client.post("/logout")
    public = app.test_client().get(f"/verify/{document.verify_code}").get_data(as_text=True)
    assert document.number in public and document.sha256 in public
    assert "武汉光谷激光科技有限公司" not in public and "张三丰" not in public


def test_a_supervisor_who_edited_a_draft_is_not_offered_to_sign_it(app, client, db, decided_case, team, login_as):
    """Issue 11: the chief rewrites the officer's draft and submits it; the page
    says why the chief cannot sign, a forged request is refused, chief2 signs."""
    login_as(team["officer"])
    url = client.post(f"/cases/{decided_case.id}/documents/new/ruling").headers["Location"]
    client.post("/logout")
    login_as(team["chief"])
    version = str(db.session.scalar(sa.select(Document.version)))
    texts = {"claims": "请求。", "answer": "被请求人未提交答辩书。", "facts": "负责人改写的事实。", "reasons": "理由。",
             "legal_basis": "依据", "decision": "主文。"}
    response = client.post(url, data={"version": version, **texts, "submit_for_signature": "1"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "批准签发" not in page and "您起草、修改或提交过这份文书，须由其他负责人签发" in page
    page = client.post(url + "/approve", follow_redirects=True).get_data(as_text=True)
    assert "须由其他负责人签发" in page
    assert db.session.scalar(sa.select(Document.status)) == "pending"
    client.post("/logout")
    login_as(team["chief2"])
    assert "批准签发" in client.get(url).get_data(as_text=True)
    client.post(url + "/approve")
    db.session.expire_all()
    assert db.session.scalar(sa.select(Document.status)) == "approved"


def test_concurrent_draft_edits_keep_the_second_text_and_refuse_it(client, db, decided_case, team, login_as):
    login_as(team["officer"])
    url = client.post(f"/cases/{decided_case.id}/documents/new/ruling").headers["Location"]
    version = str(db.session.scalar(sa.select(Document.version)))
    assert client.post(url, data={"version": version, "facts": "第一人"}).status_code == 302
    page = client.post(url, data={"version": version, "facts": "第二人写的事实"}).get_data(as_text=True)
    assert "已被他人修改" in page and "第二人写的事实" in page


def test_not_ready_document_type_is_explained(client, factory, team, login_as):
    case = factory.case(team["officer"])
    login_as(team["officer"])
    page = client.post(f"/cases/{case.id}/documents/new/ruling", follow_redirects=True).get_data(as_text=True)
    assert "尚未作出裁决" in page


def test_batch_page_builds_and_reports_progress(app, client, db, decided_case, team, login_as):
    from casesys.documents.services import approve_document, create_draft, submit, update_texts

    document = create_draft(decided_case, "ruling", actor=team["officer"])
    update_texts(document, {"answer": "被请求人未提交答辩书。", "reasons": "构成侵权。"}, expected_version=document.version,
                 actor=team["officer"])
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    db.session.commit()
    login_as(team["chief"])
    assert document.number in client.get("/documents/batch").get_data(as_text=True)
    response = client.post("/documents/batch", data={"document_ids": [str(document.id)]})
    assert response.status_code == 302
    batch_url = response.headers["Location"]
    # committed with the request, built by the worker
    assert client.get(batch_url + ".json").json == {"status": "queued", "done": 0, "total": 1, "error": ""}
    assert client.get(batch_url + ".pdf").status_code == 404
    assert run_due_jobs() == 1
    assert client.get(batch_url + ".json").json == {"status": "finished", "done": 1, "total": 1, "error": ""}
    merged = client.get(batch_url + ".pdf")
    assert merged.data.startswith(b"%PDF")
    assert "下载合并的PDF" in client.get(batch_url).get_data(as_text=True)  # survives a reload


def test_a_batch_whose_job_failed_says_so(app, client, db, decided_case, team, login_as):
    from casesys.documents.batches import start_batch

    batch = start_batch([999999], actor_id=team["chief"].id)
    batch.job.state, batch.job.last_error = "failed", "Traceback …\nOSError: 磁盘已满"
    db.session.commit()
    login_as(team["chief"])
    url = f"/documents/batches/{batch.id}"
    assert client.get(url + ".json").json["status"] == "failed"
    assert "OSError: 磁盘已满" in client.get(url).get_data(as_text=True)


def test_someone_elses_batch_is_not_found(client, db, factory, team, login_as):
    """Not found, like a batch that does not exist (issue 11, finding 11a)."""
    batch = PrintBatch(requested_by_id=team["chief2"].id, document_ids=[], total=0)
    db.session.add(batch)
    db.session.commit()
    login_as(team["chief"])
    assert client.get(f"/documents/batches/{batch.id}").status_code == 404


def test_submitting_with_empty_sections_says_at_each_field_what_is_missing(client, db, decided_case, team, login_as):
    """Issue 16.6–16.8 through the page."""
    login_as(team["officer"])
    url = client.post(f"/cases/{decided_case.id}/documents/new/ruling").headers["Location"]
    document = db.session.scalar(sa.select(Document))
    page = client.get(url).get_data(as_text=True)
    assert "auto-grow" in page and "保存并提交签发" in page
    response = client.post(url, data={"version": str(document.version), "claims": "请求人称：请求。", "answer": "被请求人辩称：",
                                      "facts": "查明的事实。", "reasons": "", "legal_basis": "依据", "decision": "主文。",
                                      "submit_for_signature": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'name="reasons"[^>]*>[^<]*</textarea>\s*<div class="invalid-feedback">请填写“本机关认为”', page)
    assert "未在答辩期内提交答辩书" in page and "查明的事实。" in page
    db.session.expire_all()
    assert db.session.get(Document, document.id).status == "draft"
    response = client.post(url, data={"version": str(db.session.get(Document, document.id).version),
                                      "claims": "请求人称：请求。", "answer": "被请求人未提交答辩书。", "facts": "查明的事实。",
                                      "reasons": "构成侵权。", "legal_basis": "依据", "decision": "主文。",
                                      "submit_for_signature": "1"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "期间内容不能修改" in page and "readonly" in page and "保存并提交签发" not in page
    client.post("/logout")
    login_as(team["chief"])
    client.post(url + "/return", data={"comment": "请补充技术比对"})
    client.post("/logout")
    login_as(team["officer"])
    page = client.get(url).get_data(as_text=True)
    assert "负责人退回修改：</strong>请补充技术比对" in page
    assert "请补充技术比对" in client.get("/todo").get_data(as_text=True)


def test_service_form_defaults_to_the_addressee_and_their_address(client, db, decided_case, team, login_as):
    from casesys.documents.services import approve_document, create_draft, submit

    document = create_draft(decided_case, "answer_notice", actor=team["officer"])
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    db.session.commit()
    login_as(team["officer"])
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    respondent = decided_case.parties_in(decided_case.parties[1].role)[0]
    assert re.search(rf'<option selected value="{respondent.id}">|<option value="{respondent.id}" selected>', page)
    assert f'value="{respondent.address}"' in page and "data-fill-address" in page


def test_verify_by_typed_code_pasted_address_or_uploaded_pdf(app, client, db, decided_case, team):
    """Issue 16.18: a form; a clear 「验证失败」 page; a PDF compared by SHA-256."""
    import io

    from casesys.documents.services import approve_document, create_draft, submit, update_texts

    document = create_draft(decided_case, "ruling", actor=team["officer"])
    update_texts(document, {"answer": "被请求人未提交答辩书。", "reasons": "构成侵权。"}, expected_version=document.version,
                 actor=team["officer"])
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief"])
    db.session.commit()
    page = client.get("/verify").get_data(as_text=True)
    assert "核验码或核验地址" in page and 'type="file"' in page
    pasted = f"  http://example.org/verify/{document.verify_code}\n"
    response = client.post("/verify", data={"code": pasted})
    assert response.headers["Location"].endswith(f"/verify/{document.verify_code}")
    assert document.number in client.get(response.headers["Location"]).get_data(as_text=True)
    failed = client.get("/verify/NoSuchCode12")
    assert failed.status_code == 404 and "验证失败" in failed.get_data(as_text=True)
    upload = client.post("/verify", data={"file": (io.BytesIO(document.pdf), "ruling.pdf")},
                         content_type="multipart/form-data")
    assert upload.status_code == 200 and document.sha256 in upload.get_data(as_text=True)
    changed = client.post("/verify", data={"file": (io.BytesIO(document.pdf + b"%"), "ruling.pdf")},
                          content_type="multipart/form-data")
    assert changed.status_code == 404 and "验证失败" in changed.get_data(as_text=True)
    empty = client.post("/verify", data={"code": ""})
    assert "请输入核验码" in empty.get_data(as_text=True)

"""Every route, every role: the answer the one permission module gives
(SPEC §1). A route missing from the table fails the test, so new pages
must state who may use them. A role that may not use a page gets 403; a
record the user may not see (another office's case or referral, another
user's job) is 404 like one that does not exist, so its id cannot be probed."""
from __future__ import annotations

import io
import re

import pytest

from casesys.core import clock
from casesys.domain.enums import CaseType, Role

ROLES = ["anonymous", "officer", "mediator", "supervisor", "admin", "stranger"]
OK, REDIRECT, FORBIDDEN, MISSING, INVALID = 200, 302, 403, 404, 400
CASE_READERS = {"anonymous": REDIRECT, "officer": OK, "mediator": OK, "supervisor": OK,
                "admin": FORBIDDEN, "stranger": MISSING}
ADJUDICATION_EDITORS = {**CASE_READERS, "mediator": FORBIDDEN}
ADMIN_ONLY = {"anonymous": REDIRECT, "officer": FORBIDDEN, "mediator": FORBIDDEN,
              "supervisor": FORBIDDEN, "admin": OK, "stranger": FORBIDDEN}
ANY_USER = {role: OK for role in ROLES} | {"anonymous": REDIRECT}
# Procedure steps: the handler (officer) and the office's supervisor (SPEC §1).
PROCEDURE = ADJUDICATION_EDITORS
# Changing a case's documents: the owning office's officers and supervisors;
# their POSTs end in a redirect (with a message) in this fixture world.
EDITORS_REDIRECTED = ADJUDICATION_EDITORS | {"officer": REDIRECT, "supervisor": REDIRECT}
# Running a mediation: the owning office's officers, mediators and supervisors.
MEDIATORS_REDIRECTED = CASE_READERS | {"officer": REDIRECT, "mediator": REDIRECT, "supervisor": REDIRECT}
# Referrals (SPEC §6): officers and supervisors of the two offices concerned.
REFERRALS = {"anonymous": REDIRECT, "officer": OK, "mediator": FORBIDDEN, "supervisor": OK, "admin": FORBIDDEN,
             "stranger": MISSING}
OWN_JOB = {"anonymous": REDIRECT, "officer": OK, "mediator": MISSING, "supervisor": MISSING,
           "admin": OK, "stranger": MISSING}
SUPERVISOR_ONLY = {"anonymous": REDIRECT, "officer": FORBIDDEN, "mediator": FORBIDDEN,
                   "supervisor": OK, "admin": FORBIDDEN, "stranger": FORBIDDEN}

# (method, url template, {role: status}); {case}, {party}, {evidence}, {user}, {office}
# are filled from the fixture world below. "stranger" is an officer of another office.
MATRIX: dict[str, list[tuple[str, str, dict[str, int]]]] = {
    "core.index": [("GET", "/", {role: REDIRECT for role in ROLES})],
    "core.healthz": [("GET", "/healthz", {role: OK for role in ROLES})],
    "auth.login": [("GET", "/login", {role: REDIRECT for role in ROLES} | {"anonymous": OK})],
    "auth.logout": [("POST", "/logout", {role: REDIRECT for role in ROLES})],
    "auth.password": [("GET", "/account/password", ANY_USER)],
    "cases.index": [("GET", "/cases", CASE_READERS | {"stranger": OK})],
    "cases.new": [
        ("GET", "/cases/new/adjudication", ADJUDICATION_EDITORS | {"stranger": OK}),
        ("GET", "/cases/new/mediation", CASE_READERS | {"stranger": OK}),
        ("GET", "/cases/new/nonsense", CASE_READERS | {"stranger": MISSING, "officer": MISSING,
                                                       "mediator": MISSING, "supervisor": MISSING}),
    ],
    "cases.detail": [
        ("GET", "/cases/{case}", CASE_READERS),
        ("GET", "/cases/999999", CASE_READERS | {"officer": MISSING, "mediator": MISSING,
                                                 "supervisor": MISSING, "stranger": MISSING}),
    ],
    "cases.edit": [("GET", "/cases/{case}/edit", ADJUDICATION_EDITORS)],
    "cases.add_party_page": [("GET", "/cases/{case}/parties/new", ADJUDICATION_EDITORS)],
    "cases.edit_party": [
        ("GET", "/cases/{case}/parties/{party}/edit", ADJUDICATION_EDITORS),
        ("GET", "/cases/{case}/parties/999999/edit", ADJUDICATION_EDITORS | {"officer": MISSING, "supervisor": MISSING}),
    ],
    # A POST without a file: allowed users get the form back with its message.
    "cases.upload_evidence": [("POST", "/cases/{case}/evidence", ADJUDICATION_EDITORS | {"officer": INVALID, "supervisor": INVALID})],
    "cases.cross_examination": [("POST", "/cases/{case}/evidence/{evidence}/cross-examination", ADJUDICATION_EDITORS | {"officer": REDIRECT, "supervisor": REDIRECT})],
    "cases.evidence_file": [("GET", "/cases/{case}/evidence/{evidence}", CASE_READERS)],
    "cases.audit": [("GET", "/cases/{case}/audit", CASE_READERS)],
    "adjudication.step": [
        ("GET", "/cases/{case}/steps/accept", PROCEDURE),
        ("GET", "/cases/{case}/steps/bogus", PROCEDURE | {"officer": MISSING, "supervisor": MISSING}),
    ],
    "adjudication.add_clock_stop": [("POST", "/cases/{case}/clock-stops", PROCEDURE | {"officer": REDIRECT, "supervisor": REDIRECT})],
    "adjudication.end_stop": [("POST", "/cases/{case}/clock-stops/999999/end", PROCEDURE | {"officer": MISSING, "supervisor": MISSING})],
    "adjudication.approvals": [("GET", "/approvals", SUPERVISOR_ONLY)],
    # Only the requester withdraws; others get the case page back with a message.
    "adjudication.withdraw_approval": [("POST", "/approvals/999999/withdraw", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "adjudication.decide_approval": [("POST", "/approvals/{approval}/approve", SUPERVISOR_ONLY | {"supervisor": REDIRECT})],
    "adjudication.todo": [("GET", "/todo", CASE_READERS | {"stranger": OK})],
    "adjudication.read_reminders": [("POST", "/todo/reminders/read", CASE_READERS | {"stranger": REDIRECT, "officer": REDIRECT, "mediator": REDIRECT, "supervisor": REDIRECT})],
    "adjudication.workload": [("GET", "/workload", SUPERVISOR_ONLY)],
    "adjudication.calculator": [("GET", "/calendar/calculator?start=2026-09-30&amount=5&unit=working", ANY_USER)],
    "documents.case_documents": [("GET", "/cases/{case}/documents", CASE_READERS)],
    "documents.new_document": [("POST", "/cases/{case}/documents/new/ruling", EDITORS_REDIRECTED)],
    "documents.detail": [("GET", "/documents/{document}", CASE_READERS)],
    "documents.pdf": [("GET", "/documents/{document}/pdf", CASE_READERS)],
    "documents.step": [("POST", "/documents/{document}/submit", EDITORS_REDIRECTED),
                       ("POST", "/documents/{document}/bogus", EDITORS_REDIRECTED | {"officer": MISSING, "supervisor": MISSING, "mediator": MISSING})],
    "documents.add_service": [("POST", "/documents/{document}/services", EDITORS_REDIRECTED)],
    "documents.service_receipt": [("GET", "/documents/{document}/services/{service}/receipt.pdf", CASE_READERS)],
    "documents.publication": [("GET", "/documents/{document}/publication.pdf", CASE_READERS | {"officer": REDIRECT, "mediator": REDIRECT, "supervisor": REDIRECT})],
    "documents.batch": [("GET", "/documents/batch", SUPERVISOR_ONLY)],
    "documents.batch_status": [("GET", "/documents/batches/{batch}", SUPERVISOR_ONLY)],
    "documents.batch_progress": [("GET", "/documents/batches/{batch}.json", SUPERVISOR_ONLY)],
    "documents.batch_pdf": [("GET", "/documents/batches/{batch}.pdf", SUPERVISOR_ONLY)],
    "documents.verify_form": [("GET", "/verify", {role: OK for role in ROLES})],
    "documents.verify": [("GET", "/verify/{verify_code}", {role: OK for role in ROLES}),
                         ("GET", "/verify/nope", {role: MISSING for role in ROLES})],
    "mediation.page": [("GET", "/cases/{case}/mediation", CASE_READERS)],
    "mediation.start": [("POST", "/cases/{case}/mediation/start", MEDIATORS_REDIRECTED)],
    "mediation.consent": [("POST", "/mediations/{mediation}/consent", MEDIATORS_REDIRECTED)],
    "mediation.request_service": [("POST", "/mediations/{mediation}/request-service", MEDIATORS_REDIRECTED)],
    "mediation.assign": [("POST", "/mediations/{mediation}/mediators", MEDIATORS_REDIRECTED)],
    "mediation.add_organisation": [("POST", "/mediations/{mediation}/organisations", MEDIATORS_REDIRECTED)],
    "mediation.schedule": [("POST", "/mediations/{mediation}/sessions", MEDIATORS_REDIRECTED)],
    "mediation.record": [("POST", "/mediations/{mediation}/sessions/999999/record", MEDIATORS_REDIRECTED | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING})],
    "mediation.agreement": [("GET", "/mediations/{mediation}/agreement", MEDIATORS_REDIRECTED | {"officer": OK, "mediator": OK, "supervisor": OK})],
    "mediation.sign": [("POST", "/agreements/999999/sign", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "admin": FORBIDDEN, "stranger": MISSING})],
    "mediation.fail": [("POST", "/mediations/{mediation}/fail", MEDIATORS_REDIRECTED)],
    "mediation.extend": [("POST", "/mediations/{mediation}/extend", MEDIATORS_REDIRECTED)],
    "mediation.confirmation": [("POST", "/agreements/999999/confirmation", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "mediation.confirmation_result": [("POST", "/agreements/999999/confirmation-result", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "mediation.performance": [("POST", "/terms/999999/performance", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "mediation.dashboard": [("GET", "/mediation/dashboard", SUPERVISOR_ONLY | {"mediator": OK})],
    "admin.mediation_organisations": [("GET", "/admin/mediation", ADMIN_ONLY)],
    "admin.mediation_organisation_form": [("GET", "/admin/mediation/organisations/new", ADMIN_ONLY)],
    "admin.mediator_form": [("GET", "/admin/mediation/mediators/new", ADMIN_ONLY)],
    "admin.calendar": [("GET", "/admin/calendar", ADMIN_ONLY)],
    "admin.deadline_rules": [("GET", "/admin/deadline-rules", ADMIN_ONLY)],
    "admin.users": [("GET", "/admin/users", ADMIN_ONLY)],
    "admin.user_form": [("GET", "/admin/users/new", ADMIN_ONLY), ("GET", "/admin/users/{user}/edit", ADMIN_ONLY)],
    "admin.unlock_user": [("POST", "/admin/users/{user}/unlock", ADMIN_ONLY | {"admin": REDIRECT})],
    "admin.offices": [("GET", "/admin/offices", ADMIN_ONLY)],
    "admin.office_form": [("GET", "/admin/offices/new", ADMIN_ONLY), ("GET", "/admin/offices/{office}/edit", ADMIN_ONLY)],
    "admin.settings": [("GET", "/admin/settings", ADMIN_ONLY)],
    "referrals.index": [("GET", "/referrals", REFERRALS | {"stranger": OK}),
                        ("GET", "/referrals?box=outbox&kind=nonsense&partner=x", REFERRALS | {"stranger": OK})],
    "referrals.new": [("GET", "/referrals/new", REFERRALS | {"stranger": OK})],
    "referrals.detail": [("GET", "/referrals/{referral}", REFERRALS),
                         ("GET", "/referrals/999999", REFERRALS | {"officer": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "referrals.act": [("POST", "/referrals/{referral}/actions/bogus", REFERRALS | {"officer": MISSING, "supervisor": MISSING})],
    # An empty note: allowed users get the page back with the message.
    "referrals.add_note": [("POST", "/referrals/{referral}/notes", REFERRALS | {"officer": REDIRECT, "supervisor": REDIRECT})],
    # Each side links its own case: an empty number unlinks, with a message.
    "referrals.link_case": [("POST", "/referrals/{referral}/case", REFERRALS | {"officer": REDIRECT, "supervisor": REDIRECT})],
    # The letter needs a linked case: without one, the referral page with the message.
    "referrals.letter": [("POST", "/referrals/{referral}/letter", REFERRALS | {"officer": REDIRECT, "supervisor": REDIRECT})],
    "referrals.attachment": [("GET", "/referrals/{referral}/attachments/{referral_attachment}", REFERRALS)],
    # Machine to machine: no session, authenticated by signature; an unsigned empty body is refused.
    "exchange.receive": [("POST", "/exchange/referrals", {role: INVALID for role in ROLES})],
    # Credit supervision (SPEC §7): every case worker reads; supervisors decide.
    "credit.index": [("GET", "/credit", CASE_READERS | {"stranger": OK})],
    "credit.scan": [("POST", "/credit/scan", SUPERVISOR_ONLY | {"supervisor": REDIRECT})],
    "credit.detail": [("GET", "/credit/records/999999", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "credit.step": [("POST", "/credit/records/999999/confirm", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "credit.party": [("GET", "/credit/parties/{party_code}", CASE_READERS | {"stranger": OK}),
                     ("GET", "/credit/parties/NOSUCHCODE", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "credit.not_performed": [("POST", "/cases/{case}/credit/not-performed", EDITORS_REDIRECTED)],
    "credit.forged": [("POST", "/cases/{case}/credit/forged-evidence", PROCEDURE | {"officer": REDIRECT, "supervisor": REDIRECT})],
    # The public site: no login, the same answer for everyone; guessed slugs are unknown.
    "public.index": [("GET", "/public/", {role: OK for role in ROLES}),
                     ("GET", "/public/?q=%25%27%3B--&year=abc&office=x&patent_type=<script>&page=-1", {role: OK for role in ROLES})],
    "public.ruling": [("GET", "/public/rulings/nope", {role: MISSING for role in ROLES})],
    "public.ruling_pdf": [("GET", "/public/rulings/nope.pdf", {role: MISSING for role in ROLES})],
    "public.typical": [("GET", "/public/typical/nope", {role: MISSING for role in ROLES})],
    "public.dishonesty": [("GET", "/public/dishonesty/nope", {role: MISSING for role in ROLES})],
    "publishing.index": [("GET", "/publishing", CASE_READERS | {"stranger": OK})],
    "publishing.publish_ruling": [("POST", "/publishing/rulings/{document}", EDITORS_REDIRECTED)],
    "publishing.publish_typical": [("POST", "/publishing/typical", CASE_READERS | {"officer": INVALID, "mediator": INVALID, "supervisor": INVALID, "stranger": INVALID})],
    "publishing.decide": [("POST", "/publishing/999999/approve", CASE_READERS | {"officer": MISSING, "mediator": MISSING, "supervisor": MISSING, "stranger": MISSING})],
    "oversight.dashboard": [("GET", "/dashboard", SUPERVISOR_ONLY)],
    "oversight.refresh_dashboard": [("POST", "/dashboard/refresh", SUPERVISOR_ONLY | {"supervisor": REDIRECT})],
    "oversight.ledger_upload": [("GET", "/admin/import", ADMIN_ONLY)],
    "oversight.ledger_mapping": [("GET", "/admin/import/" + "0" * 64, ADMIN_ONLY | {"admin": MISSING})],
    "oversight.ledger_job": [("GET", "/admin/import/jobs/999999", ADMIN_ONLY | {"admin": MISSING})],
    "oversight.ledger_template": [("GET", "/admin/import/template.xlsx", ADMIN_ONLY)],
    # The file of a large export: the user who asked for it (the officer) and administrators.
    "exports.download": [("GET", "/exports/{export_job}", OWN_JOB),
                                  ("GET", "/exports/{job}", {role: MISSING for role in ROLES} | {"anonymous": REDIRECT})],
    "oversight.monthly_report": [("GET", "/dashboard/report?month=nope", SUPERVISOR_ONLY | {"supervisor": REDIRECT})],
    # A background job: the user who asked for it (here the officer) and administrators.
    "jobs.detail": [("GET", "/jobs/{job}", OWN_JOB), ("GET", "/jobs/999999", OWN_JOB | {
        role: MISSING for role in ROLES if role != "anonymous"})],
    "jobs.progress": [("GET", "/jobs/{job}.json", OWN_JOB)],
    "jobs.admin_index": [("GET", "/admin/jobs", ADMIN_ONLY)],
    "jobs.admin_move": [("POST", "/admin/jobs/{job}/cancel", ADMIN_ONLY | {"admin": REDIRECT}),
                        ("POST", "/admin/jobs/{job}/bogus", ADMIN_ONLY | {role: MISSING for role in ROLES})],
}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints == set(MATRIX)


@pytest.fixture
def world(db, factory):
    from casesys.cases.services import EvidenceData, add_evidence
    from casesys.cases.storage import save_upload

    office = factory.office()
    users = {
        "officer": factory.user(Role.OFFICER, office=office),
        "mediator": factory.user(Role.MEDIATOR, office=office),
        "supervisor": factory.user(Role.SUPERVISOR, office=office),
        "admin": factory.user(Role.ADMIN, office=office),
        "stranger": factory.user(Role.OFFICER, office=factory.office()),
    }
    case = factory.case(users["officer"], case_type=CaseType.ADJUDICATION)
    stored = save_upload(io.BytesIO(b"%PDF-1.4\n%test\n"), "a.pdf", "application/pdf")
    evidence = add_evidence(case, EvidenceData(stored, {"kind": "document", "description": "合同"}),
                            actor=users["officer"])
    db.session.commit()
    from casesys.adjudication.services import request_action
    from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action

    other = factory.case(users["officer"])
    approval = request_action(other, Action.ACCEPT, {"procedure": "ordinary",
                                                     "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                              actor=users["officer"])
    db.session.commit()

    from casesys.documents.models import Document, PrintBatch, ServiceRecord

    document = Document(case_id=case.id, doc_type="acceptance_notice", status="approved", texts={"body": "正文"},
                        number="测试受字〔2026〕1号", verify_code="testcode1234", pdf=b"%PDF-1.4 test",
                        sha256="0" * 64, page_count=1, issued_on=clock.today())
    db.session.add(document)
    db.session.flush()
    service = ServiceRecord(document=document, recipient="某公司", method="post", sent_on=clock.today())
    db.session.add(service)
    batch = PrintBatch(requested_by_id=users["supervisor"].id, document_ids=[document.id], total=1, done=1,
                       status="finished")
    db.session.add_all([service, batch])
    from casesys.mediation.models import Mediation

    mediation = Mediation(case_id=case.id, requested_on=clock.today(), consent_due_on=clock.today())
    db.session.add(mediation)
    from casesys.jobs import enqueue

    job = enqueue("reminders.run", {}, requested_by=users["officer"].id)
    from casesys.exports.lists import JOB_KIND, export_file

    export_job = enqueue(JOB_KIND, {"export": "cases", "args": {}, "format": "xlsx", "title": "案件", "rows": 1,
                                    "today": clock.today().isoformat()}, requested_by=users["officer"].id)
    export_job.state = "done"
    db.session.commit()
    export_file(export_job).write_bytes(b"PK\x03\x04 made by the job")
    from casesys.domain.referrals import ReferralKind, Side
    from casesys.referrals.services import ReferralData, add_attachment, create_referral

    referral = create_referral(ReferralData(ReferralKind.INVESTIGATION_HELP, factory.office(is_partner=True),
                                            "请求协助调查", "内容"), actor=users["officer"])
    referral_attachment = add_attachment(referral, stored, side=Side.SENDER)
    db.session.commit()
    from casesys.documents.batches import batch_file

    batch_file(batch).write_bytes(b"%PDF-1.4 batch")
    ids = {"job": job.id, "export_job": export_job.id, "referral": referral.id, "referral_attachment": referral_attachment.id, "case": case.id, "party": case.parties[0].id, "evidence": evidence.id,
           "user": users["officer"].id, "office": office.id, "approval": approval.id, "document": document.id,
           "service": service.id, "batch": batch.id, "verify_code": document.verify_code,
           "mediation": mediation.id, "party_code": case.parties[0].code}
    return users, ids


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(client, login_as, world, role):
    users, ids = world
    if role != "anonymous":
        assert login_as(users[role]).status_code == 302
    wrong = []
    for endpoint, checks in MATRIX.items():
        for method, template, expected in checks:
            url = template.format(**ids)
            response = client.open(url, method=method)
            if response.status_code != expected[role]:
                wrong.append(f"{method} {url}: {response.status_code}, expected {expected[role]}")
            if endpoint == "auth.logout" and role != "anonymous":
                login_as(users[role])  # logged out by the check itself: log in again
    assert not wrong, "\n".join(wrong)


def test_a_refused_case_page_shows_none_of_its_data(client, login_as, world):
    users, ids = world
    login_as(users["stranger"])
    page = client.get(f"/cases/{ids['case']}").get_data(as_text=True)
    assert "页面不存在" in page
    assert "武汉光谷激光科技有限公司" not in page and "鄂知保" not in page


@pytest.mark.parametrize("template", ["/cases/{}", "/cases/{}/edit", "/cases/{}/documents", "/referrals/{}"])
def test_another_offices_record_answers_like_one_that_does_not_exist(client, login_as, world, template):
    """Finding 11 of issue 11: a 403 told a stranger which ids exist elsewhere."""
    users, ids = world
    login_as(users["stranger"])
    record = ids["referral"] if template.startswith("/referrals") else ids["case"]
    theirs, missing = client.get(template.format(record)), client.get(template.format(999999))
    assert theirs.status_code == missing.status_code == 404
    # The same page but for the menu's CSRF token, which is signed with the time (to the second).
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", theirs.get_data(as_text=True)) == token.sub("", missing.get_data(as_text=True))

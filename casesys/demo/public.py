"""Demo content for the public site (SPEC §7), called by `flask demo-data`:
a few signed rulings published, typical cases written, and two repeat
infringers taken through review, notice and the objection period, so the
public site is not empty after `make run`."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import refresh_search_text
from casesys.core import clock
from casesys.credit.services import apply_credit_action, scan_candidates
from casesys.documents.services import approve_document, create_draft, submit
from casesys.domain.credit import CreditAction, CreditReason, CreditState
from casesys.domain.enums import CaseState, CaseType, PartyRole
from casesys.extensions import db
from casesys.public.services import approve_publication, request_ruling_publication, request_typical_case

TYPICAL = [
    ("网络销售平台上许诺销售侵权产品的认定", "被请求人在电商平台上展示并许诺销售与涉案专利相同的产品。本机关认定其许诺销售行为构成侵权，"
     "责令立即停止。本案明确了网络许诺销售行为的认定标准，对规范电商平台经营具有示范意义。"),
    ("简易程序快速处理外观设计专利侵权纠纷", "本案事实清楚、权利义务关系明确，适用简易程序，自立案至作出裁决用时不足一个月，"
     "体现了行政裁决高效、便捷、低成本的制度优势。"),
]


def _users() -> tuple[User, User]:
    supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    return supervisor, officer


def _infringement_cases(today: date, limit: int) -> list[Case]:
    return db.session.scalars(
        sa.select(Case).where(Case.case_type == CaseType.ADJUDICATION, Case.decision_outcome == "infringement",
                              Case.state.in_((CaseState.CLOSED, CaseState.SERVED_DECISION)),
                              Case.decided_on <= today - timedelta(days=60))
        .order_by(Case.decided_on.desc(), Case.id).limit(limit)).all()


def _sign_ruling(case: Case, supervisor: User, officer: User):
    document = create_draft(case, "ruling", actor=officer)
    document.texts = {**document.texts,
                      "answer": "被请求人辩称：其销售的产品有合法来源，不构成侵权。",
                      "facts": f"被请求人未经许可实施了{'、'.join(a.label for a in case.acts) or '销售'}被诉侵权产品的行为，"
                               "被诉侵权产品的技术特征与涉案专利权利要求记载的全部技术特征相同。",
                      "reasons": "被诉侵权产品落入涉案专利权的保护范围，被请求人未能证明其合法来源，其行为构成专利侵权。",
                      "decision": "被请求人立即停止侵犯涉案专利权的行为，销毁库存侵权产品。"}
    submit(document, actor=officer)
    approve_document(document, actor=supervisor, today=case.decided_on)
    return document


def _make_repeat_infringer(earlier: Case, later: Case) -> None:
    """The same company found infringing again (recognised by its code)."""
    source = earlier.parties_in(PartyRole.RESPONDENT)[0]
    target = later.parties_in(PartyRole.RESPONDENT)[0]
    later.title = later.title.replace(target.name, source.name)
    for field in ("kind", "name", "credit_code", "id_number", "address", "legal_representative", "enterprise_type"):
        setattr(target, field, getattr(source, field))
    refresh_search_text(later)  # the text and its character pairs: found under the new name


def publish_demo_items(*, today: date | None = None, rulings: int = 4, dishonest: int = 2) -> dict[str, int]:
    today = today or clock.today()
    supervisor, officer = _users()
    cases = _infringement_cases(today, rulings + 2 * dishonest)
    published = 0
    for case in cases[:rulings]:
        publication = request_ruling_publication(_sign_ruling(case, supervisor, officer), actor=officer)
        approve_publication(publication, actor=supervisor)
        published += 1
    typical = 0
    for case, (title, summary) in zip(cases[:rulings], TYPICAL):
        approve_publication(request_typical_case(case, title=title, summary=summary, actor=supervisor), actor=supervisor)
        typical += 1
    pairs = [(cases[rulings + 2 * i + 1], cases[rulings + 2 * i]) for i in range(dishonest)
             if rulings + 2 * i + 1 < len(cases)]
    for earlier, later in pairs:
        _make_repeat_infringer(earlier, later)
    db.session.flush()
    scan_candidates(today=today)
    shown = 0
    for _earlier, later in pairs:
        record = next((r for r in later_records(later) if r.state == CreditState.CANDIDATE), None)
        if record is None:  # the scan found no repeat (e.g. the earlier ruling lies outside the window)
            continue
        apply_credit_action(record, CreditAction.CONFIRM, {
            "basis": "《中华人民共和国专利法》第六十五条、《湖北省知识产权保护和促进条例》关于知识产权领域信用监管的规定",
            "publish_months": 36}, actor=supervisor, today=today)
        notice = create_draft(later, "credit_notice", actor=officer)
        submit(notice, actor=officer)
        served = today - timedelta(days=45)
        approve_document(notice, actor=supervisor, today=served)
        apply_credit_action(record, CreditAction.NOTIFY, {"notice": notice, "notified_on": served}, actor=officer,
                            today=today)
        shown += 1
    db.session.flush()
    return {"rulings": published, "typical": typical, "dishonesty": shown}


def later_records(case: Case):
    from casesys.credit.models import CreditRecord

    return db.session.scalars(sa.select(CreditRecord).where(CreditRecord.case_id == case.id,
                                                            CreditRecord.reason == CreditReason.REPEAT_INFRINGEMENT)).all()

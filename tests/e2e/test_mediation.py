"""Mediation in the browser (SPEC §5): a three-party mediation with two
organisations, two sessions and an agreement with two payment terms, one
performed and one overdue; and a mediation inside an adjudication that
fails, after which the case goes on being adjudicated.

The mediation of the first case began three weeks ago (set up in code), so
that a payment term can already be overdue today."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from playwright.sync_api import Page, expect

from casesys.core import clock
from casesys.domain.enums import CaseType, Role
from casesys.domain.mediation import Consent
from tests.e2e.test_procedure import flash, sign_in

TODAY = clock.today()


def _registry(db):
    from casesys.mediation.models import MediationOrganisation, Mediator

    committee = MediationOrganisation(name="湖北省知识产权纠纷人民调解委员会", kind="committee")
    association = MediationOrganisation(name="湖北省专利保护协会", kind="association")
    zhou, sun = Mediator(name="周文静", organisation=committee), Mediator(name="孙立新", organisation=association)
    db.session.add_all([committee, association, zhou, sun])
    db.session.commit()
    return zhou, sun


def _three_party_mediation(db, factory, user):
    from casesys.mediation.services import record_consent, start_mediation

    case = factory.case(user, case_type=CaseType.MEDIATION, received_on=TODAY - timedelta(days=25),
                        requester="武汉光谷激光科技有限公司",
                        respondents=("长沙湘江机械制造有限公司", "南昌洪都电子科技有限公司"))
    mediation = start_mediation(case, actor=user, today=TODAY - timedelta(days=22))
    for member in mediation.parties:
        if member.consent == Consent.PENDING:
            record_consent(mediation, member.party_id, Consent.AGREED, on=TODAY - timedelta(days=21), actor=user)
    db.session.commit()
    return case


def _section(page: Page, anchor: str):
    return page.locator(f"#{anchor}")


def test_three_party_mediation_to_a_performed_and_an_overdue_term(browser_page: Page, factory, db, screenshot):
    page = browser_page
    mediator = factory.user(Role.MEDIATOR, full_name="刘晓燕")
    zhou, sun = _registry(db)
    case = _three_party_mediation(db, factory, mediator)
    sign_in(page, mediator)
    page.goto(f"/cases/{case.id}/mediation")
    expect(page.get_by_test_id("mediation-status")).to_have_text("调解中")

    # Two mediators from two organisations.
    for name in ("周文静", "孙立新"):
        people = _section(page, "people")
        people.locator("select[name=mediator_id]").select_option(label=f"{name}（{'湖北省知识产权纠纷人民调解委员会' if name == '周文静' else '湖北省专利保护协会'}）")
        people.get_by_role("button", name="指派调解员").click()
        expect(flash(page)).to_contain_text("已指派调解员")
    expect(_section(page, "people")).to_contain_text("湖北省知识产权纠纷人民调解委员会")
    expect(_section(page, "people")).to_contain_text("湖北省专利保护协会")

    # Two sessions, each recorded with attendance, minutes and a proposal.
    for days_ago, place in ((20, "第一调解室"), (15, "第二调解室")):
        sessions = _section(page, "sessions")
        when = datetime.combine(TODAY - timedelta(days=days_ago), time(9, 30)).strftime("%Y-%m-%dT%H:%M")
        sessions.locator("input[name=scheduled_at]").fill(when)
        sessions.locator("input[name=place]").fill(place)
        sessions.get_by_role("button", name="安排调解会议").click()
        expect(flash(page)).to_contain_text("已安排调解会议")
        record = _section(page, "sessions").locator("form").filter(has=page.locator("textarea[name=minutes]")).first
        record.locator("textarea[name=minutes]").fill(f"{place}：各方陈述意见。")
        record.locator("textarea[name=proposal]").fill("被申请人分别支付赔偿款")
        record.locator("select[name^=position_]").first.select_option("accept")
        record.get_by_role("button", name="保存会议记录").click()
        expect(flash(page)).to_contain_text("已记录调解会议")
    expect(_section(page, "sessions").locator(".badge", has_text="已召开")).to_have_count(2)

    # The agreement: two payment terms.
    page.get_by_role("link", name="拟定调解协议").click()
    page.fill("textarea[name=text]", "经调解，各方自愿达成如下协议。")
    page.fill("input[name=concluded_on]", (TODAY - timedelta(days=12)).isoformat())
    terms = [("长沙湘江机械制造有限公司", "50000", TODAY - timedelta(days=5)),
             ("南昌洪都电子科技有限公司", "12500.50", TODAY - timedelta(days=2))]
    for index, (debtor, amount, due) in enumerate(terms):
        if index:
            page.get_by_role("button", name="添加条款").click()
        row = f"terms-{index}"
        page.select_option(f"select[name={row}-debtor_id]", label=f"被申请人 {debtor}")
        page.select_option(f"select[name={row}-creditor_id]", label="申请人 武汉光谷激光科技有限公司")
        page.select_option(f"select[name={row}-kind]", "money")
        page.fill(f"input[name={row}-amount]", amount)
        page.fill(f"input[name={row}-due_on]", due.isoformat())
    page.get_by_role("button", name="保存协议，交各方签署").click()
    expect(flash(page)).to_contain_text("调解协议已拟定")

    # Everyone signs: three parties and two mediators.
    for _ in range(5):
        agreement = _section(page, "agreement")
        agreement.get_by_role("button", name="记录签署").click()
        expect(flash(page)).to_contain_text("已记录签署")
    expect(flash(page)).to_contain_text("调解协议已生效")
    expect(page.get_by_test_id("mediation-status")).to_have_text("已达成协议")

    # The first term is paid; the second stays overdue.
    terms_table = page.get_by_test_id("terms")
    first = terms_table.locator("tbody tr").nth(0)
    first.locator("input[name=proof]").fill("银行转账回单")
    first.get_by_role("button", name="已履行").click()
    expect(flash(page)).to_contain_text("已登记履行情况")
    rows = page.get_by_test_id("terms").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("已履行")
    expect(rows.nth(0)).to_contain_text("50,000.00 元")
    expect(rows.nth(1)).to_contain_text("逾期未履行")
    screenshot(page, "mediation-three-parties")

    page.goto(f"/cases/{case.id}")
    expect(page.locator("h1 .badge")).to_have_text("已达成协议")


def test_mediation_inside_an_adjudication_fails_and_the_case_goes_on(browser_page: Page, factory, db, screenshot):
    from casesys.adjudication.services import approve, request_action
    from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action

    page = browser_page
    office = factory.office()
    officer = factory.user(Role.OFFICER, office=office, full_name="陈办案")
    chief = factory.user(Role.SUPERVISOR, office=office)
    case = factory.case(officer, received_on=TODAY - timedelta(days=10))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer), actor=chief)
    db.session.commit()
    sign_in(page, officer)
    page.goto(f"/cases/{case.id}")
    page.get_by_role("link", name="调解", exact=True).click()
    page.get_by_role("button", name="开始调解").click()
    expect(flash(page)).to_contain_text("已启动调解")
    expect(page.get_by_test_id("mediation-status")).to_have_text("待对方同意")
    consent = _section(page, "consent")
    consent.locator("select[name=consent]").select_option("agreed")
    consent.get_by_role("button", name="登记意愿").click()
    expect(page.get_by_test_id("mediation-status")).to_have_text("调解中")

    page.fill("textarea[name=reason]", "双方对赔偿数额分歧较大")
    page.get_by_role("button", name="终止调解").click()
    expect(page.get_by_test_id("mediation-status")).to_have_text("调解不成")
    screenshot(page, "mediation-failed-inside-adjudication")

    page.goto(f"/cases/{case.id}")
    expect(page.locator("h1 .badge")).to_have_text("已受理")  # back to the adjudication, as it was
    expect(page.locator(".timeline")).to_contain_text("继续行政裁决程序")
    expect(page.get_by_test_id("actions")).to_contain_text("送达请求书副本")

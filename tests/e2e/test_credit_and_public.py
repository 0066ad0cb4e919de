"""Credit supervision and the public site in the browser (SPEC §7): a
supervisor confirms a credit record and the party is told; once the
objection period passes, the record is on the public site. A supervisor
publishes a ruling that an anonymous visitor finds by searching, then
withdraws it, and its address answers 410."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from casesys.core import clock
from casesys.credit.services import scan_candidates
from casesys.documents.services import approve_document, create_draft, submit
from casesys.domain.enums import PartyRole
from tests.e2e.test_procedure import flash, sign_in


def test_confirmed_record_is_public_after_the_objection_period(browser_page: Page, new_page, db, factory, team,
                                                                 screenshot):
    officer, chief = team["officer"], team["chief"]
    earlier, current = factory.case(officer), factory.case(officer)
    current.parties_in(PartyRole.RESPONDENT)[0].credit_code = earlier.parties_in(PartyRole.RESPONDENT)[0].credit_code
    earlier.decision_outcome, earlier.decided_on = "infringement", clock.today() - timedelta(days=300)
    current.decision_outcome, current.decided_on = "infringement", clock.today() - timedelta(days=5)
    db.session.commit()
    [record] = scan_candidates()
    db.session.commit()

    page = sign_in(browser_page, chief)
    page.goto("/credit")
    page.get_by_test_id("credit-row").get_by_role("link", name="办理").click()
    expect(page.get_by_test_id("credit-state")).to_have_text("待审核")
    page.get_by_role("button", name="认定", exact=True).click()  # without a basis: refused at the field
    expect(page.locator(".invalid-feedback")).to_contain_text("认定须写明依据")
    page.fill("textarea[name='confirm-basis']", "《湖北省知识产权保护和促进条例》关于信用监管的规定")
    page.get_by_role("button", name="认定", exact=True).click()
    expect(flash(page)).to_contain_text("已认定")
    expect(page.get_by_test_id("credit-state")).to_have_text("已认定（待告知）")

    notice = create_draft(current, "credit_notice", actor=officer)  # 告知书: drafted, signed (tested in documents)
    submit(notice, actor=officer)
    approve_document(notice, actor=team["chief2"], today=clock.today())
    db.session.commit()
    page.reload()
    page.get_by_role("button", name="告知当事人").click()
    expect(flash(page)).to_contain_text("已告知当事人")
    due = page.get_by_test_id("objection-due").inner_text()
    screenshot(page, "credit-notified")

    visitor = new_page()
    visitor.goto("/public/?kind=dishonesty")
    expect(visitor.get_by_test_id("dishonesty-list")).not_to_contain_text("长沙湘江机械制造有限公司")
    db.session.refresh(record)
    assert due == record.objection_due_on.isoformat()
    with clock.frozen(record.objection_due_on + timedelta(days=1)):
        visitor.reload()
        visitor.get_by_test_id("dishonesty").get_by_role("link", name="长沙湘江机械制造有限公司").click()
        expect(visitor.locator("h1")).to_contain_text("重复侵权")
        expect(visitor.locator("body")).to_contain_text(current.number)
        screenshot(visitor, "public-dishonesty")


def test_published_ruling_is_found_by_an_anonymous_visitor_and_withdrawn(browser_page: Page, new_page, db,
                                                                         decided_case, team, screenshot):
    document = create_draft(decided_case, "ruling", actor=team["officer"])
    document.texts = {**document.texts, "answer": "被请求人未在答辩期内提交答辩书。",
                      "reasons": "被诉侵权产品落入涉案专利权的保护范围。"}
    submit(document, actor=team["officer"])
    approve_document(document, actor=team["chief2"])
    db.session.commit()

    chief = sign_in(browser_page, team["chief"])
    chief.goto("/publishing")
    chief.get_by_test_id("publishable-ruling").filter(has_text=document.number).get_by_role("button", name="公开").click()
    expect(flash(chief)).to_contain_text("已公开")
    expect(chief.get_by_test_id("publication-state")).to_have_text("已公开")

    visitor = new_page()
    visitor.goto("/public/")
    visitor.fill("input[name=q]", "长沙湘江")
    visitor.get_by_role("button", name="检索").click()
    visitor.get_by_test_id("publication").get_by_role("link").first.click()
    expect(visitor.locator("article")).to_contain_text(document.number)
    expect(visitor.locator("article")).to_contain_text("张某某")
    expect(visitor.locator("body")).not_to_contain_text("张三丰")
    expect(visitor.locator("body")).not_to_contain_text("13912345678")
    pdf = visitor.request.get(visitor.get_by_role("link", name="下载PDF（公开版）").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    ruling_url = visitor.url
    screenshot(visitor, "public-ruling")

    chief.fill("input[name=reason]", "裁决书有误，撤回后更正")
    chief.get_by_role("button", name="撤回公开").click()
    expect(flash(chief)).to_contain_text("已撤回")
    response = visitor.goto(ruling_url)
    assert response.status == 410
    expect(visitor.locator("h1")).to_contain_text("该内容已撤回")
    visitor.goto("/public/?q=长沙湘江")
    expect(visitor.get_by_test_id("publications")).to_contain_text("共 0 件")

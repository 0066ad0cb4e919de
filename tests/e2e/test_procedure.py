"""The procedure in the browser, as officer and supervisor at their own desks
(two browser contexts): a simplified case from the request to the ruling and
closing; an ordinary case with a panel of three, a suspension and one
extension (a second one is refused); a hearing scheduled on too short notice;
a supervisor who cannot approve their own request.

Approvals are dated by the server's `clock.today()` and recorded dates may be
neither in the future nor before the step they follow, so the cases are
received 20 days ago and, being accepted today, every later step is dated today.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from casesys.core import clock
from casesys.domain.enums import Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, Action
from tests.e2e.test_register_and_find import login

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- helpers -----------------------------------------------------------------

def sign_in(page: Page, user) -> Page:
    login(page, user.username)
    expect(page.get_by_test_id("user-menu")).to_contain_text(user.full_name)
    return page


def open_case(page: Page, case_id: int) -> None:
    page.goto(f"/cases/{case_id}")
    expect(page.locator("#procedure")).to_be_visible()


def state_badge(page: Page):
    return page.locator("h1 .badge")


def flash(page: Page, kind: str = "success"):
    return page.locator(f".alert-{kind}")


def open_step(page: Page, label: str) -> None:
    """Click the procedure panel's button `label` and land on its form."""
    buttons = page.locator("[data-testid=actions], [data-testid=other-actions]")
    buttons.get_by_role("link", name=label, exact=True).click()
    expect(page.locator("#step-form")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(label)


def submit_step(page: Page, *, approval: bool = False) -> None:
    page.locator("#step-form").get_by_role("button", name="提交审批" if approval else "确认").click()


def do_step(page: Page, label: str, **fields: str) -> None:
    """A step that takes effect at once: fill `fields` (name → value), confirm."""
    open_step(page, label)
    for name, value in fields.items():
        page.fill(f'#step-form [name="{name}"]', value)
    submit_step(page)
    expect(flash(page)).to_contain_text(f"已完成：{label}。")


def request_step(page: Page, label: str, **fields: str) -> None:
    """A step that needs approval: fill, submit; the case then waits for the supervisor."""
    open_step(page, label)
    expect(page.get_by_text("此事项须经负责人审批后生效。")).to_be_visible()
    for name, value in fields.items():
        page.fill(f'#step-form [name="{name}"]', value)
    submit_step(page, approval=True)
    expect_pending(page, label)


def expect_pending(page: Page, label: str) -> None:
    expect(flash(page)).to_contain_text(f"“{label}”已提交负责人审批。")
    expect(page.get_by_test_id("pending-approval")).to_contain_text(f"待负责人审批：{label}")
    expect(page.get_by_test_id("actions")).to_have_count(0)  # nothing else until it is decided


def screen_for_acceptance(page: Page, procedure: str) -> None:
    """受理审查: all conditions met (the simplified checklist too when `procedure`
    is 'simplified'), the procedure chosen, acceptance requested."""
    open_step(page, "受理审查")
    for key in ACCEPTANCE_CONDITIONS:
        page.check(f'[name="c_{key}"]')
    if procedure == "simplified":
        for key in SIMPLIFIED_CONDITIONS:
            page.check(f'[name="c_{key}"]')
    page.select_option('select[name="procedure"]', procedure)
    page.get_by_role("button", name="提请受理").click()
    expect_pending(page, "受理")


def approval_item(page: Page, case_number: str, label: str):
    return (page.locator('[data-testid^="approval-"]')
            .filter(has=page.get_by_role("link", name=case_number, exact=True))
            .filter(has=page.locator("strong", has_text=re.compile(f"^{re.escape(label)}$"))))


def approve_as(chief_page: Page, case_number: str, label: str, summary: str | None = None) -> None:
    """The supervisor opens 审批, finds the request and approves it."""
    chief_page.goto("/approvals")
    item = approval_item(chief_page, case_number, label)
    expect(item).to_have_count(1)
    if summary:
        expect(item).to_contain_text(summary)
    item.get_by_role("button", name="批准").click()
    expect(flash(chief_page)).to_contain_text(f"已批准：{case_number} {label}")
    expect(approval_item(chief_page, case_number, label)).to_have_count(0)


def deadline_row(page: Page, label: str):
    return (page.get_by_test_id("deadlines").locator("tbody tr")
            .filter(has=page.get_by_role("cell", name=label, exact=True)))


def due_date(page: Page, label: str) -> date:
    text = deadline_row(page, label).locator("td").nth(1).inner_text()
    return date.fromisoformat(ISO_DATE.search(text).group(0))


def timeline(page: Page) -> list[str]:
    """The kinds of the timeline's entries, oldest first."""
    return list(reversed(page.locator(".timeline > li > div:nth-child(2)").all_inner_texts()))


def team(factory):
    """An office with three officers and a supervisor."""
    office = factory.office()
    officer = factory.user(Role.OFFICER, office=office, full_name="王芳")
    officer2 = factory.user(Role.OFFICER, office=office, full_name="李强")
    officer3 = factory.user(Role.OFFICER, office=office, full_name="赵敏")
    chief = factory.user(Role.SUPERVISOR, office=office, full_name="刘建国")
    return officer, officer2, officer3, chief


def received_case(factory, db, officer) -> tuple[int, str]:
    """A case received 20 days ago, registered by `officer`; (id, number)."""
    case = factory.case(officer, received_on=clock.today() - timedelta(days=20))
    case_id, number = case.id, case.number
    db.session.rollback()  # hold no SQLite transaction while the server works
    return case_id, number


# --- tests -------------------------------------------------------------------

def test_simplified_case_from_request_to_closing(browser_page: Page, new_page, factory, db, screenshot):
    officer, _, _, chief = team(factory)
    case_id, number = received_case(factory, db, officer)
    today = clock.today().isoformat()
    page = sign_in(browser_page, officer)
    chief_page = sign_in(new_page(), chief)

    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("已收到请求")
    screen_for_acceptance(page, "simplified")

    chief_page.goto("/approvals")
    screenshot(chief_page, "approvals-pending")
    approve_as(chief_page, number, "受理", summary="适用简易程序")
    screenshot(chief_page, "approvals-after-approving")

    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("已受理")
    expect(page.get_by_test_id("pending-approval")).to_have_count(0)
    expect(page.locator("#procedure .card-header")).to_contain_text("简易程序")
    expect(deadline_row(page, "结案期限")).to_be_visible()
    assert due_date(page, "结案期限") >= clock.today() + timedelta(days=30)  # later if it falls on a holiday
    # received 20 days ago: accepted today, so the office was late — and the page says so
    expect(deadline_row(page, "决定是否受理")).to_contain_text(f"逾期完成 {today}")
    expect(deadline_row(page, "送达请求书副本")).to_be_visible()
    screenshot(page, "simplified-accepted-case-page")

    # SPEC §4: one handler — no panel to form, nothing called 合议
    expect(page.locator("#procedure").get_by_role("link", name="组成合议组")).to_have_count(0)
    expect(page.locator("#procedure")).to_contain_text("独任审理")

    do_step(page, "送达请求书副本", served_on=today)
    expect(state_badge(page)).to_have_text("答辩期")
    do_step(page, "登记答辩", answer_received_on=today)
    do_step(page, "审理终结，拟作裁决")
    expect(state_badge(page)).to_have_text("审理终结")

    open_step(page, "作出裁决")
    page.select_option('select[name="outcome"]', label="裁决侵权成立")
    page.fill('[name="decision_text"]', "责令被请求人立即停止制造、销售侵犯 ZL 专利权的激光切割头产品。")
    submit_step(page, approval=True)
    expect_pending(page, "作出裁决")

    chief_page.goto("/todo")
    screenshot(chief_page, "todo-supervisor")
    approve_as(chief_page, number, "作出裁决", summary="裁决侵权成立")

    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("已作出决定")
    do_step(page, "送达裁决书", decision_served_on=today)
    expect(state_badge(page)).to_have_text("决定已送达")
    do_step(page, "结案")

    expect(state_badge(page)).to_have_text("已结案")
    expect(page.get_by_test_id("actions")).to_have_count(0)
    expect(page.locator(".case-facts")).to_contain_text(f"结案日期{today}")
    steps = timeline(page)
    expected = ["登记收案", "提请审批", "受理", "送达请求书", "提交答辩", "合议",
                "提请审批", "作出决定", "送达决定", "结案"]
    remaining = iter(steps)  # in this order; other entries (documents, say) may come between
    assert all(kind in remaining for kind in expected), steps
    expect(page.locator(".timeline")).to_contain_text("经负责人批准，作出裁决：裁决侵权成立")
    screenshot(page, "simplified-closed-case-page")


def test_ordinary_case_with_suspension_and_extension(browser_page: Page, new_page, factory, db, screenshot):
    officer, _officer2, _officer3, chief = team(factory)  # the panel: 王芳, 李强, 赵敏
    case_id, number = received_case(factory, db, officer)
    today = clock.today().isoformat()
    page = sign_in(browser_page, officer)
    chief_page = sign_in(new_page(), chief)

    open_case(page, case_id)
    screen_for_acceptance(page, "ordinary")
    approve_as(chief_page, number, "受理", summary="适用普通程序")

    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("已受理")
    expect(page.locator("#procedure .card-header")).to_contain_text("普通程序")

    open_step(page, "组成合议组")
    # Plain clicks on checkboxes, no Ctrl (issue 16.17): the handler is ticked already.
    expect(page.locator('select[name="members"]')).to_have_count(0)
    members = page.get_by_role("group", name="合议组成员")
    expect(members.get_by_label("王芳")).to_be_checked()
    members.get_by_label("李强").click()
    members.get_by_label("赵敏").click()
    members.get_by_label("赵敏").click()  # a second click takes a member out again
    expect(members.get_by_label("赵敏")).not_to_be_checked()
    submit_step(page)
    members = page.get_by_role("group", name="合议组成员")
    expect(members.locator(".invalid-feedback")).to_have_text("合议组应由三名以上单数办案人员组成")  # at the field
    expect(members.get_by_label("李强")).to_be_checked()  # what was ticked stays ticked
    members.get_by_label("赵敏").check()
    screenshot(page, "panel-picker")
    page.select_option('select[name="presiding"]', label="王芳")
    submit_step(page)
    expect(flash(page)).to_contain_text("已完成：组成合议组。")
    expect(page.locator("#procedure")).to_contain_text("合议组")
    for name in ("王芳（组长）", "李强", "赵敏"):
        expect(page.locator("#procedure")).to_contain_text(name)

    do_step(page, "送达请求书副本", served_on=today)
    expect(state_badge(page)).to_have_text("答辩期")

    # Suspension: the respondent has asked for the patent to be invalidated.
    request_step(page, "中止审理", reason="被请求人已向国家知识产权局请求宣告涉案专利权无效",
                 reference="4W118866", started_on=today)
    approve_as(chief_page, number, "中止审理", summary="4W118866")
    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("中止")
    expect(deadline_row(page, "结案期限")).to_contain_text("中止中")
    expect(page.locator("#procedure")).to_contain_text(f"中止：{today} 至 今")
    screenshot(page, "ordinary-suspended-case-page")

    do_step(page, "恢复审理", ended_on=today, reason="国家知识产权局作出维持专利权有效的审查决定")
    expect(state_badge(page)).to_have_text("答辩期")
    expect(deadline_row(page, "结案期限")).not_to_contain_text("中止中")
    expect(page.locator("#procedure")).to_contain_text(f"中止：{today} 至 {today}")

    # One extension, approved: the closing limit moves later.
    before = due_date(page, "结案期限")
    request_step(page, "延长审理期限", reason="案情复杂，需进行技术比对")
    approve_as(chief_page, number, "延长审理期限", summary="案情复杂")
    open_case(page, case_id)
    after = due_date(page, "结案期限")
    assert after > before, (before, after)
    expect(page.locator("#procedure .card-header")).to_contain_text("已延期")
    screenshot(page, "ordinary-extended-case-page")

    # A second extension is no longer offered; asked for anyway, it is refused, the reason kept.
    expect(page.locator("#procedure").get_by_role("link", name="延长审理期限", exact=True)).to_have_count(0)
    page.goto(f"/cases/{case_id}/steps/extend")
    page.fill('[name="reason"]', "仍需补充鉴定")
    submit_step(page, approval=True)
    expect(flash(page, "danger")).to_contain_text("审理期限只能延长一次")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}/steps/extend$"))
    expect(page.locator('[name="reason"]')).to_have_value("仍需补充鉴定")
    open_case(page, case_id)
    expect(page.get_by_test_id("pending-approval")).to_have_count(0)
    assert due_date(page, "结案期限") == after

    page.goto("/todo")
    expect(page.get_by_test_id("todo").locator("tbody tr").filter(has_text=number).first).to_be_visible()
    screenshot(page, "todo-officer")


def test_hearing_on_too_short_notice_is_refused_and_input_kept(browser_page: Page, factory, db, screenshot):
    from casesys.adjudication.services import approve, request_action

    officer, _, _, chief = team(factory)
    case = factory.case(officer, received_on=clock.today() - timedelta(days=20))
    conditions = {key: True for key in {**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}}
    acceptance = request_action(case, Action.ACCEPT, {"procedure": "simplified", "conditions": conditions,
                                                      "short_answer_agreed": False, "reason": ""}, actor=officer)
    approve(acceptance, actor=chief)
    request_action(case, Action.SERVE, {"served_on": clock.today().isoformat()}, actor=officer)
    # answered at once: the answer period (issue 9.5) does not stand in the way of the hearing
    request_action(case, Action.RECORD_ANSWER, {"answer_received_on": clock.today().isoformat()}, actor=officer)
    db.session.commit()
    case_id = case.id
    db.session.rollback()

    page = sign_in(browser_page, officer)
    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("答辩期")
    open_step(page, "安排口头审理")
    tomorrow = f"{clock.today() + timedelta(days=1):%Y-%m-%d}T09:30"
    place = "武汉市知识产权局第一审理庭"
    page.fill('[name="scheduled_at"]', tomorrow)
    page.fill('[name="place"]', place)
    page.fill('[name="notice_served_on"]', clock.today().isoformat())
    submit_step(page)

    # refused at the field, the input kept
    expect(page.locator("#step-form .invalid-feedback")).to_contain_text("口头审理通知应至少提前")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}/steps/schedule_hearing$"))
    expect(page.locator('[name="place"]')).to_have_value(place)
    expect(page.locator('[name="scheduled_at"]')).to_have_value(tomorrow)
    screenshot(page, "hearing-short-notice")

    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("答辩期")
    expect(page.locator("#procedure")).not_to_contain_text(place)


def test_supervisor_cannot_approve_own_request(browser_page: Page, new_page, factory, db, screenshot):
    officer, _, _, chief = team(factory)
    deputy = factory.user(Role.SUPERVISOR, office=chief.office, full_name="孙丽")
    case_id, number = received_case(factory, db, officer)

    page = sign_in(browser_page, chief)
    open_case(page, case_id)
    screen_for_acceptance(page, "ordinary")

    page.goto("/approvals")
    item = approval_item(page, number, "受理")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("申请人 刘建国")
    expect(item).to_contain_text("本人提出的申请，须由其他负责人审批")
    expect(item.get_by_role("button", name="批准")).to_have_count(0)
    expect(item.get_by_role("button", name="退回")).to_have_count(0)
    screenshot(page, "approvals-own-request")

    # Another supervisor of the office can.
    deputy_page = sign_in(new_page(), deputy)
    approve_as(deputy_page, number, "受理")
    open_case(page, case_id)
    expect(state_badge(page)).to_have_text("已受理")

"""The officer's day in the browser: log in, register an adjudication request
with two respondents and a patent, find it by a bracket variant of its
number, log out. A wrong password shows the message; another office's case
is refused; a bad credit code is shown on the field and nothing typed is lost.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from casesys.domain.codes import CREDIT_ALPHABET
from casesys.domain.enums import Role
from tests.conftest import TEST_PASSWORD

REGISTER_URL = "/cases/new/adjudication"
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


# --- helpers -----------------------------------------------------------------

def login(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto("/login")
    csrf = page.locator('form input[name="csrf_token"]')
    expect(csrf).not_to_have_value("")  # CSRF is on: the real token travels with the form
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', password)
    page.get_by_role("button", name="登录", exact=True).click()


def fill_party(page: Page, prefix: str, *, name: str, address: str,
               credit_code: str | None = None, id_number: str | None = None) -> None:
    """Fill a party row, e.g. prefix "respondents-1". A resident ID makes it a natural person."""
    if id_number is not None:
        # The ID-number box is shown only once the kind is 自然人.
        page.select_option(f'[name="{prefix}-kind"]', "person")
        page.fill(f'[name="{prefix}-id_number"]', id_number)
    else:
        page.select_option(f'[name="{prefix}-kind"]', "organisation")
        page.fill(f'[name="{prefix}-credit_code"]', credit_code or "")
    page.fill(f'[name="{prefix}-name"]', name)
    page.fill(f'[name="{prefix}-address"]', address)


def fill_patent(page: Page, prefix: str, *, number: str, title: str, patentee: str,
                claims: str, patent_type: str = "invention") -> None:
    page.fill(f'[name="{prefix}-number"]', number)
    page.select_option(f'[name="{prefix}-patent_type"]', patent_type)
    page.fill(f'[name="{prefix}-title"]', title)
    page.fill(f'[name="{prefix}-patentee"]', patentee)
    page.fill(f'[name="{prefix}-claims"]', claims)


def submit_registration(page: Page) -> None:
    # Not get_by_role(name="登记", exact=True): the Bootstrap icon's glyph is part of the accessible name.
    page.locator("#register-form button[type=submit]", has_text="登记").click()


def add_row(page: Page, formset: str) -> None:
    """Click 「添加」 once the page's scripts have run (a click before them adds
    nothing, and the test would fill the last existing row), and see the row come."""
    rows = page.locator(f'[data-formset="{formset}"] .formset-item')
    page.wait_for_load_state("load")
    before = rows.count()
    page.locator(f'[data-add-row="{formset}"]').click()
    expect(rows).to_have_count(before + 1)


def field_error(page: Page, name: str):
    """The message shown under the form field `name`."""
    return page.locator(f'[name="{name}"] ~ .invalid-feedback')


def bad_check_char(code: str) -> str:
    """The same credit code with a different (still well-formed) last character."""
    last = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(code[-1]) + 1) % len(CREDIT_ALPHABET)]
    return code[:-1] + last


def fill_registration(page: Page, case: dict) -> None:
    """Fill the register form with one requester, two respondents and a patent."""
    page.fill('[name="title"]', case["title"])
    page.fill('[name="requests"]', case["requests"])
    fill_party(page, "requesters-0", **case["requester"])
    fill_party(page, "respondents-0", **case["respondent_org"])
    add_row(page, "respondents")
    fill_party(page, "respondents-1", **case["respondent_person"])
    fill_patent(page, "patents-0", **case["patent"])


def case_data(factory) -> dict:
    requester = "武汉光谷激光科技有限公司"
    return {
        "title": "武汉光谷激光科技有限公司诉长沙湘江机械制造有限公司等侵害发明专利权纠纷",
        "requests": "1. 责令被请求人立即停止制造、销售侵权产品；\n2. 销毁库存侵权产品。",
        "requester": {"name": requester, "credit_code": factory.credit_code(),
                      "address": "湖北省武汉市东湖新技术开发区光谷大道1号"},
        "respondent_org": {"name": "长沙湘江机械制造有限公司", "credit_code": factory.credit_code(),
                           "address": "湖南省长沙市岳麓区麓谷大道88号"},
        "respondent_person": {"name": "张伟", "id_number": factory.resident_id(),
                              "address": "江西省南昌市红谷滩区丰和中大道6号"},
        "patent": {"number": factory.patent_number("invention"), "title": "一种激光切割头",
                   "patentee": requester, "claims": "1-3"},
    }


# --- tests -------------------------------------------------------------------

def test_register_find_by_bracket_variant_and_log_out(browser_page: Page, factory, screenshot):
    page = browser_page
    officer = factory.user(Role.OFFICER, full_name="王芳")
    case = case_data(factory)

    login(page, officer.username)
    expect(page.get_by_test_id("user-menu")).to_contain_text("王芳")

    page.get_by_role("link", name="登记裁决请求").click()
    expect(page).to_have_url(re.compile(re.escape(REGISTER_URL) + "$"))
    fill_registration(page, case)
    expect(page.locator('[name="respondents-1-id_number"]')).to_be_visible()
    expect(page.locator('[name="respondents-1-credit_code"]')).to_be_hidden()
    screenshot(page, "register-form-filled")

    submit_registration(page)

    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = re.search(r"/cases/\d+$", page.url).group(0)
    number_box = page.get_by_test_id("case-number")
    expect(number_box).to_have_text(re.compile(r"^\S+字〔\d{4}〕\d+号$"))
    number = number_box.inner_text().strip()
    expect(page.locator(".alert-success")).to_contain_text(number)
    parties = page.locator(".list-group-item")
    expect(parties.filter(has_text=case["requester"]["name"])).to_contain_text("请求人")
    expect(parties.filter(has_text=case["respondent_org"]["name"])).to_contain_text("被请求人")
    expect(parties.filter(has_text=case["respondent_person"]["name"])).to_contain_text("自然人")
    expect(page.get_by_role("cell", name=case["patent"]["number"])).to_be_visible()
    screenshot(page, "case-page")

    # Find it by the number typed with other brackets: 【２０２６】 (full-width year) and [2026].
    year = re.search(r"〔(\d{4})〕", number).group(1)
    variants = [
        number.replace(f"〔{year}〕", f"【{year.translate(FULL_WIDTH_DIGITS)}】"),
        number.replace("〔", "[").replace("〕", "]"),
    ]
    for variant in variants:
        page.locator("#nav").get_by_role("link", name="案件").click()
        page.fill("#q", variant)
        page.get_by_role("button", name="查询").click()
        expect(page.locator("#q")).to_have_value(variant)
        rows = page.locator("table.table-cases tbody tr")
        expect(rows).to_have_count(1)
        link = rows.first.locator("a.case-number")
        expect(link).to_have_text(number)
        expect(link).to_have_attribute("href", case_url)
    link.click()
    expect(page.get_by_test_id("case-number")).to_have_text(number)

    # The user menu opens by Bootstrap's script: wait until the page's scripts have run
    # (the case number is shown before them; under faketime the browser is slower).
    page.wait_for_load_state("load")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("您已退出登录。")).to_be_visible()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)

    page.goto("/cases")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("请先登录。")).to_be_visible()
    expect(page.get_by_text(number)).to_have_count(0)


def test_wrong_password_shows_message(browser_page: Page, factory):
    page = browser_page
    officer = factory.user(Role.OFFICER)

    login(page, officer.username, "not-the-password")

    expect(field_error(page, "password")).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator('[name="username"]')).to_have_value(officer.username)
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_other_offices_case_is_refused(browser_page: Page, factory, db):
    page = browser_page
    officer = factory.user(Role.OFFICER)
    other_officer = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保"))
    other = factory.case(other_officer, requester="株洲动力电池有限公司",
                         respondents=("岳阳洞庭精密机械有限公司",))
    other_id, other_number = other.id, other.number
    db.session.rollback()  # hold no SQLite transaction while the server works

    login(page, officer.username)
    expect(page.get_by_test_id("user-menu")).to_be_visible()

    response = page.goto(f"/cases/{other_id}")  # not found, like a case that does not exist (issue 11, 11a)
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    body = page.locator("body")
    for secret in (other_number, "株洲动力电池有限公司", "岳阳洞庭精密机械有限公司"):
        expect(body).not_to_contain_text(secret)

    # Nor does the register list or its search reveal it.
    page.goto("/cases")
    page.fill("#q", other_number)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有符合条件的案件。")).to_be_visible()
    expect(body).not_to_contain_text("株洲动力电池有限公司")


def test_bad_credit_code_is_shown_and_input_kept(browser_page: Page, factory, screenshot):
    page = browser_page
    officer = factory.user(Role.OFFICER)
    case = case_data(factory)
    good_code = case["requester"]["credit_code"]
    bad_code = case["requester"]["credit_code"] = bad_check_char(good_code)

    login(page, officer.username)
    page.goto(REGISTER_URL)
    fill_registration(page, case)
    submit_registration(page)

    expect(page).to_have_url(re.compile(re.escape(REGISTER_URL) + "$"))
    expect(page.locator(".alert-danger").first).to_contain_text("表单中有需要更正的内容")
    code_box = page.locator('[name="requesters-0-credit_code"]')
    expect(code_box).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(field_error(page, "requesters-0-credit_code")).to_be_visible()
    expect(field_error(page, "requesters-0-credit_code")).to_have_text("统一社会信用代码校验位错误")
    screenshot(page, "register-form-errors")

    # Everything typed is still there, the added natural-person row included.
    expect(code_box).to_have_value(bad_code)
    expect(page.locator('[name="title"]')).to_have_value(case["title"])
    expect(page.locator('[name="requests"]')).to_have_value(case["requests"])
    expect(page.locator('[name="requesters-0-name"]')).to_have_value(case["requester"]["name"])
    expect(page.locator('[name="respondents-0-name"]')).to_have_value(case["respondent_org"]["name"])
    expect(page.locator('[name="respondents-1-name"]')).to_have_value(case["respondent_person"]["name"])
    expect(page.locator('[name="respondents-1-kind"]')).to_have_value("person")
    expect(page.locator('[name="respondents-1-id_number"]')).to_be_visible()
    expect(page.locator('[name="respondents-1-id_number"]')).to_have_value(case["respondent_person"]["id_number"])
    expect(page.locator('[name="patents-0-number"]')).to_have_value(case["patent"]["number"])
    expect(page.locator('.is-invalid')).to_have_count(1)

    # Correcting the code registers the case.
    code_box.fill(good_code)
    submit_registration(page)
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    expect(page.locator(".list-group-item").filter(has_text=case["requester"]["name"])).to_contain_text(good_code)

import re
from playwright.sync_api import expect
from casesys.domain.enums import Role
from tests.e2e.test_register_and_find import login, fill_party, fill_patent, add_row, submit_registration, bad_check_char, case_data, fill_registration

def test_probe(browser_page, factory):
    page = browser_page
    officer = factory.user(Role.OFFICER)
    case = case_data(factory)
    good = case["requester"]["credit_code"]
    case["requester"]["credit_code"] = bad_check_char(good)
    login(page, officer.username)
    page.goto("/cases/new/adjudication")
    fill_registration(page, case)           # respondents-0, respondents-1 (person)
    add_row(page, "respondents")            # respondents-2 left blank
    add_row(page, "respondents")            # respondents-3 filled
    fill_party(page, "respondents-3", name="第三个被请求人有限公司", address="某地", credit_code=factory.credit_code())
    submit_registration(page)
    expect(page.locator(".alert-danger").first).to_be_visible()
    print("after error:", page.eval_on_selector_all('[data-formset="respondents"] [data-index]', "els => els.map(e => e.dataset.index + ':' + e.querySelector('[name$=-name]').name)"))
    add_row(page, "respondents")
    print("after add:", page.eval_on_selector_all('[data-formset="respondents"] [data-index]', "els => els.map(e => e.dataset.index + ':' + e.querySelector('[name$=-name]').name)"))
    rows = page.locator('[data-formset="respondents"] .party-row')
    last = rows.last
    last.locator('[name$="-name"]').fill("新加的被请求人")
    last.locator('[name$="-address"]').fill("新地址")
    last.locator('[name$="-credit_code"]').fill(factory.credit_code())
    page.fill('[name="requesters-0-credit_code"]', good)
    submit_registration(page)
    print("url:", page.url)
    print(page.locator(".list-group-item").all_inner_texts())
    print(page.locator(".alert").all_inner_texts())

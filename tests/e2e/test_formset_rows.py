"""Rows added in the browser after the form came back with errors."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from casesys.domain.enums import Role
from tests.e2e.test_register_and_find import (
    add_row,
    bad_check_char,
    case_data,
    fill_party,
    fill_registration,
    login,
    submit_registration,
)


def test_row_added_after_errors_is_registered(browser_page: Page, factory):
    page = browser_page
    officer = factory.user(Role.OFFICER)
    case = case_data(factory)
    good_code = case["requester"]["credit_code"]
    case["requester"]["credit_code"] = bad_check_char(good_code)

    login(page, officer.username)
    page.goto("/cases/new/adjudication")
    fill_registration(page, case)                 # respondents-0 and respondents-1
    add_row(page, "respondents")                  # respondents-2, left blank (dropped on submit)
    add_row(page, "respondents")                  # respondents-3
    fill_party(page, "respondents-3", name="九江长江电子有限公司", address="江西省九江市濂溪区1号",
               credit_code=factory.credit_code())
    submit_registration(page)
    expect(page.locator('[name="requesters-0-credit_code"]')).to_have_class(re.compile(r"\bis-invalid\b"))

    add_row(page, "respondents")                  # one more, after the form came back
    new_row = page.locator('[data-formset="respondents"] .party-row').last
    new_row.locator('[name$="-name"]').fill("景德镇瓷都陶瓷有限公司")
    new_row.locator('[name$="-credit_code"]').fill(factory.credit_code())
    new_row.locator('[name$="-address"]').fill("江西省景德镇市珠山区2号")
    page.fill('[name="requesters-0-credit_code"]', good_code)
    submit_registration(page)

    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    names = page.locator(".list-group-item strong").all_inner_texts()
    assert "九江长江电子有限公司" in names
    assert "景德镇瓷都陶瓷有限公司" in names, f"the row added after the errors was lost: {names}"

"""Documents in the browser (SPEC §8): the officer drafts a ruling and
previews it, the supervisor signs it, anyone can verify it online, the
service is recorded and the supervisor prints a batch."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_procedure import flash, sign_in


def test_draft_sign_verify_serve_and_batch(browser_page: Page, new_page, factory, db, decided_case, team, screenshot,
                                          job_worker):
    page = browser_page
    case = decided_case
    sign_in(page, team["officer"])
    page.goto(f"/cases/{case.id}")
    page.get_by_role("link", name="文书", exact=True).click()
    page.locator("li", has_text="行政裁决书").get_by_role("button", name="起草").click()
    expect(page.locator("h1")).to_contain_text("行政裁决书")
    page.fill("textarea[name=facts]", "经审理查明：被请求人在其网店销售被诉侵权产品。")
    page.fill("textarea[name=reasons]", "被诉侵权产品落入涉案专利权利要求的保护范围。")
    page.get_by_role("button", name="保存并提交签发").click()  # the answer is still empty
    expect(page.locator("textarea[name=answer] + .invalid-feedback")).to_contain_text("未在答辩期内提交答辩书")
    page.fill("textarea[name=answer]", "被请求人未在答辩期内提交答辩书。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(flash(page)).to_contain_text("文书内容已保存")
    preview = page.request.get(page.url + "/pdf")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    page.get_by_role("button", name="保存并提交签发").click()
    expect(flash(page)).to_contain_text("已提交负责人签发")
    document_url = page.url

    chief = sign_in(new_page(), team["chief"])
    chief.goto("/approvals")
    expect(chief.get_by_test_id("waiting-approvals")).to_have_text(re.compile(r"\d+"))
    chief.get_by_role("link", name="审阅并签发").click()
    chief.get_by_role("button", name="批准签发").click()
    expect(flash(chief)).to_contain_text("已签发，文书编号")
    number = chief.locator("h1 .badge").inner_text().replace("已签发", "").strip()
    screenshot(chief, "document-signed")

    verify = chief.locator("a[href*=\"/verify/\"]")
    verify_href = verify.get_attribute("href")
    public = new_page()
    public.goto(verify_href)
    expect(public.locator("body")).to_contain_text("真实有效")
    expect(public.locator("body")).to_contain_text(number)
    expect(public.locator("body")).not_to_contain_text("武汉光谷激光科技有限公司")

    page.goto(document_url)
    services = page.locator("#services")
    services.locator("select[name=method]").select_option("post")
    services.locator("input[name=received_on]").fill(services.locator("input[name=sent_on]").input_value())
    services.get_by_role("button", name="登记送达").click()
    expect(flash(page)).to_contain_text("送达情况已登记")
    expect(page.locator("#services")).to_contain_text("邮寄送达")
    receipt = page.request.get(page.locator("#services").get_by_role("link", name="送达回证").get_attribute("href"))
    assert receipt.ok and receipt.body().startswith(b"%PDF")

    chief.goto("/documents/batch")
    expect(chief.locator("table")).to_contain_text(number)
    chief.get_by_role("button", name="合并为一个PDF").click()
    expect(chief.get_by_role("link", name="下载合并的PDF")).to_be_visible(timeout=30000)
    chief.reload()  # the job's state is kept on the server
    expect(chief.get_by_role("link", name="下载合并的PDF")).to_be_visible()
    screenshot(chief, "batch-finished")

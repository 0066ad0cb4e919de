"""Referrals in the browser, between two real instances (SPEC §6): a Hubei
officer sends an evidence-help request with an attachment to Jiangxi; a
Jiangxi officer (second instance) receives, accepts and replies with an
attachment; Hubei sees the reply and the deadline met.

With REFERRAL_SHOTS=<folder> the inbox, outbox and referral pages are saved
there (docs/ holds the copies shown in the README)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.instances import PASSWORD, pair, running

PDF = b"%PDF-1.4\n% e2e referral\n"


@pytest.fixture
def two_instances(tmp_path):
    hubei, jiangxi = pair(tmp_path)
    with running(hubei, jiangxi):
        yield hubei, jiangxi
    hubei.dispose()
    jiangxi.dispose()


def _page(browser, base_url: str) -> Page:
    context = browser.new_context(locale="zh-CN", base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("REFERRAL_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _reload_until(page: Page, locator, text: str, tries: int = 60) -> None:
    """The other instance's answer arrives through its worker: reload until it shows."""
    for _ in range(tries):
        if text in (locator.inner_text() if locator.count() else ""):
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(locator).to_contain_text(text)


def test_evidence_help_between_hubei_and_jiangxi(e2e_browser, two_instances, tmp_path):
    hubei, jiangxi = two_instances
    request_file = tmp_path / "调查事项清单.pdf"
    request_file.write_bytes(PDF + b"request")
    reply_file = tmp_path / "询问笔录.pdf"
    reply_file.write_bytes(PDF + b"reply")

    hb = _page(e2e_browser, hubei.url)
    _sign_in(hb, "hb_officer")
    hb.get_by_role("link", name="协作").click()
    hb.get_by_role("link", name="新建协作事项").click()
    hb.select_option('[name="kind"]', "investigation_help")
    hb.select_option('[name="receiver_id"]', label="江西省知识产权局（江西）")
    hb.fill('[name="subject"]', "请求协助调取九江某公司证据")
    hb.fill('[name="body"]', "请协助询问九江某贸易有限公司负责人，并调取其进货单据。")
    hb.set_input_files('[name="file"]', str(request_file))
    hb.get_by_role("button", name="保存草稿").click()
    expect(hb.locator(".alert-success")).to_contain_text("草稿已保存")
    hb.get_by_test_id("action-send").click()
    expect(hb.get_by_test_id("referral-state")).to_have_text("已发出")
    _reload_until(hb, hb.get_by_test_id("delivery"), "已送达")
    expect(hb.get_by_test_id("delivery")).to_contain_text("SHA-256")
    referral_url = hb.url

    jx = _page(e2e_browser, jiangxi.url)
    _sign_in(jx, "jx_officer")
    jx.goto("/referrals")
    expect(jx.get_by_test_id("referrals")).to_contain_text("请求协助调取九江某公司证据")
    _shot(jx, "referrals-inbox")
    jx.get_by_role("link", name=jx.get_by_test_id("referrals").locator("a").first.inner_text()).click()
    expect(jx.locator(".referral-body")).to_contain_text("进货单据")
    expect(jx.locator("body")).to_contain_text("调查事项清单.pdf")
    jx.get_by_test_id("action-receive").click()
    jx.get_by_test_id("action-accept").click()
    jx.get_by_test_id("action-start").click()
    reply = jx.locator("form", has=jx.get_by_test_id("action-reply"))
    reply.locator('textarea[name="text"]').fill("已询问该公司负责人并调取进货单据，询问笔录见附件。")
    reply.locator('input[name="file"]').set_input_files(str(reply_file))
    jx.get_by_test_id("action-reply").click()
    expect(jx.get_by_test_id("referral-state")).to_have_text("已答复")

    hb.goto(referral_url)
    _reload_until(hb, hb.get_by_test_id("referral-state"), "已答复")
    expect(hb.get_by_test_id("conversation")).to_contain_text("询问笔录见附件")
    expect(hb.get_by_test_id("conversation")).to_contain_text("询问笔录.pdf")
    deadlines = hb.get_by_test_id("referral-deadlines")
    expect(deadlines.locator("li", has_text="签收")).to_contain_text("已于")
    expect(deadlines.locator("li", has_text="答复")).to_contain_text("已于")
    download = hb.request.get(hb.get_by_role("link", name="询问笔录.pdf").first.get_attribute("href"))
    assert download.ok and download.body() == PDF + b"reply"
    _shot(hb, "referral-page")
    hb.goto("/referrals?box=outbox")
    expect(hb.get_by_test_id("referrals")).to_contain_text("已答复")
    _shot(hb, "referrals-outbox")

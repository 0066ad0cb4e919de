"""The supervisor's statistics in the browser: filter the dashboard, follow a
number to exactly its cases, export the list as XLSX (opened with openpyxl);
the administrator imports a ledger with one bad row (the dry run shows it and
imports nothing), fixes it and imports."""
from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from casesys.core import clock

TODAY = date(2026, 10, 11)


def login(page: Page, username: str, password: str = "casesys-demo") -> None:
    page.goto("/login")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()


def test_supervisor_filters_drills_down_and_exports(browser_page: Page, db, screenshot):
    from casesys.auth.models import Office
    from casesys.cases.demo import generate_cases

    generate_cases(300, seed=3, today=clock.today())
    db.session.commit()
    wuhan = db.session.scalar(sa.select(Office).where(Office.code == "HB-WH"))
    page = browser_page
    login(page, "supervisor")
    page.get_by_role("link", name="统计").click()
    expect(page.get_by_test_id("freshness")).to_contain_text("数据生成于")
    page.get_by_role("link", name="全部", exact=True).click()
    page.select_option("#office_id", str(wuhan.id))
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("h1")).to_contain_text("武汉市知识产权局")
    expect(page.locator("canvas.figure-chart").first).to_be_visible()
    screenshot(page, "dashboard")

    # Follow "已结案 / 合计" of the first table to its cases.
    table = page.locator('[data-table="by_state"]')
    closed_row = table.locator("tr", has_text="已结案")
    link = closed_row.locator("a[data-drill]").last
    count = int(link.inner_text())
    assert count > 0
    link.click()
    expect(page.locator("h1")).to_contain_text(f"共 {count} 件")
    assert f"office_id={wuhan.id}" in page.url and "state=closed" in page.url

    # Export exactly that list as XLSX.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 XLSX").click()
    data = download.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("案号", "案件类型", "程序", "状态")
    assert len(rows) - 1 == count
    assert {r[3] for r in rows[1:]} == {"已结案"}
    received = rows[0].index("收案日期")
    assert all(hasattr(r[received], "year") for r in rows[1:])
    assert all(re.match(r"^\S+〔\d{4}〕\d+号$", r[0]) for r in rows[1:])

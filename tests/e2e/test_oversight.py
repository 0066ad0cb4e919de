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
    from casesys.demo.data import generate_cases

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


def test_admin_imports_a_ledger_after_a_dry_run_shows_its_bad_row(browser_page: Page, db, factory, tmp_path,
                                                                  screenshot):
    from casesys.cases.models import Case
    from casesys.domain.enums import Role
    from casesys.jobs.worker import run_due_jobs
    from tests.conftest import TEST_PASSWORD
    from tests.integration.test_ledger_import import good_row, workbook_bytes

    office = factory.office(code="HB", prefix="鄂知保", name="湖北省知识产权局")
    admin = factory.user(Role.ADMIN, office=office)
    bad, fixed = tmp_path / "台账.xlsx", tmp_path / "台账-改正.xlsx"
    bad.write_bytes(workbook_bytes([good_row(1), good_row(2, 收案日期="2024年3月1日"), good_row(3)]))
    fixed.write_bytes(workbook_bytes([good_row(1), good_row(2), good_row(3)]))
    page = browser_page
    login(page, admin.username, TEST_PASSWORD)

    def dry_run(path):
        page.goto("/admin/import")
        page.set_input_files('input[name="file"]', str(path))
        page.get_by_role("button", name="上传并设置列对应").click()
        expect(page.locator('[name="map_number"]')).to_have_value("案号")
        screenshot(page, "ledger-mapping")
        page.get_by_role("button", name="试导入（只检查，不写入）").click()
        expect(page.locator("h1")).to_contain_text("台账试导入")
        assert run_due_jobs() == 1

    dry_run(bad)
    problems = page.get_by_test_id("ledger-problems")
    expect(problems).to_contain_text("2024年3月1日")
    expect(problems).to_contain_text("日期为文本格式")
    expect(page.get_by_test_id("ledger-problems-summary")).to_contain_text("没有导入任何数据")
    screenshot(page, "ledger-dry-run-bad-row")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0

    dry_run(fixed)
    expect(page.get_by_test_id("ledger-ok")).to_contain_text("全部通过检查")
    page.get_by_role("button", name="正式导入 3 件案件").click()
    assert run_due_jobs() == 1
    expect(page.get_by_test_id("ledger-imported")).to_contain_text("已导入 3 件案件")
    screenshot(page, "ledger-imported")
    db.session.expire_all()
    numbers = set(db.session.scalars(sa.select(Case.number)))
    assert numbers == {f"鄂知保裁字〔2024〕{n}号" for n in (1, 2, 3)}


def test_a_large_export_is_followed_on_its_job_page_and_downloaded(browser_page: Page, db, job_worker, screenshot):
    """Above the threshold (lowered here) the XLSX is a job: the page follows
    its progress and offers the file once the worker has written it."""
    from casesys.core.settings import set_setting
    from casesys.demo.data import generate_cases

    generate_cases(120, seed=4, today=clock.today())
    set_setting("export_job_rows", 10, actor_id=None)
    db.session.commit()
    page = browser_page
    login(page, "supervisor")
    page.goto("/cases?case_type=adjudication")
    count = int(re.search(r"共 (\d+) 件", page.locator("h1").inner_text()).group(1))
    assert count > 10
    page.get_by_role("link", name="导出 XLSX").click()
    expect(page.locator("h1")).to_contain_text("后台任务")
    expect(page.get_by_text(f"案件（{count} 行）")).to_be_visible()
    download_button = page.get_by_test_id("job-download")
    expect(download_button).to_be_visible(timeout=30_000)  # shown by the page's polling, no reload
    expect(page.locator("[data-job-state]")).to_have_text("已完成")
    screenshot(page, "export-job-done")
    with page.expect_download() as download:
        download_button.click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
                .iter_rows(values_only=True))
    assert len(rows) - 1 == count and {r[1] for r in rows[1:]} == {"行政裁决"}

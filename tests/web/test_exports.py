"""Exports (SPEC §10): every list as CSV (UTF-8 with BOM) and XLSX, with
Chinese headers, dates as dates, the page's own filters, audited."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from casesys.core import clock
from casesys.domain.enums import Role


@pytest.fixture
def office_world(db, factory):
    office = factory.office()
    officer = factory.user(Role.OFFICER, office=office)
    supervisor = factory.user(Role.SUPERVISOR, office=office)
    cases = [factory.case(officer, requester=f"武汉测试{n}号科技有限公司", received_on=date(2026, 3, n + 1))
             for n in range(5)]
    factory.case(factory.user(Role.OFFICER, office=factory.office(prefix="测知保")), requester="他局的请求人有限公司")  # another office: never exported
    return officer, supervisor, cases


def _xlsx(response):
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.get_data()), read_only=True).active


def test_case_list_as_xlsx_has_chinese_headers_real_dates_and_the_filters(client, login_as, office_world):
    officer, _, cases = office_world
    login_as(officer)
    response = client.get("/cases?format=xlsx&date_from=2026-03-02&date_to=2026-03-04&sort=received_asc")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(_xlsx(response).iter_rows(values_only=True))
    assert rows[0][:4] == ("案号", "案件类型", "程序", "状态") and "收案日期" in rows[0]
    received = rows[0].index("收案日期")
    assert [r[0] for r in rows[1:]] == [c.number for c in cases[1:4]]
    assert [r[received].date() for r in rows[1:]] == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert rows[1][rows[0].index("请求人（申请人）")] == "武汉测试1号科技有限公司"


def test_case_list_as_csv_has_a_bom_and_opens_as_utf8(client, login_as, office_world):
    officer, _, cases = office_world
    login_as(officer)
    response = client.get("/cases?format=csv&q=武汉测试2号")
    body = response.get_data()
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "案号"
    assert [r[0] for r in rows[1:]] == [cases[2].number]
    assert rows[1][rows[0].index("收案日期")] == "2026-03-03"


def test_every_export_is_audited(client, login_as, office_world, db):
    from casesys.core.models import AuditLog

    officer, _, _ = office_world
    login_as(officer)
    client.get("/cases?format=csv&state=received")
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.table_name == "exports"))
    assert entry.actor_id == officer.id and entry.action == "export"
    assert entry.changes["format"] == "csv" and "state=received" in entry.changes["url"]


def test_todo_and_workload_export(client, login_as, office_world):
    officer, supervisor, cases = office_world
    with clock.frozen(date(2026, 3, 10)):
        login_as(officer)
        todo = list(_xlsx(client.get("/todo?format=xlsx")).iter_rows(values_only=True))
        assert todo[0][:3] == ("届满日", "事项", "案号")
        # The acceptance decision of each case (SPEC §3), the earliest first, its date a date.
        assert {r[2] for r in todo[1:]} == {c.number for c in cases}
        assert [r[0] for r in todo[1:]] == sorted(r[0] for r in todo[1:]) and todo[1][0].year == 2026
        assert {r[1] for r in todo[1:]} == {"决定是否受理"}
        client.post("/logout")
        login_as(supervisor)
        workload = list(csv.reader(io.StringIO(client.get("/workload?format=csv").get_data().decode("utf-8-sig"))))
        assert workload[0] == ["承办人", "在办案件", "平均天数", "最长天数", "逾期期限"]
        assert workload[1][:2] == [officer.full_name, "5"]


def test_dashboard_table_export_matches_the_page(client, login_as, office_world):
    _, supervisor, _ = office_world
    login_as(supervisor)
    rows = list(_xlsx(client.get("/dashboard?period=all&table=by_state&format=xlsx")).iter_rows(values_only=True))
    assert rows[0] == ("状态", "普通程序", "简易程序", "尚未确定程序", "调解", "合计")
    assert rows[-1][0] == "合计" and rows[-1][-1] == 5
    share = list(csv.reader(io.StringIO(
        client.get("/dashboard?period=all&table=procedure_share&format=csv").get_data().decode("utf-8-sig"))))
    assert share[0] == ["程序", "件数"]
    assert client.get("/dashboard?table=nope&format=csv").status_code == 404


def test_a_large_export_is_streamed(client, login_as, office_world, monkeypatch):
    """The CSV body is a generator the server sends chunk by chunk."""
    from casesys.exports import lists as exports

    monkeypatch.setattr(exports, "ROWS_PER_CHUNK", 2)
    officer, _, _ = office_world
    login_as(officer)
    response = client.get("/cases?format=csv", buffered=False)
    chunks = list(response.response)
    assert len(chunks) >= 3
    assert b"".join(chunks).decode("utf-8-sig").count("\r\n") == 6


def test_a_large_xlsx_export_is_made_by_a_job_and_downloaded_from_its_page(client, login_as, office_world, db):
    """Above the setting (lowered here to 3 rows) the XLSX is a durable job:
    the user is sent to its page, the worker writes the file with progress,
    the page offers it once done, and the file holds every row."""
    from casesys.core.models import AuditLog
    from casesys.core.settings import set_setting
    from casesys.jobs.models import Job
    from casesys.jobs.worker import run_due_jobs

    officer, _, cases = office_world
    set_setting("export_job_rows", 3, actor_id=None)
    db.session.commit()
    login_as(officer)
    response = client.get("/cases?format=xlsx&sort=received_asc&page=2")
    assert response.status_code == 302 and "/jobs/" in response.location
    job = db.session.scalar(sa.select(Job))
    assert job.payload["args"] == {"sort": "received_asc"} and job.payload["rows"] == 5
    page = client.get(response.location).get_data(as_text=True)
    assert "共 5 行" in page and "案件（5 行）" in page and "data-job-download hidden" in page
    assert client.get(f"/exports/{job.id}").status_code == 404  # not made yet
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.table_name == "exports"))
    assert audit.actor_id == officer.id and audit.changes["job_id"] == job.id and audit.changes["rows"] == 5
    assert "format=xlsx" in audit.changes["url"]

    assert run_due_jobs() == 1
    db.session.expire_all()
    assert job.state == "done" and job.progress_done == 5 and job.progress_total == 5
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "data-job-download hidden" not in page and f'href="/exports/{job.id}"' in page
    rows = list(_xlsx(client.get(f"/exports/{job.id}")).iter_rows(values_only=True))
    assert rows[0][:4] == ("案号", "案件类型", "程序", "状态")
    assert [r[0] for r in rows[1:]] == [c.number for c in cases]
    received = rows[0].index("收案日期")
    assert [r[received].date() for r in rows[1:]] == [date(2026, 3, n + 1) for n in range(5)]
    downloads = db.session.scalars(sa.select(AuditLog).where(AuditLog.table_name == "exports")
                                   .order_by(AuditLog.id)).all()
    assert len(downloads) == 2 and downloads[1].changes["downloaded"] is True


def test_only_the_requester_and_administrators_download_an_export_job(client, login_as, office_world, db, factory):
    from casesys.core.settings import set_setting
    from casesys.jobs.models import Job
    from casesys.jobs.worker import run_due_jobs

    officer, supervisor, _ = office_world
    colleague = factory.user(Role.OFFICER, office=officer.office)
    admin = factory.user(Role.ADMIN, office=officer.office)
    set_setting("export_job_rows", 3, actor_id=None)
    db.session.commit()
    login_as(officer)
    client.get("/cases?format=xlsx")
    run_due_jobs()
    job_id = db.session.scalar(sa.select(Job.id))
    for user, status in ((colleague, 404), (supervisor, 404), (admin, 200), (officer, 200)):  # 404: issue 11, 11a
        client.post("/logout")
        login_as(user)
        assert client.get(f"/exports/{job_id}").status_code == status, user.username
        assert client.get(f"/jobs/{job_id}").status_code == status, user.username


def test_small_exports_and_csv_stay_immediate(client, login_as, office_world, db):
    from casesys.core.settings import set_setting
    from casesys.jobs.models import Job

    officer, _, _ = office_world
    login_as(officer)
    assert client.get("/cases?format=xlsx").status_code == 200  # 5 rows, the default threshold is 5,000
    set_setting("export_job_rows", 3, actor_id=None)
    db.session.commit()
    csv_body = client.get("/cases?format=csv").get_data().decode("utf-8-sig")
    assert csv_body.count("\r\n") == 6  # CSV streams in the request however long
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0

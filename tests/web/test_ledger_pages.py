"""The ledger import pages: upload (checked by content), column mapping
remembered per office, the dry run and the import as jobs with their report."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa
from openpyxl import load_workbook

from casesys.core import clock
from casesys.domain.enums import Role
from tests.integration.test_ledger_import import TODAY, good_row, workbook_bytes


def _admin(factory, login_as):
    office = factory.office(code="HB", prefix="鄂知保", name="湖北省知识产权局")
    admin = factory.user(Role.ADMIN, office=office)
    login_as(admin)
    return office, admin


def _upload(client, office, data: bytes, name="台账.xlsx"):
    return client.post("/admin/import", data={"office_id": office.id, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _run_jobs():
    from casesys.jobs.worker import run_due_jobs

    return run_due_jobs()


def test_template_download_has_every_column_and_dates_as_dates(client, factory, login_as):
    _admin(factory, login_as)
    response = client.get("/admin/import/template.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("案号", "案件类型") and "收案日期" in rows[0]
    assert hasattr(rows[1][rows[0].index("收案日期")], "year")


def test_a_file_that_is_no_xlsx_is_refused_at_the_field(client, factory, login_as):
    office, _ = _admin(factory, login_as)
    response = _upload(client, office, b"%PDF-1.4 pretending", name="ledger.xlsx")
    assert response.status_code == 400
    assert "不是 XLSX 格式" in response.get_data(as_text=True)
    assert _upload(client, office, b"", name="empty.xlsx").status_code == 400


def test_dry_run_shows_the_bad_row_imports_nothing_then_the_fixed_file_imports(client, factory, login_as, db):
    from casesys.cases.models import Case

    with clock.frozen(TODAY):  # logged in on that day too: a login lasts a day
        office, _ = _admin(factory, login_as)
        bad = workbook_bytes([good_row(1), good_row(2, 状态="审理完毕"), good_row(3)])
        response = _upload(client, office, bad)
        assert response.status_code == 302 and "/admin/import/" in response.location
        mapping_page = client.get(response.location).get_data(as_text=True)
        assert 'selected value="案号"' in mapping_page  # the template's headers map themselves
        form = {k: v for k, v in re.findall(r'name="(map_\w+)"[^>]*>.*?<option selected value="([^"]*)"', mapping_page, re.S)}
        form.update(office_id=office.id, filename="台账.xlsx", run="check")
        queued = client.post(response.location.split("?")[0], data=form)
        assert queued.status_code == 302
        assert _run_jobs() == 1
        report = client.get(queued.location).get_data(as_text=True)
        assert "审理完毕" in report and "未知的状态" in report and "没有导入任何数据" in report
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0

        fixed = _upload(client, office, workbook_bytes([good_row(1), good_row(2), good_row(3)]))
        check = client.post(fixed.location.split("?")[0], data=form)
        _run_jobs()
        page = client.get(check.location).get_data(as_text=True)
        assert "全部通过检查" in page and "正式导入 3 件案件" in page
        hidden = dict(re.findall(r'type="hidden" name="(map_\w+)" value="([^"]*)"', page))
        assert hidden["map_number"] == "案号"
        imported = client.post(fixed.location.split("?")[0],
                               data={**hidden, "office_id": office.id, "filename": "台账.xlsx", "run": "import"})
        _run_jobs()
        assert "已导入 3 件案件" in client.get(imported.location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 3


def test_the_column_mapping_is_remembered_for_the_office(client, factory, login_as):
    office, _ = _admin(factory, login_as)
    headers = ["编号", "类别", "程序", "状态", "案由", "申请方", "请求人统一社会信用代码或身份证号", "请求人企业类型",
               "被申请方", "被请求人统一社会信用代码或身份证号", "收件日", "受理日期", "结案日期"]
    data = workbook_bytes([good_row(1)], headers=headers)
    location = _upload(client, office, data).location
    form = {"office_id": office.id, "filename": "x.xlsx", "run": "check", "map_number": "编号",
            "map_case_type": "类别", "map_state": "状态", "map_requester": "申请方", "map_respondent": "被申请方",
            "map_received_on": "收件日"}
    assert client.post(location.split("?")[0], data=form).status_code == 302
    again = client.get(_upload(client, office, data).location).get_data(as_text=True)
    assert 'selected value="编号"' in again and 'selected value="收件日"' in again

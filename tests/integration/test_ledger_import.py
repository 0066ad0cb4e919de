"""Ledger import (台账): the dry run reports every bad row and writes nothing;
the real run imports all rows or none; bad files are refused with a reason."""
from __future__ import annotations

import io
import random
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from casesys.core import clock
from casesys.domain.codes import make_credit_code, make_resident_id
from casesys.domain.enums import Role
from casesys.oversight.ledger import FIELDS, LedgerRefused

TODAY = date(2026, 10, 11)
HEADERS = [f.header for f in FIELDS]
RNG = random.Random(5)


def good_row(n: int, **changes) -> list:
    values = {
        "案号": f"鄂知保裁字〔2024〕{n}号", "案件类型": "行政裁决", "程序": "普通程序", "状态": "已结案",
        "案由": "", "请求人": f"武汉台账{n}科技有限公司", "请求人统一社会信用代码或身份证号": make_credit_code(RNG),
        "请求人企业类型": "民营", "被请求人": f"长沙台账{n}机械有限公司",
        "被请求人统一社会信用代码或身份证号": make_resident_id(RNG, date(1980, 1, 2)),
        "收案日期": datetime(2024, 3, 1), "受理日期": datetime(2024, 3, 5), "结案日期": datetime(2024, 6, 20),
    }
    values.update(changes)
    return [values[h] for h in HEADERS]


def workbook_bytes(rows: list[list], *, headers=HEADERS, setup=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "台账"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def office(db, factory):
    office = factory.office(code="HB", prefix="鄂知保", name="湖北省知识产权局")
    admin = factory.user(Role.ADMIN, office=office)
    return office, admin


def _store(data: bytes) -> str:
    from casesys.oversight.services import store_ledger

    return store_ledger(io.BytesIO(data))


def _mapping() -> dict:
    return {f.key: f.header for f in FIELDS}


def _case_count(db) -> int:
    from casesys.cases.models import Case

    return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


def test_a_clean_ledger_imports_every_row_keeping_its_numbers(db, office):
    from casesys.cases.models import Case, CaseEvent
    from casesys.cases.services import assign_case_number
    from casesys.domain.enums import CaseType
    from casesys.oversight.services import check_ledger, import_ledger

    office, admin = office
    sha = _store(workbook_bytes([good_row(n) for n in (3, 12, 7)]))
    with clock.frozen(TODAY):
        report = check_ledger(sha, _mapping())
        assert report.ok and report.total_rows == 3 and _case_count(db) == 0  # the dry run writes nothing
        result = import_ledger(sha, _mapping(), office=office, actor_id=admin.id, filename="2024台账.xlsx")
        db.session.commit()
    assert result["imported"] == 3
    case = db.session.scalar(sa.select(Case).where(Case.number == "鄂知保裁字〔2024〕12号"))
    assert case.office_id == office.id and case.received_on == date(2024, 3, 1) and case.state.value == "closed"
    assert {p.role.value for p in case.parties} == {"requester", "respondent"}
    respondent = next(p for p in case.parties if p.role.value == "respondent")
    assert respondent.kind.value == "person" and respondent.id_number
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id))
    assert event.kind == "imported" and "保留原案号" in event.summary and "2024台账.xlsx" in event.summary
    # The next 2024 number of the office comes after the imported ones (never reused).
    with clock.frozen(TODAY):
        assert assign_case_number(office, CaseType.ADJUDICATION, 2024) == "鄂知保裁字〔2024〕13号"


def test_the_dry_run_reports_every_bad_row_with_column_value_and_reason(db, office, factory):
    from casesys.oversight.services import check_ledger, import_ledger

    office, admin = office
    rows = [
        good_row(1),
        good_row(2, **{"请求人统一社会信用代码或身份证号": "91420100MA4K000000"}),    # credit code check character
        good_row(3, **{"被请求人统一社会信用代码或身份证号": "420102198001020010"}),  # ID check digit
        good_row(4, 状态="审理完毕"),                                              # unknown state
        good_row(5, 收案日期="2024-03-01"),                                        # a date typed as text
        good_row(1),                                                               # duplicate in the file
        good_row(7),
    ]
    sha = _store(workbook_bytes(rows))
    with clock.frozen(TODAY):
        report = check_ledger(sha, _mapping())
    problems = {(p.row, p.column): p for p in report.problems}
    assert report.total_rows == 7 and report.bad_rows == 5 and not report.ok
    assert "校验位" in problems[(3, "请求人统一社会信用代码或身份证号")].reason
    assert problems[(4, "被请求人统一社会信用代码或身份证号")].reason == "身份证号码校验位错误"
    assert "未知的状态" in problems[(5, "状态")].reason and problems[(5, "状态")].value == "审理完毕"
    assert "文本" in problems[(6, "收案日期")].reason and problems[(6, "收案日期")].value == "2024-03-01"
    assert problems[(7, "案号")].reason == "案号与第 2 行重复"
    with clock.frozen(TODAY):
        result = import_ledger(sha, _mapping(), office=office, actor_id=admin.id, filename="x.xlsx")
    assert result["imported"] == 0 and _case_count(db) == 0  # all or nothing


def test_a_number_already_in_the_register_is_reported(db, office):
    from casesys.oversight.services import check_ledger, import_ledger

    office, admin = office
    sha = _store(workbook_bytes([good_row(8)]))
    with clock.frozen(TODAY):
        import_ledger(sha, _mapping(), office=office, actor_id=admin.id, filename="a.xlsx")
        db.session.commit()
        report = check_ledger(_store(workbook_bytes([good_row(9), good_row(8)])), _mapping())
    assert [(p.row, p.reason) for p in report.problems] == [(3, "案号已在登记簿中")]


@pytest.mark.parametrize("data, message", [
    (b"", "空"),
    (b"%PDF-1.4 not a workbook", "不是 XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"PK\x03\x04 broken zip", "损坏"),
])
def test_a_file_that_is_no_xlsx_is_refused_by_its_content(db, office, data, message):
    with pytest.raises(LedgerRefused, match=message):
        _store(data)


def test_a_zip_that_is_no_workbook_is_refused(db, office):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(LedgerRefused, match="不是 Excel 工作簿"):
        _store(out.getvalue())


def _check(data: bytes):
    from casesys.oversight.services import check_ledger

    with clock.frozen(TODAY):
        return check_ledger(_store(data), _mapping())


def test_formulas_merged_cells_hidden_sheets_and_empty_sheets(db, office):
    def formula(workbook, sheet):
        sheet["A3"] = '="鄂知保裁字〔2024〕"&"2号"'

    report = _check(workbook_bytes([good_row(1), good_row(2)], setup=formula))
    assert [(p.row, p.column, "公式" in p.reason) for p in report.problems] == [(3, "案号", True)]

    def merged(workbook, sheet):
        sheet.merge_cells("D2:D3")

    report = _check(workbook_bytes([good_row(1), good_row(2)], setup=merged))
    assert any(p.column == "D2:D3" and "合并单元格" in p.reason for p in report.problems)

    def hidden(workbook, sheet):
        workbook.create_sheet("旧数据").sheet_state = "hidden"

    with pytest.raises(LedgerRefused, match="隐藏的工作表「旧数据」"):
        _check(workbook_bytes([good_row(1)], setup=hidden))

    report = _check(workbook_bytes([]))
    assert report.total_rows == 0 and "没有数据行" in report.problems[0].reason


def test_a_missing_required_column_is_reported(db, office):
    from casesys.oversight.services import check_ledger

    mapping = _mapping()
    del mapping["received_on"]
    with clock.frozen(TODAY):
        report = check_ledger(_store(workbook_bytes([good_row(1)])), mapping)
    assert "收案日期" in report.problems[0].reason


def test_the_mapping_is_remembered_per_office(db, office, factory):
    from casesys.oversight.ledger import suggest_mapping
    from casesys.oversight.services import remember_mapping, remembered_mapping

    office, admin = office
    remember_mapping(office.id, {"number": "编号", "received_on": "收件日"}, actor=admin)
    db.session.commit()
    headers = ["编号", "收件日", "请求人", "状态"]
    mapping = suggest_mapping(headers, remembered_mapping(office.id))
    assert mapping["number"] == "编号" and mapping["received_on"] == "收件日" and mapping["requester"] == "请求人"
    assert remembered_mapping(factory.office().id) == {}

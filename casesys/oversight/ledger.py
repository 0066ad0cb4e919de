"""Past ledgers (台账) brought in from Excel: read, check, import.

The file is read in openpyxl's read-only mode (row by row, so 100,000 rows
fit), checked whole — every bad row reported with its row number, column,
value and a reason in Chinese — and imported only when nothing is wrong, in
one transaction (all or nothing). Imported cases keep their numbers and say
so in their timeline.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import iterparse

from casesys.cases.models import Case, CaseEvent, Party
from casesys.domain.codes import (
    normalize_credit_code,
    normalize_resident_id,
    validate_credit_code,
    validate_resident_id,
)
from casesys.domain.enums import (
    ADJUDICATION_STATES,
    MEDIATION_STATES,
    PROCEDURE_STATE_LABELS,
    CaseState,
    CaseType,
    EnterpriseType,
    PartyKind,
    Procedure,
)

MAX_ROWS = 200_000
MAX_REPORTED = 5_000  # a report longer than this only counts the rest


@dataclass(frozen=True)
class LedgerField:
    key: str
    header: str            # the template's column header
    required: bool = False
    kind: str = "text"     # text | date | code | choice
    example: object = ""


FIELDS = (
    LedgerField("number", "案号", True, example="鄂知保裁字〔2024〕12号"),
    LedgerField("case_type", "案件类型", True, "choice", "行政裁决"),
    LedgerField("procedure", "程序", False, "choice", "普通程序"),
    LedgerField("state", "状态", True, "choice", "已结案"),
    LedgerField("title", "案由", False, example="某公司与某公司侵害发明专利权纠纷"),
    LedgerField("requester", "请求人", True, example="武汉光谷激光科技有限公司"),
    LedgerField("requester_code", "请求人统一社会信用代码或身份证号", False, "code", "91420100MA4KXXXX0X"),
    LedgerField("requester_type", "请求人企业类型", False, "choice", "民营"),
    LedgerField("respondent", "被请求人", True, example="长沙湘江机械制造有限公司"),
    LedgerField("respondent_code", "被请求人统一社会信用代码或身份证号", False, "code", ""),
    LedgerField("received_on", "收案日期", True, "date", date(2024, 3, 1)),
    LedgerField("accepted_on", "受理日期", False, "date", date(2024, 3, 6)),
    LedgerField("closed_on", "结案日期", False, "date", date(2024, 6, 20)),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
ID_LIKE = re.compile(r"^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])\d{2}\d{3}[\dXx]$")


class LedgerRefused(ValueError):
    """The file as a whole cannot be read as a ledger (type, sheets, empty)."""


@dataclass
class Problem:
    row: int          # the sheet's row number (1 = headers); 0 for the file itself
    column: str       # the file's header (or "")
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class LedgerRow:
    row: int
    values: dict = field(default_factory=dict)


@dataclass
class Report:
    total_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    bad_rows: int = 0
    more: int = 0  # problems beyond MAX_REPORTED, counted only

    @property
    def ok(self) -> bool:
        return not self.problems and self.total_rows > 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(problem)
        else:
            self.more += 1

    def as_dict(self) -> dict:
        return {"total_rows": self.total_rows, "bad_rows": self.bad_rows, "more": self.more,
                "problems": [p.as_dict() for p in self.problems]}


# --- reading ----------------------------------------------------------------------------

def check_file_type(path: Path) -> None:
    """By content, not by name: an XLSX is a zip holding xl/workbook.xml."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerRefused("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传。")
    if not head.startswith(b"PK"):
        raise LedgerRefused("文件不是 XLSX 格式（Excel 工作簿），请上传 .xlsx 文件。")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise LedgerRefused("文件已损坏或不是 XLSX 格式，无法读取。") from None
    if "xl/workbook.xml" not in names:
        raise LedgerRefused("文件不是 Excel 工作簿（可能是其他格式的压缩文件），请上传 .xlsx 文件。")


def _open(path: Path):
    from openpyxl import load_workbook

    check_file_type(path)
    try:
        return load_workbook(path, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise LedgerRefused("文件无法作为 Excel 工作簿读取，可能已损坏。") from None


def _sheet(workbook):
    hidden = [ws.title for ws in workbook.worksheets if ws.sheet_state != "visible"]
    if hidden:
        raise LedgerRefused(f"工作簿含隐藏的工作表「{'」「'.join(hidden)}」：请删除或取消隐藏后再导入，以免漏看其中的数据。")
    if len(workbook.worksheets) > 1:
        names = "」「".join(ws.title for ws in workbook.worksheets)
        raise LedgerRefused(f"工作簿有多个工作表（「{names}」）：请只保留台账所在的一个工作表。")
    return workbook.worksheets[0]


def merged_ranges(path: Path, workbook, sheet) -> list[str]:
    """Merged cells are not visible in read-only mode: read them from the sheet's XML."""
    target = None
    try:
        with zipfile.ZipFile(path) as archive:
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            book = archive.read("xl/workbook.xml").decode("utf-8")
            rid = re.search(rf'<(?:\w+:)?sheet\b[^>]*name="{re.escape(sheet.title)}"[^>]*r:id="([^"]+)"', book)
            if rid:
                found = re.search(rf'<Relationship\b[^>]*Id="{re.escape(rid.group(1))}"[^>]*Target="([^"]+)"', rels) \
                    or re.search(rf'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="{re.escape(rid.group(1))}"', rels)
                if found:
                    target = found.group(1).lstrip("/")
                    target = target if target.startswith("xl/") else f"xl/{target}"
            if target is None:
                return []
            ranges = []
            with archive.open(target) as xml:
                for _, element in iterparse(xml, events=("end",)):
                    if element.tag.endswith("}mergeCell") or element.tag == "mergeCell":
                        ranges.append(element.get("ref", ""))
                    element.clear()
            return ranges
    except (KeyError, zipfile.BadZipFile):
        return []


def read_headers(path: Path) -> list[str]:
    workbook = _open(path)
    try:
        sheet = _sheet(workbook)
        for row in sheet.iter_rows(min_row=1, max_row=1, values_only=True):
            return [str(v).strip() if v is not None else "" for v in row]
        return []
    finally:
        workbook.close()


def suggest_mapping(headers: list[str], remembered: dict | None) -> dict[str, str]:
    """field → header: the office's remembered choice where the file has that
    header, else a header equal to the field's own."""
    mapping = {}
    for f in FIELDS:
        chosen = (remembered or {}).get(f.key)
        if chosen in headers:
            mapping[f.key] = chosen
        elif f.header in headers:
            mapping[f.key] = f.header
    return mapping


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_choice(key: str, raw: str, case_type: CaseType | None):
    if key == "case_type":
        for member in CaseType:
            if raw in (member.value, member.label) or (member == CaseType.MEDIATION and raw == "调解案件"):
                return member, None
        return None, f"未知的案件类型（应为“{CaseType.ADJUDICATION.label}”或“{CaseType.MEDIATION.label}”）"
    if key == "procedure":
        if not raw:
            return None, None
        for member in Procedure:
            if raw in (member.value, member.label, member.label.removesuffix("程序")):
                return member, None
        return None, "未知的程序（应为“普通程序”或“简易程序”）"
    if key == "state":
        # the names an export writes, 审理终结 included (a simplified case's 合议)
        variants = {label: state for (_, state), label in PROCEDURE_STATE_LABELS.items()}
        for member in CaseState:
            if raw in (member.value, member.label) or variants.get(raw) == member.value:
                allowed = ADJUDICATION_STATES if case_type != CaseType.MEDIATION else MEDIATION_STATES
                if case_type is not None and member not in allowed:
                    return None, f"状态“{raw}”不适用于{case_type.label}案件"
                return member, None
        return None, "未知的状态（应为系统中的案件状态，如“已受理”“已结案”）"
    if key == "requester_type":
        if not raw:
            return EnterpriseType.OTHER, None
        for member in EnterpriseType:
            if raw in (member.value, member.label, member.label + "企业"):
                return member, None
        return None, "未知的企业类型（应为 民营/国有/外资/个人/高校院所/其他）"
    raise KeyError(key)


def _parse_code(raw: str, today: date):
    """A resident ID (ISO 7064 check digit) or a credit code (GB 32100 check character)."""
    code = raw.upper().replace(" ", "")
    if ID_LIKE.match(code):
        error = validate_resident_id(code, today=today)
        return (None, error) if error else ((PartyKind.PERSON, normalize_resident_id(code, today=today)), None)
    error = validate_credit_code(code)
    return (None, error) if error else ((PartyKind.ORGANISATION, normalize_credit_code(code)), None)


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, str):
        return None, "日期为文本格式：请把该单元格设为日期格式（如 2024-03-01），不要输入文字"
    return None, "不是日期"


def check_rows(path: Path, mapping: dict[str, str], *, existing_numbers: Callable[[list[str]], set[str]],
               today: date, progress: Callable[[int, int], None] | None = None,
               collect: list[LedgerRow] | None = None) -> Report:
    """Check every row; rows without problems are appended to `collect` when
    given (the real run). `existing_numbers(numbers)` returns those already in
    the register."""
    report = Report()
    missing = [f.header for f in FIELDS if f.required and not mapping.get(f.key)]
    if missing:
        report.add(Problem(0, "", "", f"未指定必需的列：{'、'.join(missing)}"))
        return report
    workbook = _open(path)
    try:
        sheet = _sheet(workbook)
        for ref in merged_ranges(path, workbook, sheet):
            first_row = int(re.sub(r"\D", "", ref.split(":")[0]) or 0)
            report.add(Problem(first_row, ref, "", "存在合并单元格：请取消合并并在每一行填写完整的值"))
        rows = sheet.iter_rows(values_only=False)
        header_row = next(rows, None)
        headers = [_text(c.value) for c in header_row] if header_row else []
        columns = {key: headers.index(header) for key, header in mapping.items() if header in headers}
        gone = [header for key, header in mapping.items() if header and header not in headers]
        if gone:
            report.add(Problem(1, "", "", f"文件中没有这些列：{'、'.join(gone)}"))
            return report
        total = sheet.max_row - 1 if sheet.max_row else 0
        seen: dict[str, int] = {}
        pending: list[tuple[int, str]] = []

        def flush_pending():
            if not pending:
                return
            taken = existing_numbers([n for _, n in pending])
            for row_number, number in pending:
                if number in taken:
                    report.add(Problem(row_number, mapping["number"], number, "案号已在登记簿中"))
                    report.bad_rows += 1
                    if collect is not None:
                        collect[:] = [r for r in collect if r.row != row_number]
            pending.clear()

        for cells in rows:
            if all(c.value is None or _text(c.value) == "" for c in cells):
                continue  # blank lines between blocks are ignored
            row_number = cells[0].row
            if report.total_rows >= MAX_ROWS:
                report.add(Problem(row_number, "", "", f"行数超过上限 {MAX_ROWS:,}：请分批导入"))
                break
            report.total_rows += 1
            problems = _check_row(row_number, cells, columns, mapping, seen, today)
            for problem in problems:
                report.add(problem)
            if problems:
                report.bad_rows += 1
            else:
                values = _row_values(cells, columns, today)
                pending.append((row_number, values["number"]))
                if collect is not None:
                    collect.append(LedgerRow(row_number, values))
            if len(pending) >= 500:
                flush_pending()
            if progress and report.total_rows % 1000 == 0:
                progress(report.total_rows, max(total, report.total_rows))
        flush_pending()
    finally:
        workbook.close()
    if report.total_rows == 0 and not report.problems:
        report.add(Problem(0, "", "", "文件中没有数据行（第一行应为列标题，从第二行起每行一件案件）"))
    if progress:
        progress(report.total_rows, report.total_rows)
    return report


def _cell(cells, columns, key):
    index = columns.get(key)
    return cells[index] if index is not None and index < len(cells) else None


def _check_row(row_number, cells, columns, mapping, seen, today) -> list[Problem]:
    problems = []

    def bad(key, value, reason):
        problems.append(Problem(row_number, mapping.get(key, FIELD_BY_KEY[key].header), _text(value)[:100], reason))

    for key, index in columns.items():
        cell = cells[index] if index < len(cells) else None
        if cell is not None and cell.data_type == "f":
            bad(key, cell.value, "单元格含公式：请复制后“粘贴为数值”再导入")
    if problems:
        return problems
    case_type = None
    for f in FIELDS:
        cell = _cell(cells, columns, f.key)
        value = cell.value if cell is not None else None
        raw = _text(value)
        if f.required and raw == "":
            bad(f.key, value, "必填项为空")
            continue
        if raw == "":
            continue
        if f.kind == "date":
            _, error = _parse_date(value)
        elif f.kind == "code":
            _, error = _parse_code(raw, today)
        elif f.kind == "choice":
            parsed, error = _parse_choice(f.key, raw, case_type)
            if f.key == "case_type":
                case_type = parsed
        elif f.key == "number":
            error = None
            if raw in seen:
                error = f"案号与第 {seen[raw]} 行重复"
            else:
                seen[raw] = row_number
        else:
            error = None
        if f.key in ("title", "requester", "respondent") and len(raw) > 200:
            error = "内容过长（不超过200字）"
        if error:
            bad(f.key, value, error)
    if not problems:
        received = _parse_date(_cell(cells, columns, "received_on").value)[0]
        for key in ("accepted_on", "closed_on"):
            cell = _cell(cells, columns, key)
            if cell is not None and isinstance(cell.value, (date, datetime)):
                day = _parse_date(cell.value)[0]
                if day < received:
                    bad(key, cell.value, "日期早于收案日期")
                elif day > today:
                    bad(key, cell.value, "日期晚于今天")
        if received > today:
            bad("received_on", _cell(cells, columns, "received_on").value, "日期晚于今天")
    return problems


def _row_values(cells, columns, today) -> dict:
    values = {}
    for f in FIELDS:
        cell = _cell(cells, columns, f.key)
        value = cell.value if cell is not None else None
        raw = _text(value)
        if f.kind == "date":
            values[f.key] = _parse_date(value)[0] if raw else None
        elif f.kind == "code":
            values[f.key] = _parse_code(raw, today)[0] if raw else None
        elif f.kind == "choice":
            values[f.key] = _parse_choice(f.key, raw, values.get("case_type"))[0]
        else:
            values[f.key] = raw
    return values


def iter_template_rows() -> Iterator[list]:
    yield [f.header for f in FIELDS]
    yield [f.example for f in FIELDS]


# --- importing ---------------------------------------------------------------------------

CHUNK_ROWS = 1000


def number_pattern(fmt: str, prefix: str, type_word: str) -> re.Pattern:
    """The office's case-number format as a pattern giving the year and running number."""
    pattern = re.escape(fmt)
    for name, regex in (("prefix", re.escape(prefix)), ("type_word", re.escape(type_word)),
                        ("year", r"(?P<year>\d{4})"), ("seq", r"(?P<seq>\d+)")):
        pattern = pattern.replace(re.escape("{" + name + "}"), regex)
    return re.compile(f"^{pattern}$")


def insert_cases(rows: list[LedgerRow], *, office, actor_id: int | None, filename: str, now: datetime) -> list[int]:
    """Bulk-insert the checked rows with their parties and an 'imported'
    timeline entry each; returns the new case ids. Flushes, never commits."""
    import sqlalchemy as sa

    from casesys.domain.events import EventKind
    from casesys.domain.search import build_search_text
    from casesys.extensions import db

    ids: list[int] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start:start + CHUNK_ROWS]
        case_rows = []
        for item in chunk:
            v = item.values
            kind = "侵害专利权纠纷" if v["case_type"] == CaseType.ADJUDICATION else "专利纠纷"
            parties = [(v["requester"], v["requester_code"]), (v["respondent"], v["respondent_code"])]
            case_rows.append({
                "number": v["number"], "office_id": office.id, "case_type": v["case_type"].value,
                "procedure": v["procedure"].value if v["procedure"] else None, "state": v["state"].value,
                "dispute_kind": "infringement", "title": (v["title"] or f"{v['requester']}与{v['respondent']}{kind}")[:200],
                "requests": "", "accused_products": "", "infringing_acts": "", "places": "", "facts_and_reasons": "",
                "received_on": v["received_on"], "accepted_on": v["accepted_on"], "closed_on": v["closed_on"],
                "handler_id": None, "created_by_id": actor_id, "created_at": now, "updated_at": now,
                "conditions": {}, "short_answer_agreed": False, "extensions": 0, "decision_text": "", "version": 1,
                "search_text": build_search_text(v["number"], [(n, c[1] if c else None) for n, c in parties], []),
            })
        # Past the session, yet nothing to count for the workload (casesys.adjudication.workload):
        # no handler until one is assigned, through the session.
        returned = db.session.execute(sa.insert(Case.__table__).returning(Case.__table__.c.id,
                                                                          sort_by_parameter_order=True),
                                      case_rows).scalars().all()
        party_rows, event_rows = [], []
        for case_id, item in zip(returned, chunk):
            v = item.values
            for role, name, code, kind in (("requester", v["requester"], v["requester_code"], v["requester_type"]),
                                           ("respondent", v["respondent"], v["respondent_code"], None)):
                party_kind = code[0] if code else PartyKind.ORGANISATION
                party_rows.append({
                    "case_id": case_id, "role": role, "position": 1, "kind": party_kind.value, "name": name[:200],
                    "id_number": code[1] if code and party_kind == PartyKind.PERSON else None,
                    "credit_code": code[1] if code and party_kind == PartyKind.ORGANISATION else None,
                    "address": "", "phone": "", "legal_representative": "",
                    "enterprise_type": (kind or (EnterpriseType.INDIVIDUAL if party_kind == PartyKind.PERSON
                                                 else EnterpriseType.OTHER)).value,
                })
            event_rows.append({"case_id": case_id, "kind": EventKind.IMPORTED.value, "occurred_at": now,
                               "actor_id": actor_id,
                               "summary": f"由台账导入（{filename[:100]} 第 {item.row} 行），保留原案号 {v['number']}",
                               "details": {"file": filename[:200], "row": item.row}})
        db.session.execute(sa.insert(Party.__table__), party_rows)
        db.session.execute(sa.insert(CaseEvent.__table__), event_rows)
        ids.extend(returned)
    db.session.flush()
    return ids


def advance_sequences(rows: list[LedgerRow], office) -> None:
    """New numbers must never repeat an imported one (SPEC §2: never reused):
    each (type, year) running number moves past the highest imported."""
    import sqlalchemy as sa

    from casesys.core.models import NumberSequence
    from casesys.core.settings import get_setting
    from casesys.extensions import db

    highest: dict[tuple[str, int], int] = {}
    for case_type in CaseType:
        pattern = number_pattern(get_setting("case_number_format"), office.case_prefix,
                                 get_setting(f"case_type_word_{case_type.value}"))
        for item in rows:
            if item.values["case_type"] != case_type:
                continue
            match = pattern.match(item.values["number"])
            if match:
                key = (f"case:{case_type.value}", int(match["year"]))
                highest[key] = max(highest.get(key, 0), int(match["seq"]))
    for (kind, year), seq in highest.items():
        row = db.session.scalar(sa.select(NumberSequence).where(
            NumberSequence.office_id == office.id, NumberSequence.kind == kind, NumberSequence.year == year))
        if row is None:
            db.session.add(NumberSequence(office_id=office.id, kind=kind, year=year, last_value=seq))
        elif row.last_value < seq:
            row.last_value = seq
    db.session.flush()

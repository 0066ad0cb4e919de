"""Registering requests through the pages (SPEC §2): valid data saved with
its timeline; bad input answered at the field with nothing lost."""
import io
import re

import pytest
import sqlalchemy as sa

from casesys.cases.models import Case, Evidence
from casesys.core import clock
from casesys.domain.enums import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _errors(response) -> list[str]:
    return re.findall(r'class="invalid-feedback[^"]*">([^<]+)<', response.get_data(as_text=True))


@pytest.fixture
def officer(factory, login_as):
    user = factory.user(Role.OFFICER)
    login_as(user)
    return user


def _party(prefix: str, name: str, *, code: str = "", person: bool = False, ident: str = "") -> dict:
    return {f"{prefix}-kind": "person" if person else "organisation", f"{prefix}-name": name,
            f"{prefix}-credit_code": code, f"{prefix}-id_number": ident,
            f"{prefix}-address": "湖北省武汉市武昌区中北路1号", f"{prefix}-enterprise_type": "individual" if person else "private",
            f"{prefix}-agent_authority": "general"}


@pytest.fixture
def form(factory) -> dict:
    data = {"title": "武汉光谷激光科技有限公司与长沙某公司侵害发明专利权纠纷", "received_on": clock.today().isoformat(),
            "requests": "责令被请求人停止销售侵权产品", "dispute_kind": "infringement", "infringing_acts": ["make", "sell"],
            "patents-0-number": factory.patent_number("invention"), "patents-0-patent_type": "invention",
            "patents-0-title": "一种激光切割头", "patents-0-patentee": "武汉光谷激光科技有限公司",
            "patents-0-legal_status": "valid", "patents-0-evaluation": "none", "patents-0-claims": "1-3, 5"}
    data |= _party("requesters-0", "武汉光谷激光科技有限公司", code=factory.credit_code())
    data |= _party("respondents-0", "长沙湘江机械制造有限公司", code=factory.credit_code())
    data |= _party("respondents-1", "李四", person=True, ident=factory.resident_id())
    data |= {"respondents-1-agent_name": "王律师", "respondents-1-agent_firm": "湖南潇湘律师事务所",
             "respondents-1-agent_authority": "special"}
    return data


def test_register_an_adjudication_request(client, db, officer, form):
    response = client.post("/cases/new/adjudication", data=form)
    assert response.status_code == 302, _errors(response)
    case = db.session.scalar(sa.select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert [p.name for p in case.parties] == ["武汉光谷激光科技有限公司", "长沙湘江机械制造有限公司", "李四"]
    assert case.parties[2].agents[0].authority.value == "special"
    assert case.case_patents[0].claims == "1-3,5"
    assert case.acts[0].value == "make"
    assert case.handler_id == officer.id and case.events[0].kind == "registered"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.number in page and "李四" in page and "王律师" in page


def test_mediation_needs_no_patent(client, db, officer, form):
    for key in [k for k in form if k.startswith("patents-")]:
        form.pop(key)
    form["dispute_kind"] = "ownership"
    response = client.post("/cases/new/mediation", data=form)
    assert response.status_code == 302, _errors(response)
    case = db.session.scalar(sa.select(Case))
    assert case.number.startswith("鄂知保调字") and case.procedure is None and case.case_patents == []


@pytest.mark.parametrize("field, value, message", [
    ("requesters-0-credit_code", "91350100M000100Y44", "统一社会信用代码校验位错误"),
    ("requesters-0-credit_code", "", "请填写统一社会信用代码"),
    ("respondents-1-id_number", "11010519491231002Y", "身份证号码前17位应为数字，末位应为数字或X"),
    ("respondents-1-id_number", "110105194912310021", "身份证号码校验位错误"),
    ("patents-0-number", "ZL202310123456.7", "专利号校验位错误"),
    ("patents-0-patent_type", "design", "与所选类型不符"),
    ("patents-0-claims", "第一项", "请填写权利要求序号，如 1-3,5"),
    ("received_on", "2099-01-01", "日期不能晚于今天"),
    ("received_on", "0001-01-01", "日期应在1985年至2100年之间"),
    ("patents-0-filed_on", "9999-12-31", "日期应在1985年至2100年之间"),
    ("requesters-0-name", "", "此项为必填项"),
])
def test_bad_input_is_answered_at_the_field_and_the_rest_is_kept(client, db, officer, form, field, value, message):
    form[field] = value
    response = client.post("/cases/new/adjudication", data=form)
    assert response.status_code == 200
    assert any(message in error for error in _errors(response)), _errors(response)
    page = response.get_data(as_text=True)
    assert "长沙湘江机械制造有限公司" in page and "责令被请求人停止销售侵权产品" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_blank_extra_rows_are_ignored(client, db, officer, form):
    form |= {"third_parties-0-kind": "organisation", "third_parties-0-name": "", "third_parties-0-address": "",
             "third_parties-0-enterprise_type": "private", "third_parties-0-agent_authority": "general",
             "evidence-0-kind": "document", "evidence-0-description": ""}
    assert client.post("/cases/new/adjudication", data=form).status_code == 302
    assert len(db.session.scalar(sa.select(Case)).parties) == 3


def test_registration_with_evidence_files(app, client, db, officer, form):
    form |= {"evidence-0-file": (io.BytesIO(PDF), "购买发票.pdf"), "evidence-0-kind": "document",
             "evidence-0-description": "购买发票，证明被请求人销售", "evidence-0-page_count": "2"}
    response = client.post("/cases/new/adjudication", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, _errors(response)
    evidence = db.session.scalar(sa.select(Evidence))
    assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
    download = client.get(f"/cases/{evidence.case_id}/evidence/{evidence.id}")
    assert download.data == PDF


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00 not a document", "invoice.pdf", "文件类型不支持"),
    (PNG, "photo.pdf", "文件扩展名与文件内容不符"),
    (b"", "empty.pdf", "文件为空"),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(app, client, db, officer, form, content, name, message):
    from pathlib import Path

    stored_before = {p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()}
    form |= {"evidence-0-file": (io.BytesIO(content), name), "evidence-0-kind": "document",
             "evidence-0-description": "材料"}
    response = client.post("/cases/new/adjudication", data=form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert any(message in e for e in _errors(response)), _errors(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    assert {p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()} == stored_before


def test_oversized_upload_is_refused_with_the_limit_in_the_message(app, client, db, officer, factory):
    from casesys.core.settings import set_setting

    case = factory.case(officer)
    set_setting("upload_max_mb", 1, actor_id=None)
    db.session.commit()
    big = PDF + b"0" * (1024 * 1024)
    response = client.post(f"/cases/{case.id}/evidence", data={
        "file": (io.BytesIO(big), "big.pdf"), "kind": "document", "description": "大文件",
        "party_id": str(case.parties[0].id)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "文件过大：上限为 1 MB" in _errors(response)
    assert case.evidence == []


def test_upload_evidence_from_the_case_page(client, db, officer, factory):
    case = factory.case(officer)
    response = client.post(f"/cases/{case.id}/evidence", data={
        "file": (io.BytesIO(PNG), "现场照片.PNG"), "kind": "physical", "description": "现场照片",
        "party_id": str(case.parties[0].id)}, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert case.evidence[0].filename == "现场照片.PNG" and case.evidence[0].party_id == case.parties[0].id
    assert case.events[-1].kind == "evidence_added"


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_input(client, db, officer, factory):
    case = factory.case(officer)
    stale_version = case.version
    fields = {"title": "第一人的案由", "requests": case.requests, "handler_id": str(officer.id),
              "version": str(stale_version), "dispute_kind": "infringement"}
    assert client.post(f"/cases/{case.id}/edit", data=fields).status_code == 302
    second = dict(fields, title="第二人的案由")
    response = client.post(f"/cases/{case.id}/edit", data=second)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已被他人修改" in page and "第二人的案由" in page
    db.session.expire_all()
    assert case.title == "第一人的案由"


def test_party_edit_with_a_stale_version_is_refused(client, db, officer, factory):
    case = factory.case(officer)
    party = case.parties[0]
    data = {"kind": "organisation", "name": "新名称有限公司", "credit_code": party.credit_code,
            "address": party.address, "enterprise_type": "private", "agent_authority": "general",
            "version": str(case.version)}
    assert client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=data).status_code == 302
    response = client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=dict(data, name="另一个名称"))
    assert "已被他人修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert party.name == "新名称有限公司"


@pytest.mark.parametrize("url", [
    "/cases?page=abc", "/cases?page=-1", "/cases?page=99999999999", "/cases?date_from=2026-02-30",
    "/cases?state=bogus&case_type=x&procedure=y", "/cases?sort=drop", "/cases?q=" + "%27%22%3B--" * 20,
    "/cases?q=%00", "/cases?office_id=abc&handler_id=-3", "/cases/0", "/cases/abc",
])
def test_odd_addresses_never_give_a_server_error(client, officer, url):
    assert client.get(url).status_code in (200, 400, 404)  # 400: a NUL, refused at the door


def test_unknown_case_is_a_404_page_in_chinese(client, officer):
    response = client.get("/cases/424242")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_control_characters_in_text_fields_are_dropped(client, db, officer, form):
    form["title"] = "含\x1f控制\x07字符的案由"  # NUL is refused before (tests/web/test_hostile_input.py)
    form["requests"] = "第一行\n第二行"
    assert client.post("/cases/new/adjudication", data=form).status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert (case.title, case.requests) == ("含控制字符的案由", "第一行\n第二行")


def test_cross_examination_opinion_is_recorded(client, db, officer, factory):
    case = factory.case(officer)
    client.post(f"/cases/{case.id}/evidence", data={
        "file": (io.BytesIO(PDF), "合同.pdf"), "kind": "document", "description": "许可合同",
        "party_id": str(case.parties[0].id)}, content_type="multipart/form-data")
    evidence = db.session.scalar(sa.select(Evidence))
    url = f"/cases/{case.id}/evidence/{evidence.id}/cross-examination"
    assert client.post(url, data={"opinion": "被请求人对真实性无异议，对关联性有异议。"}).status_code == 302
    db.session.expire_all()
    assert evidence.cross_examination.startswith("被请求人对真实性无异议")
    page = client.post(url, data={"opinion": ""}, follow_redirects=True).get_data(as_text=True)
    assert "请填写质证意见" in page


def test_the_same_organisation_is_recognised_across_cases(client, db, officer, factory):
    first = factory.case(officer, respondents=("长沙湘江机械制造有限公司",))
    second = factory.case(officer, respondents=("长沙湘江机械有限公司（更名前）",))
    from casesys.domain.enums import PartyRole

    code = first.parties_in(PartyRole.RESPONDENT)[0].credit_code
    second.parties_in(PartyRole.RESPONDENT)[0].credit_code = code  # same code, another name
    db.session.commit()
    page = client.get(f"/cases/{first.id}").get_data(as_text=True)
    assert "另涉 1 件案件" in page


def test_registration_warns_of_a_possible_duplicate_before_saving(client, db, officer, form):
    """Issue 16.19: same parties and patent in an open case."""
    assert client.post("/cases/new/adjudication", data=form).status_code == 302
    again = client.post("/cases/new/adjudication", data=form)
    page = again.get_data(as_text=True)
    first = db.session.scalar(sa.select(Case))
    assert again.status_code == 200 and "可能重复登记" in page and first.number in page
    assert form["title"] in page  # nothing typed is lost
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    confirmed = client.post("/cases/new/adjudication", data=dict(form, confirm_duplicate="1"))
    assert confirmed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 2


def test_a_different_respondent_is_no_duplicate(client, db, officer, form, factory):
    assert client.post("/cases/new/adjudication", data=form).status_code == 302
    other = dict(form, **{"respondents-0-name": "另一家公司", "respondents-0-credit_code": factory.credit_code()})
    other = {k: v for k, v in other.items() if not k.startswith("respondents-1-")}
    response = client.post("/cases/new/adjudication", data=other)
    assert response.status_code == 302, _errors(response)

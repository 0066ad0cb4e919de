"""Issue 16.1: a party's 委托代理人 shown, edited, added and removed on the
party form; parties joined after registration; every change audited; the
agent-firm 回避 check fires on the change."""
import re

import pytest
import sqlalchemy as sa

from casesys.cases.models import Agent, Party
from casesys.core.models import AuditLog
from casesys.domain.enums import CaseType, PartyRole, Role
from casesys.mediation.models import MediationOrganisation, Mediator
from casesys.mediation.services import assign_mediator, start_mediation


@pytest.fixture
def officer(factory, login_as):
    user = factory.user(Role.OFFICER)
    login_as(user)
    return user


def _party_post(party, version, **extra) -> dict:
    data = {"kind": party.kind.value, "name": party.name, "credit_code": party.credit_code or "",
            "id_number": party.id_number or "", "address": party.address, "enterprise_type": party.enterprise_type.value,
            "version": str(version)}
    return data | extra


def _values(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) + \
        re.findall(rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page)


def test_the_party_form_shows_edits_adds_and_removes_agents(client, db, officer, factory):
    case = factory.case(officer)
    party = case.parties[1]
    party.agents.append(Agent(case=case, name="王律师", firm="湖南潇湘律师事务所", phone="0731-1", authority="special"))
    db.session.commit()
    agent_id = party.agents[0].id
    page = client.get(f"/cases/{case.id}/parties/{party.id}/edit").get_data(as_text=True)
    assert "王律师" in _values(page, "agents-0-name") and "湖南潇湘律师事务所" in _values(page, "agents-0-firm")
    assert re.search(r'<option selected value="special">|<option value="special" selected>', page)

    data = _party_post(party, case.version, **{
        "agents-0-id": str(agent_id), "agents-0-name": "王大律师", "agents-0-firm": "湖南潇湘律师事务所",
        "agents-0-authority": "special",
        "agents-1-id": "", "agents-1-name": "赵律师", "agents-1-firm": "湖北珞珈律师事务所", "agents-1-authority": "general"})
    response = client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(a.name for a in party.agents) == ["王大律师", "赵律师"]
    page = client.get(f"/cases/{case.id}/parties/{party.id}/edit").get_data(as_text=True)
    assert "赵律师" in page and "王大律师" in page

    # removing: the row is no longer posted
    kept = next(a for a in party.agents if a.name == "赵律师")
    data = _party_post(party, case.version, **{"agents-0-id": str(kept.id), "agents-0-name": "赵律师",
                                                "agents-0-firm": "湖北珞珈律师事务所", "agents-0-authority": "general"})
    assert client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert [a.name for a in party.agents] == ["赵律师"]
    audited = db.session.execute(sa.select(AuditLog.table_name, AuditLog.action).where(
        AuditLog.case_id == case.id, AuditLog.table_name == "agents")).all()
    assert {("agents", "insert"), ("agents", "update"), ("agents", "delete")} <= set(audited)
    timeline = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "删除代理人王大律师" in timeline and "赵律师（湖北珞珈律师事务所）" in timeline


def test_an_agent_firm_without_a_name_is_refused_at_the_field(client, db, officer, factory):
    case = factory.case(officer)
    party = case.parties[0]
    data = _party_post(party, case.version, **{"agents-0-firm": "某律师事务所", "agents-0-authority": "general"})
    response = client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写代理人姓名" in page and "某律师事务所" in page


def test_a_third_party_joins_after_registration(client, db, officer, factory):
    case = factory.case(officer)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/cases/{case.id}/parties/new" in page
    data = {"role": "third_party", "kind": "organisation", "name": "宜昌三峡电气有限公司",
            "credit_code": factory.credit_code(), "address": "湖北省宜昌市西陵区1号", "enterprise_type": "private",
            "version": str(case.version), "agents-0-name": "钱律师", "agents-0-firm": "宜昌律师事务所",
            "agents-0-authority": "general"}
    response = client.post(f"/cases/{case.id}/parties/new", data=data)
    assert response.status_code == 302
    party = db.session.scalar(sa.select(Party).where(Party.name == "宜昌三峡电气有限公司"))
    assert party.role == PartyRole.THIRD_PARTY and party.position == 1 and party.agents[0].name == "钱律师"
    assert case.events[-1].kind == "party_added"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.table_name == "parties", AuditLog.row_id == party.id, AuditLog.action == "insert")) == 1
    assert "第三人" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_new_agent_of_the_mediators_organisation_raises_the_conflict(client, db, factory, login_as):
    mediator_user = factory.user(Role.MEDIATOR)
    login_as(mediator_user)
    case = factory.case(mediator_user, case_type=CaseType.MEDIATION)
    committee = MediationOrganisation(name="湖北珞珈律师事务所", kind="lawyer")
    mediator = Mediator(name="罗建平", organisation=committee)
    db.session.add_all([committee, mediator])
    mediation = start_mediation(case, actor=mediator_user)
    assign_mediator(mediation, mediator, actor=mediator_user)
    db.session.commit()
    party = case.parties[1]
    data = _party_post(party, case.version, **{"agents-0-name": "赵律师", "agents-0-firm": "湖北珞珈律师事务所",
                                                "agents-0-authority": "general"})
    response = client.post(f"/cases/{case.id}/parties/{party.id}/edit", data=data, follow_redirects=True)
    assert "调解员罗建平与当事人" in response.get_data(as_text=True) and "应当回避" in response.get_data(as_text=True)

"""Factories for tests: valid offices, users and cases, built through the
same services the application uses."""
from __future__ import annotations

import itertools
import random
from datetime import date

from casesys.core import clock
from casesys.domain.codes import make_credit_code, make_patent_number, make_resident_id
from casesys.domain.enums import CaseType, OfficeLevel, PartyKind, PartyRole, PatentType, Role

_counter = itertools.count(1)


class Factory:
    def __init__(self, db, password: str):
        self.db = db
        self.password = password
        self.rng = random.Random(7)

    def office(self, code: str | None = None, prefix: str = "鄂知保", **kwargs):
        from casesys.auth.models import Office

        n = next(_counter)
        office = Office(code=code or f"T{n}", name=kwargs.pop("name", f"测试知识产权局{n}"),
                        case_prefix=prefix, province=kwargs.pop("province", "湖北"),
                        level=kwargs.pop("level", OfficeLevel.CITY),
                        # test offices may handle patent disputes unless a test says otherwise (SPEC §3)
                        handles_patent_disputes=kwargs.pop("handles_patent_disputes", True), **kwargs)
        self.db.session.add(office)
        self.db.session.flush()
        return office

    def user(self, *roles: Role, office=None, username: str | None = None, **kwargs):
        from casesys.auth.services import create_user

        n = next(_counter)
        user = create_user(
            username=username or f"user{n}", full_name=kwargs.pop("full_name", f"测试用户{n}"),
            password=self.password, office=office or self.office(), roles=list(roles or [Role.OFFICER]),
            **kwargs,
        )
        self.db.session.commit()
        return user

    def credit_code(self) -> str:
        return make_credit_code(self.rng)

    def resident_id(self) -> str:
        return make_resident_id(self.rng, date(1980, 5, 17))

    def patent_number(self, patent_type: str = "invention") -> str:
        return make_patent_number(self.rng, 2021, patent_type)

    def party(self, role: PartyRole, name: str, *, person: bool = False, agent: str | None = None):
        from casesys.cases.services import PartyData

        values = {
            "kind": PartyKind.PERSON if person else PartyKind.ORGANISATION, "name": name,
            "id_number": self.resident_id() if person else None,
            "credit_code": None if person else self.credit_code(),
            "address": "湖北省武汉市洪山区珞喻路1号", "phone": "027-88888888",
            "legal_representative": "" if person else "李明", "enterprise_type": "individual" if person else "private",
        }
        agent_values = {"name": agent, "firm": "测试律师事务所", "phone": "", "authority": "general"} if agent else None
        return PartyData(role, values, agent_values)

    def case(self, actor, *, case_type: CaseType = CaseType.ADJUDICATION, requester: str = "武汉光谷激光科技有限公司",
             respondents: tuple[str, ...] = ("长沙湘江机械制造有限公司",), received_on: date | None = None,
             patent_number: str | None = None, commit: bool = True):
        from casesys.cases.services import PatentData, register_case

        parties = [self.party(PartyRole.REQUESTER, requester)]
        parties += [self.party(PartyRole.RESPONDENT, name) for name in respondents]
        patent = PatentData(
            patent_number or self.patent_number(), "1-3",
            {"patent_type": PatentType.INVENTION, "title": "一种激光切割头", "patentee": requester,
             "filed_on": date(2021, 3, 1), "granted_on": date(2023, 6, 1), "legal_status": "valid",
             "evaluation": "none"},
        )
        case = register_case(
            case_type=case_type, office=actor.office, actor=actor,
            received_on=received_on or clock.today(),
            fields={"title": f"{requester}与{respondents[0]}侵害发明专利权纠纷", "requests": "停止制造、销售侵权产品"},
            parties=parties, patents=[patent],
        )
        if commit:
            self.db.session.commit()
        return case

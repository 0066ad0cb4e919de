"""`flask --app wsgi demo-data --cases N`: realistic, valid demo data.

Offices of Hubei and the partner offices of Hunan and Jiangxi, the demo
users, and N cases in every state with parties (valid resident IDs and
credit codes), patents (valid numbers), timelines and shares. Rows are
written with bulk INSERTs in batches, so 100,000 cases load in minutes.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from time import perf_counter

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from casesys.adjudication.models import ClockStop
from casesys.adjudication.workload import WORKLOAD
from casesys.auth.models import Office, User, UserRole
from casesys.auth.passwords import hash_password
from casesys.cases.models import Agent, Case, CaseEvent, CasePatent, CaseShare, Party, Patent
from casesys.core import clock
from casesys.core.models import NumberSequence
from casesys.core.tallies import count_new
from casesys.demo import names
from casesys.demo.procedure import CaseSketch, ProcedureRows
from casesys.domain.codes import make_credit_code, make_patent_number, make_resident_id
from casesys.domain.enums import (
    AgentAuthority,
    CaseState,
    CaseType,
    DisputeKind,
    EnterpriseType,
    EvaluationConclusion,
    InfringingAct,
    OfficeLevel,
    PartyKind,
    PartyRole,
    PatentStatus,
    PatentType,
    Procedure,
    Role,
)
from casesys.domain.events import EventKind
from casesys.domain.numbering import format_number
from casesys.domain.search import build_search_text, search_grams
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS
from casesys.extensions import db
from casesys.mediation.counts import MEDIATION_COUNTS
from casesys.mediation.models import Mediation

DEMO_PASSWORD = "casesys-demo"
DEMO_USERS = [  # username, name, roles, province-wide
    ("admin", "系统管理员", [Role.ADMIN], False),
    ("officer", "陈志远", [Role.OFFICER], False),
    ("mediator", "刘晓燕", [Role.MEDIATOR], False),
    ("supervisor", "王建华", [Role.SUPERVISOR], True),
]
BATCH = 2000
FIRST_YEAR = 2019

# Where a case stands and the timeline that got it there (SPEC §3, §5).
ADJUDICATION_PATHS = [
    (CaseState.RECEIVED, [EventKind.REGISTERED], 5),
    (CaseState.NOT_ACCEPTED, [EventKind.REGISTERED, EventKind.NOT_ACCEPTED], 3),
    (CaseState.ACCEPTED, [EventKind.REGISTERED, EventKind.ACCEPTED], 5),
    (CaseState.ANSWER_PERIOD, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED], 6),
    (CaseState.HEARING, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.ANSWERED], 5),
    (CaseState.DELIBERATION, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.ANSWERED, EventKind.HEARING], 4),
    (CaseState.DECIDED, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.ANSWERED, EventKind.HEARING, EventKind.DECIDED], 3),
    (CaseState.SERVED_DECISION, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.ANSWERED, EventKind.HEARING, EventKind.DECIDED, EventKind.DECISION_SERVED], 3),
    (CaseState.SUSPENDED, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.SUSPENDED], 3),
    (CaseState.CLOSED, [EventKind.REGISTERED, EventKind.ACCEPTED, EventKind.SERVED, EventKind.ANSWERED, EventKind.HEARING, EventKind.DECIDED, EventKind.DECISION_SERVED, EventKind.CLOSED], 63),
]
MEDIATION_PATHS = [
    (CaseState.RECEIVED, [EventKind.REGISTERED], 5),
    (CaseState.CONSENT_PENDING, [EventKind.REGISTERED, EventKind.CONSENT_REQUESTED], 8),
    (CaseState.MEDIATING, [EventKind.REGISTERED, EventKind.CONSENT_REQUESTED, EventKind.MEDIATION_STARTED], 10),
    (CaseState.AGREED, [EventKind.REGISTERED, EventKind.CONSENT_REQUESTED, EventKind.MEDIATION_STARTED, EventKind.AGREEMENT], 10),
    (CaseState.FAILED, [EventKind.REGISTERED, EventKind.CONSENT_REQUESTED, EventKind.MEDIATION_FAILED], 17),
    (CaseState.CLOSED, [EventKind.REGISTERED, EventKind.CONSENT_REQUESTED, EventKind.MEDIATION_STARTED, EventKind.AGREEMENT, EventKind.CLOSED], 50),
]
OPEN_RECENT_DAYS = 120  # open cases are recent; old ones are closed


MEDIATION_REQUESTS = {
    DisputeKind.OWNERSHIP: "请求确认涉案专利权归申请人所有，并协助办理著录项目变更。",
    DisputeKind.INVENTOR_REWARD: "请求被申请人按照职务发明奖励报酬规定支付发明人报酬{amount}万元。",
    DisputeKind.LICENCE_FEE: "请求被申请人支付拖欠的专利许可使用费{amount}万元及逾期利息。",
    DisputeKind.OTHER: "请求就涉案专利的实施与转让事宜进行调解。",
}


def _requests_text(dispute: DisputeKind, acts: list[str], product: str, rng: random.Random) -> str:
    if dispute in MEDIATION_REQUESTS:
        return MEDIATION_REQUESTS[dispute].format(amount=rng.randint(5, 200))
    acts_text = "、".join(InfringingAct(a).label for a in acts)
    return f"1. 责令被请求人立即停止{acts_text}侵犯涉案专利权的{product}；\n2. 责令被请求人销毁库存侵权产品及专用模具。"


def _weighted(rng: random.Random, paths):
    return rng.choices(paths, weights=[p[2] for p in paths])[0]


class DemoGenerator:
    def __init__(self, seed: int, today: date, used_patent_numbers: set[str]):
        self.rng = random.Random(seed)
        self.today = today
        self.used_patent_numbers = used_patent_numbers

    def patent_number(self, year: int, patent_type: str) -> str:
        while True:  # patent numbers are unique
            number = make_patent_number(self.rng, year, patent_type)
            if number not in self.used_patent_numbers:
                self.used_patent_numbers.add(number)
                return number

    # --- people and companies -------------------------------------------
    def person_name(self) -> str:
        rng = self.rng
        return rng.choice(names.SURNAMES) + "".join(rng.choice(names.GIVEN) for _ in range(rng.choice((1, 2))))

    def place(self):
        rng = self.rng
        # Most parties are in Hubei, some in Hunan and Jiangxi.
        index = rng.randrange(13) if rng.random() < 0.8 else rng.randrange(13, len(names.PLACES))
        return names.PLACES[index]

    def address(self, place) -> str:
        city, _, districts = place
        province = "湖北省" if place[1].startswith("42") else ("湖南省" if place[1].startswith("43") else "江西省")
        return f"{province}{city}{self.rng.choice(districts)}{self.rng.choice(names.ROADS)}{self.rng.randint(1, 999)}号"

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 999999999):09d}"

    def company(self, industry: str) -> tuple[str, object]:
        rng = self.rng
        place = self.place()
        city = place[0].rstrip("市州")
        name = f"{city}{rng.choice(names.COMPANY_WORDS)}{rng.choice(names.COMPANY_WORDS)}{industry}{rng.choice(names.COMPANY_SUFFIX)}"
        return name, place

    def party(self, case_id: int, role: PartyRole, position: int, industry: str, party_id: int) -> dict:
        rng = self.rng
        if rng.random() < 0.8:
            name, place = self.company(industry)
            kind, code_key = PartyKind.ORGANISATION, "credit_code"
            code = make_credit_code(rng, place[1])
            enterprise = rng.choices(
                [EnterpriseType.PRIVATE, EnterpriseType.STATE, EnterpriseType.FOREIGN, EnterpriseType.ACADEMIC],
                weights=[80, 10, 5, 5])[0]
            legal_rep = self.person_name()
        else:
            place = self.place()
            name, kind, code_key = self.person_name(), PartyKind.PERSON, "id_number"
            birth = date(rng.randint(1955, 2000), rng.randint(1, 12), rng.randint(1, 28))
            code = make_resident_id(rng, birth, place[1][:4] + f"{rng.randint(1, 20):02d}")
            enterprise, legal_rep = EnterpriseType.INDIVIDUAL, ""
        return {
            "id": party_id, "case_id": case_id, "role": role.value, "position": position,
            "kind": kind.value, "name": name, "id_number": None, "credit_code": None, code_key: code,
            "address": self.address(place), "phone": self.phone(),
            "legal_representative": legal_rep, "enterprise_type": enterprise.value,
        }

    def patent(self, patent_id: int, holder: str, industry_products: list[str], year: int) -> dict:
        rng = self.rng
        ptype = rng.choices(list(PatentType), weights=[35, 45, 20])[0]
        filed = date(year, rng.randint(1, 12), rng.randint(1, 28))
        granted = filed + timedelta(days=rng.randint(120, 900) if ptype != PatentType.INVENTION else rng.randint(500, 1400))
        evaluation = (EvaluationConclusion.NONE if ptype == PatentType.INVENTION else
                      rng.choices([EvaluationConclusion.FAVOURABLE, EvaluationConclusion.NONE, EvaluationConclusion.PARTLY],
                                  weights=[70, 20, 10])[0])
        product = rng.choice(industry_products)
        return {
            "id": patent_id, "number": self.patent_number(year, ptype.value),
            "patent_type": ptype.value,
            # Design patents are named by the product alone, others "一种…".
            "title": (f"{product}{rng.choice(names.PATENT_TITLE_SUFFIX[ptype.value])}" if ptype == PatentType.DESIGN
                      else f"一种{product}{rng.choice(names.PATENT_TITLE_SUFFIX[ptype.value])}"),
            "patentee": holder, "filed_on": filed, "granted_on": min(granted, self.today),
            "legal_status": rng.choices([PatentStatus.VALID, PatentStatus.INVALIDATION_PENDING, PatentStatus.TERMINATED],
                                        weights=[88, 8, 4])[0].value,
            "evaluation": evaluation.value,
        }

    def received_on(self, state: CaseState) -> date:
        rng = self.rng
        if state in (CaseState.CLOSED, CaseState.NOT_ACCEPTED, CaseState.FAILED):
            start = date(FIRST_YEAR, 1, 1)
            span = (self.today - start).days
            return start + timedelta(days=rng.randint(0, span))
        # Consent is asked for 15 days and a mediation runs 30 (SPEC §5): those
        # still open are recent.
        recent = {CaseState.CONSENT_PENDING: 8, CaseState.MEDIATING: 40}.get(state, OPEN_RECENT_DAYS)
        return self.today - timedelta(days=rng.randint(0, recent))


def _ensure_offices() -> dict[str, Office]:
    existing = {o.code: o for o in db.session.scalars(sa.select(Office))}
    for code, name, prefix, city, _region, level in names.HUBEI_OFFICES:
        if code not in existing:
            existing[code] = Office(code=code, name=name, case_prefix=prefix, province="湖北", city=city,
                                    level=OfficeLevel(level), is_partner=False, contact="027-87654321",
                                    handles_patent_disputes=True)  # SPEC §3: the demo's offices are designated
            db.session.add(existing[code])
    for code, name, prefix, province, city, _region, level in names.PARTNER_OFFICES:
        if code not in existing:
            existing[code] = Office(code=code, name=name, case_prefix=prefix, province=province, city=city,
                                    level=OfficeLevel(level), is_partner=True, contact="鄂湘赣协作联络员")
            db.session.add(existing[code])
    db.session.flush()
    return existing


def _ensure_users(offices: dict[str, Office], gen: DemoGenerator) -> dict[str, list[int]]:
    """The four demo logins at the provincial office, plus two officers and a
    mediator per Hubei office so cases have handlers everywhere."""
    # Demo logins skip the password policy on purpose: one published password
    # for every demo account (it passes the policy today, but need not).
    password_hash = hash_password(DEMO_PASSWORD)
    taken = set(db.session.scalars(sa.select(User.username)))
    wanted = [(u, n, r, pw, "HB") for u, n, r, pw in DEMO_USERS]
    for code, *_ in names.HUBEI_OFFICES:
        slug = code.lower().replace("-", "_")
        wanted += [(f"{slug}_officer1", gen.person_name(), [Role.OFFICER], False, code),
                   (f"{slug}_officer2", gen.person_name(), [Role.OFFICER], False, code),
                   (f"{slug}_mediator", gen.person_name(), [Role.MEDIATOR], False, code),
                   (f"{slug}_supervisor", gen.person_name(), [Role.SUPERVISOR], False, code)]
    for username, full_name, roles, province_wide, code in wanted:
        if username in taken:
            continue
        user = User(username=username, full_name=full_name, office=offices[code], password_hash=password_hash,
                    province_wide=province_wide, email=f"{username}@hbipa.example")
        user.role_rows = [UserRole(role=r) for r in roles]
        db.session.add(user)
    db.session.flush()
    handlers: dict[str, list[int]] = {}
    rows = db.session.execute(
        sa.select(User.id, Office.code, UserRole.role).join(Office, User.office_id == Office.id)
        .join(UserRole, UserRole.user_id == User.id).where(UserRole.role.in_([Role.OFFICER, Role.MEDIATOR]))
    )
    for user_id, code, role in rows:
        handlers.setdefault(f"{code}:{Role(role).value}", []).append(user_id)
    return handlers


MEDIATION_REGISTRY = [  # name, kind, region, mediators (the demo user `mediator` joins the first)
    ("湖北省知识产权纠纷人民调解委员会", "committee", "湖北", ["周文静", "吴国庆"]),
    ("武汉市知识产权纠纷人民调解委员会", "committee", "武汉", ["郑海峰"]),
    ("湖北省专利保护协会", "association", "湖北", ["孙立新"]),
    ("武汉东湖高新区知识产权保护工作站", "workstation", "武汉", ["何晓梅"]),
    ("湖北珞珈律师事务所", "lawyer", "武汉", ["罗建平"]),
    ("武汉知识产权法庭", "court", "武汉", []),
]


def _ensure_mediation_registry() -> None:
    from casesys.mediation.models import MediationOrganisation, Mediator

    if db.session.scalar(sa.select(sa.func.count()).select_from(MediationOrganisation)):
        return
    demo_mediator = db.session.scalar(sa.select(User).where(User.username == "mediator"))
    for index, (name, kind, region, people) in enumerate(MEDIATION_REGISTRY):
        organisation = MediationOrganisation(name=name, kind=kind, region=region, contact="027-87000000")
        db.session.add(organisation)
        if index == 0 and demo_mediator is not None:
            organisation.mediators.append(Mediator(name=demo_mediator.full_name, user_id=demo_mediator.id))
        for person in people:
            organisation.mediators.append(Mediator(name=person, phone="13800000000"))
    db.session.flush()


def _next_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _sequences() -> dict[tuple[int, str, int], int]:
    return {(s.office_id, s.kind, s.year): s.last_value for s in db.session.scalars(sa.select(NumberSequence))}


def generate_cases(count: int, *, seed: int = 2026, today: date | None = None, progress=None) -> int:
    """Add `count` demo cases; returns how many were written."""
    today = today or clock.today()
    gen = DemoGenerator(seed + _next_id(Case), today, set(db.session.scalars(sa.select(Patent.number))))
    rng = gen.rng
    offices = _ensure_offices()
    handlers = _ensure_users(offices, gen)
    _ensure_mediation_registry()
    hubei = [offices[code] for code, *_ in names.HUBEI_OFFICES]
    # The provincial office and Wuhan carry most of the load.
    office_weights = [25, 20] + [55 / (len(hubei) - 2)] * (len(hubei) - 2)
    partners = [o for o in offices.values() if o.is_partner]
    number_format = "{prefix}{type_word}字〔{year}〕{seq}号"
    type_words = {CaseType.ADJUDICATION: "裁", CaseType.MEDIATION: "调"}
    sequences = _sequences()
    ids = {m: _next_id(m) for m in (Case, Party, Agent, Patent, CasePatent, CaseEvent, CaseShare, ClockStop)}
    first_id = ids[Case]
    procedure_rows = ProcedureRows(rng, today, _case_staff())
    first_mediation = procedure_rows.ids[Mediation]
    written = 0
    while written < count:
        batch = min(BATCH, count - written)
        rows: dict[type, list[dict]] = {m: [] for m in ids}
        planned = []
        for _ in range(batch):
            case_type = CaseType.ADJUDICATION if rng.random() < 0.8 else CaseType.MEDIATION
            paths = ADJUDICATION_PATHS if case_type == CaseType.ADJUDICATION else MEDIATION_PATHS
            state, events, _ = _weighted(rng, paths)
            planned.append((case_type, state, events, gen.received_on(state)))
        # Numbers run in order of receipt within each office, type and year.
        planned.sort(key=lambda p: p[3])
        sketches = []
        for case_type, state, events, received in planned:
            case_id = ids[Case]; ids[Case] += 1
            office = rng.choices(hubei, weights=office_weights)[0]
            key = (office.id, f"case:{case_type.value}", received.year)
            sequences[key] = sequences.get(key, 0) + 1
            number = format_number(number_format, prefix=office.case_prefix, type_word=type_words[case_type],
                                   year=received.year, seq=sequences[key])
            industry, products = rng.choice(names.INDUSTRIES)
            parties = []
            for role, how_many in ((PartyRole.REQUESTER, rng.choices([1, 2], [85, 15])[0]),
                                   (PartyRole.RESPONDENT, rng.choices([1, 2, 3], [65, 25, 10])[0]),
                                   (PartyRole.THIRD_PARTY, 1 if rng.random() < 0.08 else 0)):
                for position in range(1, how_many + 1):
                    parties.append(gen.party(case_id, role, position, industry, ids[Party])); ids[Party] += 1
            first_agent = len(rows[Agent])
            for party in parties:
                if rng.random() < 0.5:
                    rows[Agent].append({"id": ids[Agent], "party_id": party["id"], "case_id": case_id,
                                        "name": gen.person_name(), "firm": rng.choice(names.FIRMS), "phone": gen.phone(),
                                        "authority": rng.choice(list(AgentAuthority)).value}); ids[Agent] += 1
            requester = parties[0]["name"]
            respondent = next(p["name"] for p in parties if p["role"] == PartyRole.RESPONDENT.value)
            patents = []
            if case_type == CaseType.ADJUDICATION or rng.random() < 0.8:
                for _ in range(rng.choices([1, 2], [85, 15])[0]):
                    patent = gen.patent(ids[Patent], requester, products, rng.randint(max(2003, received.year - 8), received.year - 1))
                    ids[Patent] += 1
                    rows[Patent].append(patent)
                    patents.append(patent)
                    rows[CasePatent].append({"id": ids[CasePatent], "case_id": case_id, "patent_id": patent["id"],
                                             "claims": rng.choice(["1", "1-3", "1,2", "1-5", "1,4,6"])}); ids[CasePatent] += 1
            product = rng.choice(products)
            kind_label = PatentType(patents[0]["patent_type"]).label if patents else ""
            if case_type == CaseType.ADJUDICATION:
                title = f"{requester}与{respondent}侵害{kind_label}专利权纠纷"
                procedure = Procedure.SIMPLIFIED if rng.random() < 0.35 else Procedure.ORDINARY
                if state == CaseState.DELIBERATION:  # SPEC §4: one handler, no panel to deliberate
                    procedure = Procedure.ORDINARY
                dispute = DisputeKind.INFRINGEMENT
            else:
                dispute = rng.choices(list(DisputeKind), [60, 15, 10, 10, 5])[0]
                title = f"{requester}与{respondent}{dispute.label}"
                procedure = None
            acts = rng.sample([a.value for a in InfringingAct], rng.randint(1, 3))
            office_place = names.PLACES[names.OFFICE_PLACE[office.code]]
            handler_pool = handlers.get(f"{office.code}:{'officer' if case_type == CaseType.ADJUDICATION else 'mediator'}") or handlers[f"{office.code}:officer"]
            closed_on = None
            accepted_on = received + timedelta(days=rng.randint(1, 7)) if EventKind.ACCEPTED in events else None
            moment = datetime.combine(received, time(9, 0))
            happened: dict[EventKind, date] = {}
            for step, kind in enumerate(events):
                if kind == EventKind.CLOSED:
                    span = 25 if procedure == Procedure.SIMPLIFIED else rng.randint(40, 110)
                    moment = datetime.combine(received + timedelta(days=span), time(16, 0))
                    closed_on = moment.date()
                elif step:
                    moment += timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 5))
                moment = min(moment, datetime.combine(today, time(8, 0)))
                happened[kind] = moment.date()
                rows[CaseEvent].append({"id": ids[CaseEvent], "case_id": case_id, "kind": kind.value,
                                        "occurred_at": moment - timedelta(hours=8), "actor_id": None,
                                        "summary": kind.label if kind != EventKind.REGISTERED else f"登记收案，案号 {number}",
                                        "details": {}}); ids[CaseEvent] += 1
            if state == CaseState.NOT_ACCEPTED:
                closed_on = received + timedelta(days=rng.randint(3, 15))
            if state == CaseState.FAILED:  # ends the day the mediation failed
                closed_on = happened[EventKind.MEDIATION_FAILED]
            if EventKind.ACCEPTED in happened:
                accepted_on = happened[EventKind.ACCEPTED]
            outcome = rng.choice(["infringement", "infringement", "dismissed"]) if EventKind.DECIDED in happened else None
            if state == CaseState.SUSPENDED:
                rows[ClockStop].append({"id": ids[ClockStop], "case_id": case_id, "kind": "suspension",
                                        "started_on": happened[EventKind.SUSPENDED], "ended_on": None,
                                        "reason": "被请求人已就涉案专利提出无效宣告请求",
                                        "reference": f"无效宣告请求受理通知书 4W{rng.randint(100000, 999999)}"})
                ids[ClockStop] += 1
            search_text = build_search_text(
                number, [(p["name"], p["credit_code"] or p["id_number"]) for p in parties], [p["number"] for p in patents],
                agents=[(a["name"], a["firm"]) for a in rows[Agent][first_agent:]],
                patent_titles=[p["title"] for p in patents])
            rows[Case].append({
                "id": case_id, "number": number, "office_id": office.id, "case_type": case_type.value,
                "procedure": procedure.value if procedure else None, "state": state.value, "dispute_kind": dispute.value,
                "title": title[:200],
                "requests": _requests_text(dispute, acts, product, rng),
                "accused_products": f"{product}（型号 {rng.choice('ABCDEFGHJK')}{rng.randint(100, 9999)}）",
                "infringing_acts": ",".join(acts),
                "places": f"{office_place[0]}{rng.choice(office_place[2])}",
                "facts_and_reasons": f"请求人系涉案专利的专利权人。请求人发现被请求人未经许可{'、'.join(InfringingAct(a).label for a in acts)}与涉案专利相同的{product}，落入涉案专利权利要求的保护范围。",
                "received_on": received, "accepted_on": accepted_on, "closed_on": closed_on,
                "handler_id": rng.choice(handler_pool), "created_by_id": None,
                "created_at": datetime.combine(received, time(1, 0)), "updated_at": datetime.combine(closed_on or received, time(8, 0)),
                "version": 1,
                "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True) if accepted_on else {},
                "short_answer_agreed": False, "extensions": 0, "converted_on": None,
                "served_on": happened.get(EventKind.SERVED), "answer_received_on": happened.get(EventKind.ANSWERED),
                "answer_forwarded_on": happened.get(EventKind.ANSWERED),
                "suspended_from": CaseState.ANSWER_PERIOD.value if state == CaseState.SUSPENDED else None,
                "decided_on": happened.get(EventKind.DECIDED), "decision_outcome": outcome, "decision_text": "",
                "decision_served_on": happened.get(EventKind.DECISION_SERVED),
                "closing_type": (outcome if state == CaseState.CLOSED and outcome else
                                 "not_accepted" if state == CaseState.NOT_ACCEPTED else
                                 "mediated" if state == CaseState.CLOSED else None),
                "search_text": search_text, "search_grams": search_grams(search_text),
            })
            rows[Party].extend(parties)
            sketches.append(CaseSketch(
                case_id, case_type, state, procedure, office.id, office.name, rows[Case][-1]["handler_id"], parties,
                {a["firm"] for a in rows[Agent][first_agent:]}, happened, closed_on))
            if rng.random() < 0.02:
                rows[CaseShare].append({"id": ids[CaseShare], "case_id": case_id, "office_id": rng.choice(partners).id,
                                        "reason": "鄂湘赣跨区域协作：协助调查取证"}); ids[CaseShare] += 1
        for model in (Case, Party, Agent, Patent, CasePatent, CaseEvent, CaseShare, ClockStop):
            if rows[model]:
                db.session.execute(sa.insert(model.__table__), rows[model])
        for sketch in sketches:
            procedure_rows.add(sketch)
        ids[CaseEvent] = procedure_rows.write(ids[CaseEvent])
        written += batch
        if progress:
            progress(batch)
    _store_sequences(sequences)
    _sync_id_sequences()
    from casesys.adjudication.recompute import recompute_deadlines

    # Rows written past the session are counted for the workload and the mediators' dashboard here;
    # the deadlines the recompute stores, by the recompute.
    new_cases = sa.select(Case.id).where(Case.id >= first_id)
    count_new(db.session.connection(), WORKLOAD, new_cases)
    count_new(db.session.connection(), MEDIATION_COUNTS, sa.select(Mediation.id).where(Mediation.id >= first_mediation))
    recompute_deadlines(only_case_ids=new_cases, today=today)
    return written


def _store_sequences(sequences) -> None:
    table = NumberSequence.__table__
    existing = {(s.office_id, s.kind, s.year) for s in db.session.scalars(sa.select(NumberSequence))}
    for (office_id, kind, year), value in sequences.items():
        if (office_id, kind, year) in existing:
            db.session.execute(sa.update(table).where(table.c.office_id == office_id, table.c.kind == kind,
                                                      table.c.year == year).values(last_value=value))
        else:
            db.session.execute(sa.insert(table).values(office_id=office_id, kind=kind, year=year, last_value=value))


def _case_staff() -> dict[int, list[int]]:
    """Each office's officers and supervisors: who may sit on a panel (SPEC §3)."""
    staff: dict[int, list[int]] = {}
    rows = db.session.execute(sa.select(User.office_id, User.id).join(UserRole, UserRole.user_id == User.id)
                              .where(UserRole.role.in_([Role.OFFICER, Role.SUPERVISOR])).distinct().order_by(User.id))
    for office_id, user_id in rows:
        staff.setdefault(office_id, []).append(user_id)
    return staff


def _sync_id_sequences() -> None:
    """Explicit ids bypass PostgreSQL's serial sequences: move them past the max."""
    if db.engine.dialect.name != "postgresql":
        return
    from casesys.demo.procedure import MEDIATION_MODELS

    for model in (Case, Party, Agent, Patent, CasePatent, CaseEvent, CaseShare, ClockStop, *MEDIATION_MODELS):
        table = model.__tablename__
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))


def database_is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@click.command("demo-data")
@click.option("--cases", "count", default=2000, show_default=True, help="要生成的案件数")
@click.option("--if-empty", is_flag=True, help="仅在数据库为空时生成")
@click.option("--seed", default=2026, show_default=True)
@with_appcontext
def demo_data_command(count: int, if_empty: bool, seed: int):
    """Fill the database with demo offices, users and cases (never in production)."""
    if not current_app.config.get("DEMO_DATA_ALLOWED"):
        raise click.ClickException("生产环境不允许生成演示数据。")
    if if_empty and not database_is_empty():
        click.echo("数据库已有数据，跳过演示数据。")
        return
    started = perf_counter()  # a duration, not a date
    with click.progressbar(length=count, label="生成演示案件", show_pos=True, show_eta=True) as bar:
        generate_cases(count, seed=seed, progress=bar.update)
        db.session.commit()
    from casesys.demo.referrals import generate_referrals  # SPEC §6: partners and referrals in every state

    generate_referrals()
    db.session.commit()
    from casesys.demo.public import publish_demo_items
    from casesys.documents.rendering import DocumentError

    try:  # SPEC §7: the public site has content from the start
        shown = publish_demo_items()
        db.session.commit()
        click.echo(f"公开网站：{shown['rulings']} 份裁决书、{shown['typical']} 个典型案例、{shown['dishonesty']} 个失信典型案例。")
    except DocumentError as error:  # no CJK font: the cases stay, the public site starts empty
        db.session.rollback()
        click.echo(f"未生成公开内容：{error}")
    seconds = perf_counter() - started
    click.echo(f"已生成 {count} 件演示案件，用时 {seconds:.1f} 秒。演示账号密码：{DEMO_PASSWORD}")

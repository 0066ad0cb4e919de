"""Status names the same on every page (issue 16.17): every state a page shows
comes from the domain's labels (`casesys.core.labels.state_label`) through the
`state_text` macro, which marks it `data-state="kind:state[:procedure]"`. The
pages that show states are rendered over demo data in every state; each shown
name must be the domain's name of that state, and one state one name across
all pages, lists, charts and exports."""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.core.labels import state_label
from casesys.domain.enums import PROCEDURE_STATE_LABELS, CaseState, case_state_label, case_state_labels
from casesys.domain.mediation import MediationStatus
from casesys.domain.referrals import ReferralState

TODAY = date(2026, 10, 11)
SHOWN = re.compile(r'<span[^>]*\bdata-state="([^"]+)"[^>]*>([^<]*)</span>')
ROOT = Path(__file__).resolve().parents[2] / "casesys"


@pytest.fixture
def demo(db):
    from casesys.demo.data import generate_cases
    from casesys.demo.referrals import generate_referrals

    with clock.frozen(TODAY):
        generate_cases(400, seed=16, today=TODAY)
        db.session.commit()
        generate_referrals(TODAY)
        # The demo keeps simplified cases out of 合议; one at the end of its hearing (审理终结).
        from casesys.cases.models import Case
        from casesys.domain.enums import Procedure

        simplified = db.session.scalar(sa.select(Case).where(Case.procedure == Procedure.SIMPLIFIED,
                                                             Case.state == CaseState.ANSWER_PERIOD).limit(1))
        simplified.state = CaseState.DELIBERATION
        db.session.commit()


def _login(client, username: str) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": username, "password": "casesys-demo"}).status_code == 302


def _shown(html: str) -> list[tuple[str, str]]:
    return SHOWN.findall(html)


def _key(marker: str) -> tuple[str, str, str]:
    """A state as the names know it: a case's procedure counts only where it changes the name."""
    kind, state, *procedure = marker.split(":")
    procedure = procedure[0] if procedure else ""
    if kind != "case" or (procedure, state) not in PROCEDURE_STATE_LABELS:
        procedure = ""
    return kind, state, procedure


def _section(html: str, marker: str) -> str:
    return re.search(rf"<[^>]*{re.escape(marker)}.*?</(section|table)>", html, re.S).group(0)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_every_page_names_each_state_as_the_domain_does(client, db, demo):
    from casesys.auth.models import User
    from casesys.cases.models import Case
    from casesys.domain.enums import OPEN_STATES

    names: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    pages: dict[str, str] = {}

    with clock.frozen(TODAY):
        _login(client, "supervisor")
        for state in CaseState:
            page = client.get(f"/cases?state={state.value}").get_data(as_text=True)
            rows = page.count('class="case-number"')
            assert len(_shown(page)) == rows, f"/cases?state={state.value}: a row without its state"
            pages[f"/cases?state={state.value}"] = page
        # One case page for each state and procedure there is.
        samples = db.session.execute(sa.select(sa.func.min(Case.id)).group_by(Case.state, Case.procedure)).scalars()
        for case_id in samples:
            pages[f"/cases/{case_id}"] = client.get(f"/cases/{case_id}").get_data(as_text=True)
            assert _shown(pages[f"/cases/{case_id}"]), case_id
        dashboard = client.get("/dashboard?period=all").get_data(as_text=True)
        pages["/dashboard"] = dashboard
        by_state = _section(dashboard, 'data-table="by_state"')
        assert len(_shown(by_state)) == by_state.count("<tr") - 2  # less the header and 合计
        mediation_rows = _section(dashboard, 'data-table="mediation"')
        assert len(_shown(mediation_rows)) == len(MediationStatus)
        pages["/mediation/dashboard"] = client.get("/mediation/dashboard").get_data(as_text=True)
        assert len(_shown(pages["/mediation/dashboard"])) == len(MediationStatus)
        supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
        handler = db.session.scalar(sa.select(Case.handler_id).where(
            Case.office_id == supervisor.office_id, Case.state.in_(OPEN_STATES)).group_by(Case.handler_id)
            .order_by(sa.func.count().desc()).limit(1))
        workload = client.get(f"/workload?handler={handler}").get_data(as_text=True)
        open_cases = re.search(r'data-testid="open-cases">(.*?)</tbody>', workload, re.S).group(1)
        assert open_cases.count("<tr>") > 0 and len(_shown(workload)) == open_cases.count("<tr>")
        pages["/workload"] = workload

        _login(client, "officer")
        todo = client.get("/todo").get_data(as_text=True)
        assert len(_shown(todo)) == todo.count('class="case-number"') + todo.count('href="/referrals/')
        pages["/todo"] = todo
        for box in ("inbox", "outbox"):
            listing = client.get(f"/referrals?box={box}").get_data(as_text=True)
            assert len(_shown(listing)) == listing.count('href="/referrals/') - listing.count('href="/referrals/new')
            pages[f"/referrals?box={box}"] = listing

        for url, html in pages.items():
            for marker, text in _shown(html):
                kind, state, *procedure = marker.split(":")
                assert text == state_label(kind, state, procedure[0] if procedure else None), (url, marker, text)
                names[_key(marker)].add(text)

        # The exports name the states as the pages do.
        _login(client, "supervisor")
        exported = _csv(client.get("/cases?format=csv"))
        column = exported[0].index("状态")
        expected = {number: case_state_label(state, procedure) for number, state, procedure in
                    db.session.execute(sa.select(Case.number, Case.state, Case.procedure))}
        assert all(row[column] == expected[row[0]] for row in exported[1:])
        _login(client, "officer")
        todo_export = _csv(client.get("/todo?format=csv"))
        assert todo_export[0][4] == "案件状态" and len(todo_export) > 1
        assert {row[4] for row in todo_export[1:]} <= case_state_labels()
        for box in ("inbox", "outbox"):
            referrals = _csv(client.get(f"/referrals?box={box}&format=csv"))
            assert referrals[0][5] == "状态" and {row[5] for row in referrals[1:]} <= {s.label for s in ReferralState}

    # Every state the demo holds was seen, each under one name.
    shown_states = {(kind, state) for kind, state, _ in names}
    assert {("case", s.value) for s in CaseState} <= shown_states
    assert {("mediation", s.value) for s in MediationStatus} <= shown_states
    assert ("case", "deliberation") in shown_states and ("case", "deliberation", "simplified") in names
    assert not {key: labels for key, labels in names.items() if len(labels) != 1}
    # A mediation stage and the case state of the same name are one name.
    for status in (MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING, MediationStatus.AGREED,
                   MediationStatus.FAILED):
        assert names[("mediation", status.value, "")] == names[("case", status.value, "")]


def test_no_template_or_script_names_a_state_by_itself():
    """States reach pages only through `state_text` (templates) or data from
    the server (scripts): no `.state.label` in a page template, no state name
    written into a script."""
    labels = case_state_labels() | {s.label for s in MediationStatus} | {s.label for s in ReferralState}
    templates = [p for p in (ROOT / "templates").rglob("*.html") if "pdf" not in p.parts]
    direct = [str(p) for p in templates if re.search(r"\b(state|status)\.label\b", p.read_text())]
    assert not direct
    scripts = {p.name: p.read_text() for p in (ROOT / "static" / "js").glob("*.js")}
    named = {(name, label) for name, text in scripts.items() for label in labels if f'"{label}' in text}
    assert not named

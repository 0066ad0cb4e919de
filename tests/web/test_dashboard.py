"""The supervisors' dashboard (SPEC §10): every number links to the case list
filtered to exactly those cases — the count and the list agree."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.domain.enums import Role
from tests.conftest import shared_rows

TOTAL = re.compile(r"共\s*(\d+)\s*件")
TODAY = date(2026, 10, 11)


@pytest.fixture(autouse=True)
def on_today():
    """The whole test on TODAY, logins included (a login lasts a day), so it
    runs the same whatever the machine's date."""
    with clock.frozen(TODAY):
        yield


@shared_rows
def demo(db):
    """600 demo cases in every state, plus mediations with agreements (the
    demo generator writes none)."""
    from casesys.cases.models import Case, Party
    from casesys.demo.data import generate_cases
    from casesys.domain.enums import CaseType, PartyRole
    from casesys.domain.mediation import MediationStatus, TermKind
    from casesys.mediation.models import Agreement, AgreementTerm, Mediation

    with clock.frozen(TODAY):
        generate_cases(600, seed=11, today=TODAY)
        mediations = db.session.scalars(sa.select(Case).where(Case.case_type == CaseType.MEDIATION)
                                        .order_by(Case.id).limit(8)).all()
        for index, case in enumerate(mediations):
            status = [MediationStatus.AGREED, MediationStatus.FAILED, MediationStatus.PARTIAL,
                      MediationStatus.MEDIATING][index % 4]
            mediation = Mediation(case_id=case.id, status=status, requested_on=case.received_on,
                                  consent_due_on=case.received_on + timedelta(days=15))
            db.session.add(mediation)
            if status in (MediationStatus.AGREED, MediationStatus.PARTIAL):
                parties = db.session.scalars(sa.select(Party).where(Party.case_id == case.id)
                                             .order_by(Party.role)).all()
                debtor = next(p for p in parties if p.role == PartyRole.RESPONDENT)
                agreement = Agreement(mediation=mediation, concluded_on=TODAY - timedelta(days=40),
                                      effective_on=TODAY - timedelta(days=40))
                db.session.add(agreement)
                db.session.add(AgreementTerm(agreement=agreement, debtor_id=debtor.id, creditor_id=parties[0].id,
                                             kind=TermKind.MONEY, due_on=TODAY - timedelta(days=10),
                                             done_on=TODAY - timedelta(days=12) if index % 3 else None))
        # A repeat respondent: one company (credit code) answering three requests.
        respondents = db.session.scalars(
            sa.select(Party).where(Party.role == PartyRole.RESPONDENT, Party.credit_code.is_not(None))
            .order_by(Party.id).limit(3)).all()
        for party in respondents[1:]:
            party.credit_code, party.name = respondents[0].credit_code, respondents[0].name
        db.session.commit()


def _login(client, username: str):
    response = client.post("/login", data={"username": username, "password": "casesys-demo"})
    assert response.status_code == 302


def _drill_downs(page: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(value))
            for href, value in re.findall(r'href="(/cases\?[^"]*)" data-drill="(\d+)"', page)]


def _total(page: str) -> int:
    return int(re.search(r'data-testid="total">(\d+)<', page).group(1))


def _list_total(client, href: str) -> int:
    return int(TOTAL.search(client.get(href).get_data(as_text=True)).group(1))


@pytest.mark.parametrize("username", ["supervisor", "hb_wh_supervisor"])
def test_every_number_on_the_dashboard_is_the_length_of_its_list(client, demo, username):
    """Province-wide and one city office, over the whole register."""
    _login(client, username)
    with clock.frozen(TODAY):
        page = client.get("/dashboard?period=all").get_data(as_text=True)
        links = _drill_downs(page)
        assert len(links) > 40
        kinds = {re.sub(r"=[^&]*", "", href.split("?")[1]) for href, n in links if n}
        every = ("state", "limit", "overdue", "requester_type", "mediation", "terms", "closed", "respondent")
        for drill_down in every if username == "supervisor" else every[:5]:
            assert any(drill_down in k for k in kinds), drill_down
        wrong = [(href, n, total) for href, n in links if (total := _list_total(client, href)) != n]
    assert not wrong


def test_filtered_by_period_and_office_the_numbers_still_agree(client, demo, db):
    from casesys.auth.models import Office

    _login(client, "supervisor")
    office = db.session.scalar(sa.select(Office).where(Office.code == "HB-WH"))
    with clock.frozen(TODAY):
        query = urlencode({"date_from": "2025-01-01", "date_to": "2026-06-30", "office_id": office.id})
        page = client.get(f"/dashboard?{query}").get_data(as_text=True)
        links = _drill_downs(page)
        assert links and all(f"office_id={office.id}" in href for href, _ in links)
        starts = [re.search(r"date_from=([\d-]+)", href).group(1) for href, _ in links]
        assert min(starts) == "2025-01-01" and "2026-06-01" in starts
        assert all(_list_total(client, href) == n for href, n in links)


def test_a_city_supervisor_sees_only_their_office(client, demo, db):
    from casesys.auth.models import Office, User

    _login(client, "hb_wh_supervisor")
    user = db.session.scalar(sa.select(User).where(User.username == "hb_wh_supervisor"))
    other = db.session.scalar(sa.select(Office).where(Office.id != user.office_id, Office.is_partner.is_(False)))
    with clock.frozen(TODAY):
        page = client.get(f"/dashboard?period=all&office_id={other.id}").get_data(as_text=True)
    assert user.office.name in page
    assert all(f"office_id={user.office_id}" in href for href, _ in _drill_downs(page))


def test_the_figures_are_cached_and_say_how_fresh_they_are(client, demo, db, factory):
    from casesys.oversight.models import DashboardSnapshot

    _login(client, "supervisor")
    with clock.frozen(TODAY):
        first = client.get("/dashboard?period=all").get_data(as_text=True)
        total = _total(first)
        assert "数据生成于" in first and "0 分钟前" in first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DashboardSnapshot)) == 1
        officer = factory.user(Role.OFFICER, office=factory.office(prefix="测知保"))
        factory.case(officer, received_on=TODAY)
        # Cached: the new case is not counted until the figures are refreshed.
        assert _total(client.get("/dashboard?period=all").get_data(as_text=True)) == total
        response = client.post("/dashboard/refresh", data={"period": "all"})
        assert response.status_code == 302 and "period=all" in response.location
        assert _total(client.get("/dashboard?period=all").get_data(as_text=True)) == total + 1


def test_fresh_figures_are_shown_without_writing_or_reading_the_user_again(client, demo, db):
    """Issue 12: a unit committed for nothing expired the logged-in user, read again for the menu."""
    _login(client, "supervisor")
    seen: list[str] = []
    listener = lambda conn, cursor, statement, *rest: seen.append(statement)  # noqa: E731
    with clock.frozen(TODAY):
        client.get("/dashboard?period=all")
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            client.get("/dashboard?period=all")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert sum(bool(re.search(r"\bFROM users\b", statement)) for statement in seen) == 1, seen
    assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_bad_filters_are_reported_not_a_500(client, demo):
    _login(client, "supervisor")
    with clock.frozen(TODAY):
        response = client.get("/dashboard?date_from=2026-13-45&date_to=yesterday&office_id=abc")
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)


def test_officers_may_not_see_the_dashboard(client, demo):
    _login(client, "officer")
    assert client.get("/dashboard").status_code == 403


def test_the_monthly_report_as_xlsx_and_pdf(client, demo):
    import io

    from openpyxl import load_workbook

    _login(client, "hb_wh_supervisor")
    with clock.frozen(TODAY):
        response = client.get("/dashboard/report?month=2026-09&format=xlsx")
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        assert workbook.sheetnames[0] == "按状态和程序" and "审理期限内结案" in workbook.sheetnames
        by_state = list(workbook["按状态和程序"].iter_rows(values_only=True))
        page = client.get("/dashboard?date_from=2026-09-01&date_to=2026-09-30").get_data(as_text=True)
        assert by_state[-1][-1] == _total(page)
        pdf = client.get("/dashboard/report?month=2026-09&format=pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
        import pdfplumber

        text = "".join(p.extract_text() for p in pdfplumber.open(io.BytesIO(pdf.data)).pages)
        assert "2026年9月" in text and "武汉市知识产权局" in text and "按期结案率" in text
        assert client.get("/dashboard/report?month=1999-01&format=pdf").status_code == 302


def test_stale_figures_are_shown_while_a_job_recomputes_them(client, demo, db):
    from datetime import timedelta

    from casesys.jobs.worker import run_due_jobs
    from casesys.oversight.models import DashboardSnapshot

    _login(client, "supervisor")
    with clock.frozen(TODAY):
        total = _total(client.get("/dashboard?period=all").get_data(as_text=True))
        snapshot = db.session.scalar(sa.select(DashboardSnapshot))
        snapshot.computed_at -= timedelta(hours=1)
        snapshot.figures = {**snapshot.figures, "total": total - 5}
        db.session.commit()
        stale = client.get("/dashboard?period=all").get_data(as_text=True)
        assert _total(stale) == total - 5 and "60 分钟前" in stale
        client.get("/dashboard?period=all")  # a second look asks for no second job
        assert run_due_jobs() == 1
        assert _total(client.get("/dashboard?period=all").get_data(as_text=True)) == total


# --- 鄂湘赣 referrals by partner with response times (SPEC §6, §10) -------------------------

REFERRAL_TOTAL = re.compile(r"共\s*(\d+)\s*项")


@pytest.fixture
def referral_world(db, factory):
    """The provincial office and a city office of Hubei, a Hunan and a Jiangxi
    partner; referrals both ways with known dates (the partners answer on
    paper, entered with the letter's date)."""
    from casesys.domain.referrals import ReferralAction as A
    from casesys.domain.referrals import ReferralKind as K
    from casesys.domain.referrals import Side
    from casesys.referrals.services import ActionInput, ReferralData, act_on_referral, create_referral

    hubei = factory.office(prefix="鄂统", name="湖北统计局", level="province")
    city = factory.office(prefix="汉统", name="武汉统计局")
    hunan = factory.office(prefix="湘统", name="湖南协作局", province="湖南", is_partner=True)
    jiangxi = factory.office(prefix="赣统", name="江西协作局", province="江西", is_partner=True)
    officer = {o.id: factory.user(Role.OFFICER, office=o) for o in (hubei, city, hunan, jiangxi)}
    supervisor = factory.user(Role.SUPERVISOR, office=hubei, province_wide=True)
    city_supervisor = factory.user(Role.SUPERVISOR, office=city)

    def referral(sender, receiver, sent, *steps):
        """steps: (action, day); the receiver's steps by the receiver's side."""
        with clock.frozen(sent):
            made = create_referral(ReferralData(K.INVESTIGATION_HELP, receiver, f"{sender.name}→{receiver.name}",
                                                "请协助"), actor=officer[sender.id])
            act_on_referral(made, A.SEND, side=Side.SENDER, actor=officer[sender.id])
        for action, day in steps:
            side = Side.SENDER if action == A.CLOSE else Side.RECEIVER
            with clock.frozen(day):
                act_on_referral(made, action, side=side, actor=officer[sender.id if side == Side.SENDER else receiver.id],
                                data=ActionInput(text="已办理" if action in (A.REPLY, A.DECLINE) else "", on=day))
        return made

    d = lambda m, day: date(2026, m, day)  # noqa: E731
    # Hubei → Hunan: acknowledged after 2 and 4 days, replied 6 days after receipt; one still open
    # and its reply overdue (15 working days from 9-05).
    referral(hubei, hunan, d(8, 3), (A.RECEIVE, d(8, 5)), (A.ACCEPT, d(8, 5)), (A.START, d(8, 6)),
             (A.REPLY, d(8, 11)), (A.CLOSE, d(8, 12)))
    referral(hubei, hunan, d(9, 1), (A.RECEIVE, d(9, 5)))
    # Hubei → Jiangxi: never acknowledged (overdue); the city office → Jiangxi: declined.
    referral(hubei, jiangxi, d(9, 20))
    referral(city, jiangxi, d(9, 7), (A.RECEIVE, d(9, 8)), (A.DECLINE, d(9, 10)))
    # Jiangxi → Hubei, received after 1 day; Hunan → the city office long ago (outside a recent period).
    referral(jiangxi, hubei, d(9, 25), (A.RECEIVE, d(9, 26)))
    referral(hunan, city, date(2025, 3, 2), (A.RECEIVE, date(2025, 3, 3)))
    # Between two Hubei offices: the city's own figures, not the province's 鄂湘赣 ones.
    referral(hubei, city, d(9, 2), (A.RECEIVE, d(9, 3)))
    with clock.frozen(d(9, 28)):  # a draft is no referral yet
        create_referral(ReferralData(K.CLUE_TRANSFER, hunan, "草稿", "未发出"), actor=officer[hubei.id])
    db.session.commit()
    return {"hubei": hubei, "city": city, "hunan": hunan, "jiangxi": jiangxi, "supervisor": supervisor,
            "city_supervisor": city_supervisor}


def _referral_rows(page: str) -> dict[tuple[str, str], list[str]]:
    section = re.search(r'<section[^>]*data-table="referrals".*?</section>', page, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) > 2:
            rows[(cells[0], cells[1])] = cells[2:]
    return rows


def _referral_drill_downs(page: str) -> list[tuple[str, int]]:
    return [(href.replace("&amp;", "&"), int(value))
            for href, value in re.findall(r'href="(/referrals\?[^"]*)" data-drill-referrals="(\d+)"', page)]


def _referral_list_total(client, href: str) -> int:
    return int(REFERRAL_TOTAL.search(client.get(href).get_data(as_text=True)).group(1))


def test_referrals_by_partner_with_response_times_and_every_count_is_its_list(client, login_as, referral_world):
    world = referral_world
    login_as(world["supervisor"])
    with clock.frozen(TODAY):
        page = client.get("/dashboard?period=all").get_data(as_text=True)
        rows = _referral_rows(page)
        # count, open, overdue, acknowledged, ack mean, ack median, answered, reply mean, reply median
        assert rows[("湖南协作局", "发出")] == ["2", "1", "1", "2", "3.0", "3.0", "1", "6.0", "6.0"]
        assert rows[("江西协作局", "发出")] == ["2", "2", "1", "1", "1.0", "1.0", "1", "2.0", "2.0"]
        assert rows[("江西协作局", "收到")] == ["1", "1", "0", "1", "1.0", "1.0", "0", "—", "—"]
        assert rows[("湖南协作局", "收到")][:2] == ["1", "1"]
        assert ("武汉统计局", "发出") not in rows and ("湖北统计局", "收到") not in rows  # within Hubei
        assert rows[("全部协作机关", "发出")][:3] == ["4", "3", "2"]
        assert 'data-chart=' in page.split('data-table="referrals"')[1].split("</section>")[0]
        links = _referral_drill_downs(page)
        assert len(links) >= 30 and all("province=1" in href for href, _ in links)
        wrong = [(href, n, total) for href, n in links if (total := _referral_list_total(client, href)) != n]
        assert not wrong
        # The period: only referrals sent in it; the links carry it.
        recent = client.get("/dashboard?date_from=2026-09-01&date_to=2026-09-30").get_data(as_text=True)
        rows = _referral_rows(recent)
        assert rows[("湖南协作局", "发出")][:2] == ["1", "1"] and ("湖南协作局", "收到") not in rows
        links = _referral_drill_downs(recent)
        assert links and all("sent_from=2026-09-01" in href and "sent_to=2026-09-30" in href for href, _ in links)
        assert all(_referral_list_total(client, href) == n for href, n in links)


def test_referral_figures_of_one_office_include_its_referrals_within_hubei(client, login_as, referral_world):
    world = referral_world
    city = world["city"]
    for user, query in ((world["supervisor"], f"period=all&office_id={city.id}"),
                        (world["city_supervisor"], f"period=all&office_id={world['hubei'].id}")):
        login_as(user)
        with clock.frozen(TODAY):
            page = client.get(f"/dashboard?{query}").get_data(as_text=True)
            rows = _referral_rows(page)
            assert set(rows) == {("江西协作局", "发出"), ("湖北统计局", "收到"), ("湖南协作局", "收到"),
                                 ("全部协作机关", "发出"), ("全部协作机关", "收到")}
            links = _referral_drill_downs(page)
            assert links and all(f"office_id={city.id}" in href for href, _ in links)
            assert all(_referral_list_total(client, href) == n for href, n in links)
        client.post("/logout")


def test_the_referral_table_exports_and_its_list_exports(client, login_as, referral_world):
    import csv
    import io

    world = referral_world
    login_as(world["supervisor"])
    with clock.frozen(TODAY):
        table = list(csv.reader(io.StringIO(client.get("/dashboard?period=all&table=referrals&format=csv")
                                            .get_data().decode("utf-8-sig"))))
        assert table[0][:5] == ["协作机关", "方向", "事项数", "未办结", "逾期"]
        assert ["湖南协作局", "发出", "2", "1", "1", "2", "3.0", "3.0", "1", "6.0", "6.0"] in table
        listed = list(csv.reader(io.StringIO(client.get(
            f"/referrals?province=1&box=outbox&sent=1&partner={world['hunan'].id}&format=csv")
            .get_data().decode("utf-8-sig"))))
        assert listed[0][:6] == ["编号", "类型", "事由", "发出机关", "接收机关", "状态"]
        assert len(listed) == 3 and {r[4] for r in listed[1:]} == {"湖南协作局"}
        assert {r[5] for r in listed[1:]} == {"已办结", "已签收"}


def test_only_a_province_wide_supervisor_lists_other_offices_referrals(client, login_as, referral_world):
    world = referral_world
    login_as(world["city_supervisor"])
    page = client.get("/referrals?province=1&box=outbox&sent=1").get_data(as_text=True)
    assert "武汉统计局" in page and "全省" not in page.split("</h1>")[0]
    # The city office's own outbox, whatever was asked: its one sent referral.
    assert REFERRAL_TOTAL.search(page).group(1) == "1"

"""Finding cases (SPEC §2): number in any bracket variant, party names,
codes, patent numbers, filters, and only what the user may see."""
from datetime import date

import pytest

from casesys.casepage.search import CaseFilters, search_cases
from casesys.domain.enums import CaseState, CaseType, PartyRole, Role


@pytest.fixture
def officer(factory):
    return factory.user(Role.OFFICER, office=factory.office(prefix="鄂知保"))


def _found(user, **filters) -> list[str]:
    return [c.number for c in search_cases(user, CaseFilters(**filters), per_page=50).items]


@pytest.mark.parametrize("typed", [
    "鄂知保裁字〔2026〕12号", "鄂知保裁字[2026]12号", "鄂知保裁字【2026】12号", "鄂知保裁字(2026)12号",
    "鄂知保裁字（２０２６）１２号", "鄂知保裁字［2026］12号", " 鄂知保裁字〔2026〕12号 ",
])
def test_case_number_in_any_bracket_variant(db, factory, officer, typed):
    from casesys.core.database import next_in_sequence

    for _ in range(11):  # the case below is number 12
        next_in_sequence(officer.office_id, "case:adjudication", 2026)
    case = factory.case(officer, received_on=date(2026, 2, 1))
    factory.case(officer, received_on=date(2026, 2, 2))  # number 13 must not match 12
    assert case.number == "鄂知保裁字〔2026〕12号"
    assert _found(officer, q=typed) == [case.number]


def test_partial_number_finds_all_of_that_year(factory, officer):
    a = factory.case(officer, received_on=date(2025, 5, 1))
    b = factory.case(officer, received_on=date(2026, 5, 1))
    assert _found(officer, q="裁字[2025]") == [a.number]
    assert set(_found(officer, q="鄂知保")) == {a.number, b.number}


@pytest.mark.parametrize("typed", ["光谷激光", "光谷", "激光科技有限", "科"])
def test_party_name_substring_of_any_length(factory, officer, typed):
    hit = factory.case(officer, requester="武汉光谷激光科技有限公司")
    factory.case(officer, requester="宜昌三峡机械制造有限公司", respondents=("荆州古城电子有限公司",))
    assert hit.number in _found(officer, q=typed)
    assert len(_found(officer, q=typed)) == 1


def test_respondent_second_of_several_is_found(factory, officer):
    case = factory.case(officer, respondents=("甲公司", "长沙洞庭湖农业科技有限公司"))
    assert _found(officer, q="洞庭湖农业") == [case.number]


def test_credit_code_and_patent_number_in_any_form(factory, officer):
    case = factory.case(officer, patent_number="ZL202310123456.6")
    factory.case(officer)
    code = next(p.credit_code for p in case.parties if p.credit_code)
    assert _found(officer, q=code) == [case.number]
    assert _found(officer, q=code.lower()) == [case.number]
    for typed in ("ZL202310123456.6", "202310123456.6", "2023101234566", "ＺＬ２０２３１０１２３４５６．６", "zl 202310123456.6"):
        assert _found(officer, q=typed) == [case.number], typed


def test_wildcards_are_literal(factory, officer):
    factory.case(officer)
    assert _found(officer, q="%") == []
    assert _found(officer, q="_") == []
    assert _found(officer, q='"') == []


def test_filters_and_sorting(db, factory, officer):
    old = factory.case(officer, received_on=date(2024, 1, 10))
    new = factory.case(officer, received_on=date(2026, 6, 1))
    mediation = factory.case(officer, case_type=CaseType.MEDIATION, received_on=date(2026, 7, 1))
    new.state = CaseState.ACCEPTED
    db.session.commit()
    assert _found(officer, case_type="mediation") == [mediation.number]
    assert _found(officer, state="accepted") == [new.number]
    assert _found(officer, procedure="ordinary", sort="received_asc") == [old.number, new.number]
    assert _found(officer, date_from=date(2026, 1, 1), date_to=date(2026, 6, 30)) == [new.number]
    assert _found(officer) == [mediation.number, new.number, old.number]
    assert _found(officer, handler_id=officer.id, sort="received_asc")[0] == old.number


def test_other_offices_cases_are_invisible_unless_shared(db, factory, officer):
    from casesys.cases.models import CaseShare

    stranger = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保", province="湖南"))
    theirs = factory.case(stranger, requester="株洲动力机车配件有限公司")
    assert _found(officer, q="株洲动力") == []
    db.session.add(CaseShare(case_id=theirs.id, office_id=officer.office_id, reason="协助调查取证"))
    db.session.commit()
    assert _found(officer, q="株洲动力") == [theirs.number]


def test_the_same_search_by_two_offices_finds_each_its_own(factory, officer):
    """The list's statements are built once per shape (issue 12) and shared by
    every user: the office and the text are bound per request, never kept."""
    stranger = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保", province="湖南"))
    ours, theirs = factory.case(officer, requester="株洲动力机车有限公司"), factory.case(stranger, requester="株洲动力机车有限公司")
    for q in ("株洲动力", "株洲", "株", ""):
        assert _found(officer, q=q) == [ours.number]
        assert _found(stranger, q=q) == [theirs.number]
    assert _found(officer, q="动力机车", sort="received_asc") == [ours.number]
    assert _found(stranger, q="动力机车", sort="received_asc") == [theirs.number]


def test_province_wide_supervisor_sees_every_office(factory, officer):
    chief = factory.user(Role.SUPERVISOR, office=factory.office(prefix="鄂知保总"), province_wide=True)
    case = factory.case(officer)
    assert _found(chief) == [case.number]


def test_search_text_follows_party_edits(db, factory, officer):
    from casesys.cases.services import update_party

    case = factory.case(officer, respondents=("旧名称有限公司",))
    party = case.parties_in(PartyRole.RESPONDENT)[0]
    values = {k: getattr(party, k) for k in ("kind", "name", "id_number", "credit_code", "address", "phone",
                                             "legal_representative", "enterprise_type")}
    values["name"] = "新名称科技有限公司"
    update_party(party, expected_version=case.version, values=values, actor=officer)
    db.session.commit()
    assert _found(officer, q="新名称科技") == [case.number]
    assert _found(officer, q="旧名称有限") == []


def test_pagination_counts_and_pages(factory, officer):
    for _ in range(7):
        factory.case(officer)
    page = search_cases(officer, CaseFilters(page=2), per_page=3)
    assert (page.total, page.pages, len(page.items)) == (7, 3, 3)
    assert len(search_cases(officer, CaseFilters(page=3), per_page=3).items) == 1


def test_province_wide_count_without_any_filter_counts_every_case(factory):
    chief = factory.user(Role.SUPERVISOR, office=factory.office(), province_wide=True)
    for prefix in ("武知保", "宜知保", "襄知保"):  # offices have their own case-number prefix
        factory.case(factory.user(Role.OFFICER, office=factory.office(prefix=prefix)))
    assert search_cases(chief, CaseFilters(), per_page=2).total == 3


@pytest.mark.parametrize("q", ["", "光谷激光", "湘江", "长沙湘江机械制造"])
def test_plain_list_and_search_count_up_to_the_cap_and_every_page_stays_reachable(factory, officer, q):
    for _ in range(7):
        factory.case(officer)
    first = search_cases(officer, CaseFilters(q=q), per_page=2, count_up_to=3)
    assert (first.total, first.more, first.pages) == (3, True, 2)
    # Paging on past the counted cases: every case is still listed, once.
    seen, page = [], 1
    while True:
        result = search_cases(officer, CaseFilters(q=q, page=page), per_page=2, count_up_to=3)
        seen += [c.number for c in result.items]
        if page >= result.pages:
            break
        page += 1
    assert sorted(seen) == sorted(_found(officer, q=q)) and len(seen) == 7
    # Exactly at the cap: the count is exact, no "more".
    exact = search_cases(officer, CaseFilters(q=q), per_page=2, count_up_to=7)
    assert (exact.total, exact.more, exact.pages) == (7, False, 4)


def test_a_narrowed_list_counts_every_case_it_lists(factory, officer):
    """A figure of the dashboard opens a narrowed list: its count must equal the figure."""
    for _ in range(5):
        factory.case(officer)
    result = search_cases(officer, CaseFilters(state=CaseState.RECEIVED.value), per_page=2, count_up_to=3)
    assert (result.total, result.more, result.pages) == (5, False, 3)


def test_the_visibility_clause_of_each_kind_of_user(db, factory, officer):
    """`visible_cases_clause` (credit, publications): province-wide, one office, an office with shares."""
    import sqlalchemy as sa

    from casesys.cases.access import visible_cases_clause
    from casesys.cases.models import Case, CaseShare

    chief = factory.user(Role.SUPERVISOR, office=factory.office(prefix="鄂知保总"), province_wide=True)
    stranger = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保", province="湖南"))
    ours, theirs = factory.case(officer), factory.case(stranger)

    def seen(user):
        return set(db.session.scalars(sa.select(Case.id).where(visible_cases_clause(user))))

    assert (seen(chief), seen(officer), seen(stranger)) == ({ours.id, theirs.id}, {ours.id}, {theirs.id})
    db.session.add(CaseShare(case_id=theirs.id, office_id=officer.office_id, reason="协助调查取证"))
    db.session.commit()
    assert (seen(officer), seen(stranger)) == ({ours.id, theirs.id}, {theirs.id})


@pytest.mark.parametrize("q", ["光谷激光", "光谷"])
@pytest.mark.parametrize("count_up_to", [None, 3, 100])
def test_a_search_counts_the_same_on_every_page_and_past_the_last(factory, officer, count_up_to, q):
    """A search is counted beside its page's rows (issue 12): on PostgreSQL one of
    several pairs, on SQLite one its pairs decide (the FTS5 index read once for
    both); a page past the last has no rows to count beside, and still has the count."""
    for _ in range(5):
        factory.case(officer)
    expected = (3, True) if count_up_to == 3 else (5, False)
    for page in (1, 2, 3, 4):
        result = search_cases(officer, CaseFilters(q=q, page=page), per_page=2, count_up_to=count_up_to)
        assert (result.total, result.more) == expected, page
        assert len(result.items) == {1: 2, 2: 2, 3: 1, 4: 0}[page]
    narrowed = search_cases(officer, CaseFilters(q=q, state=CaseState.RECEIVED.value, page=9), per_page=2,
                            count_up_to=count_up_to)
    assert (narrowed.total, narrowed.more, narrowed.items) == (5, False, [])

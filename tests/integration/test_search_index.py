"""The pair index finds exactly what a plain substring scan finds (SPEC §2):
random names and agents, random queries, on each database."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casesys.casepage.search import ONE_CHARACTER_LIMIT, CaseFilters, is_one_character, search_cases, search_target
from casesys.cases.models import Case
from casesys.core.database import dialect_name
from casesys.domain.enums import PartyRole, Role
from casesys.domain.search import search_grams

# Few characters, so that random queries often hit: Chinese, both cases of
# ASCII letters, digits, punctuation LIKE treats specially, spaces.
ALPHABET = "长江华为格力科技公司AaZz01.-_%（） |"
NAMES = st.text(alphabet=ALPHABET, min_size=2, max_size=14).map(str.strip).filter(lambda s: len(s) >= 2)
_offices = itertools.count(1)


def _scan(user, typed: str) -> set[int]:
    """The plain substring scan the index must agree with (the search before the index)."""
    kind, text = search_target(typed)  # the same substring the search box looks for
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    column = Case.search_text.ilike if dialect_name() == "postgresql" else Case.search_text.like
    where = [Case.number == text if kind == "number" else column(pattern, escape="\\")]
    if not user.province_wide:
        where.append(Case.office_id == user.office_id)
    from casesys.extensions import db

    return set(db.session.scalars(sa.select(Case.id).where(*where)))


def _found(user, typed: str) -> set[int]:
    page = search_cases(user, CaseFilters(q=typed), per_page=10_000)
    assert page.total == len(page.items)
    return {row.id for row in page.items}


def _variant(text: str, how: str) -> str:
    middle = len(text) // 2
    return {"same": text, "swapcase": text.swapcase(), "drop_middle": text[:middle] + text[middle + 1:],
            "space_in_middle": text[:middle] + " " + text[middle:]}[how]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(st.tuples(NAMES, st.lists(NAMES, min_size=1, max_size=2), st.none() | NAMES),
                      min_size=1, max_size=5),
       queries=st.lists(st.text(alphabet=ALPHABET, min_size=2, max_size=5), max_size=3),
       data=st.data())
def test_index_finds_what_a_scan_finds(app, db, factory, cases, queries, data):
    office = factory.office(prefix=f"鄂知保{next(_offices)}")
    officer = factory.user(Role.OFFICER, office=office)
    chief = factory.user(Role.SUPERVISOR, office=office, province_wide=True)
    texts = []
    for requester, respondents, agent in cases:
        case = factory.case(officer, requester=requester, respondents=tuple(respondents), commit=False)
        if agent:  # an agent of the requester, stored as the register would
            from casesys.cases.models import Agent
            from casesys.cases.services import refresh_search_text

            case.parties[0].agents.append(Agent(case=case, name=agent, firm="长江律师事务所"))
            refresh_search_text(case)
        db.session.commit()
        texts.append(case.search_text)
    # Pieces of what is stored (as typed, in the other case, a character
    # left out, a space put in), so that queries hit and nearly hit.
    stored = " ".join(texts)
    for _ in range(6):
        # Fixed bounds (the stored text's length depends on case numbers: external state to hypothesis).
        start = data.draw(st.integers(0, 10_000)) % (len(stored) - 1)
        piece = stored[start:start + data.draw(st.integers(2, 6))]
        queries.append(_variant(piece, data.draw(st.sampled_from(["same", "swapcase", "drop_middle",
                                                                  "space_in_middle"]))))
    for typed in queries:
        if is_one_character(typed):
            continue  # a one-character query is limited, tested below
        for user in (officer, chief):
            assert _found(user, typed) == _scan(user, typed), (typed, texts)


def test_index_and_stored_pairs_follow_edits(db, factory):
    from casesys.cases.services import update_party

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer, respondents=("格力电器有限公司",))
    assert case.search_grams == search_grams(case.search_text)
    assert _found(officer, "格力") == {case.id}
    party = case.parties_in(PartyRole.RESPONDENT)[0]
    values = {k: getattr(party, k) for k in ("kind", "name", "id_number", "credit_code", "address", "phone",
                                             "legal_representative", "enterprise_type")}
    update_party(party, expected_version=case.version, values={**values, "name": "华为技术有限公司"}, actor=officer)
    db.session.commit()
    assert _found(officer, "华为") == {case.id}
    assert _found(officer, "格力") == set()


def test_agents_and_patent_titles_are_found(factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    other = factory.case(officer, requester="宜昌三峡机械制造有限公司")
    assert _found(officer, "切割头") == {case.id, other.id}  # the factory's patent title
    with_agent = factory.case(officer, requester="恩施硒谷茶业有限公司")
    from casesys.cases.models import Agent
    from casesys.cases.services import refresh_search_text
    from casesys.extensions import db

    with_agent.parties[0].agents.append(Agent(case=with_agent, name="欧阳明远", firm="楚天律师事务所"))
    refresh_search_text(with_agent)
    db.session.commit()
    assert _found(officer, "欧阳") == {with_agent.id}
    assert _found(officer, "楚天律师") == {with_agent.id}


def test_one_character_is_limited_to_the_newest_and_says_so(app, client, factory, login_as, monkeypatch):
    from casesys.casepage import search

    monkeypatch.setattr(search, "ONE_CHARACTER_LIMIT", 3)
    officer = factory.user(Role.OFFICER)
    cases = [factory.case(officer, requester=f"格力电器分公司{n}") for n in range(5)]
    newest_first = sorted(cases, key=lambda c: (c.received_on, c.id), reverse=True)
    page = search_cases(officer, CaseFilters(q="格"), per_page=2)
    assert (page.total, page.limited, [r.id for r in page.items]) == (3, True, [c.id for c in newest_first[:2]])
    assert [r.id for r in search_cases(officer, CaseFilters(q="格", page=2), per_page=2).items] == [newest_first[2].id]
    assert search_cases(officer, CaseFilters(q="格", page=3), per_page=2).items == []
    assert search_cases(officer, CaseFilters(q="格力"), per_page=10).total == 5  # two characters: all of them
    login_as(officer)
    body = client.get("/cases?q=格").get_data(as_text=True)
    assert "单字检索只列出最近的 3 件案件" in body and "请再输入一个字" in body
    assert "单字检索" not in client.get("/cases?q=格力").get_data(as_text=True)


def test_one_character_below_the_limit_finds_all(factory):
    officer = factory.user(Role.OFFICER)
    hit = factory.case(officer, requester="格力电器有限公司")
    factory.case(officer, requester="宜昌三峡机械制造有限公司")
    page = search_cases(officer, CaseFilters(q="格"), per_page=20)
    assert ([r.id for r in page.items], page.limited) == ([hit.id], False)
    assert ONE_CHARACTER_LIMIT >= 100


@pytest.mark.parametrize("typed", ["长江 华为", "a b", "Zl", "ZL20"])
def test_queries_with_spaces_or_letters_match_like_the_scan(factory, typed):
    officer = factory.user(Role.OFFICER)
    factory.case(officer, requester="长江 华为技术有限公司")
    factory.case(officer, requester="A B 有限公司", patent_number="ZL202310123456.6")
    factory.case(officer, requester="长江华为有限公司")
    assert _found(officer, typed) == _scan(officer, typed)


@pytest.mark.parametrize("sort", ["received_desc", "received_asc", "updated_desc"])
@pytest.mark.parametrize("typed", ["格力", "电器分公", "GREE"])
def test_walking_the_newest_cases_lists_what_sorting_the_matches_lists(db, factory, monkeypatch, sort, typed):
    """SQLite reads a rare search's page from the ids it counted, a frequent one's
    (`WALK_FROM_MATCHES`) by walking the newest cases or, for other sorts and deep
    pages, by sorting all the index's matches: the same rows in the same order, on every
    page, for an office's officer and a province-wide supervisor (PostgreSQL: one way)."""
    from datetime import timedelta

    from casesys.casepage import search

    office = factory.office(prefix="鄂知保走")
    officer = factory.user(Role.OFFICER, office=office)
    chief = factory.user(Role.SUPERVISOR, office=office, province_wide=True)
    for n in range(9):
        name = f"格力电器分公司{n} GREE" if n % 3 else f"宜昌三峡机械{n}"
        case = factory.case(officer, requester=name, commit=False)
        case.received_on -= timedelta(days=n % 4)  # ties on a day: the id decides
        db.session.commit()
    factory.case(factory.user(Role.OFFICER, office=factory.office(prefix="鄂知保别")), requester="格力电器分公司")

    walks = []
    decide = search._walk_newest
    monkeypatch.setattr(search, "_walk_newest", lambda *args: walks.append(decide(*args)) or walks[-1])

    def pages(user, walk_from: int, count_up_to: int | None) -> list[list[int]]:
        monkeypatch.setattr(search, "WALK_FROM_MATCHES", walk_from)
        found = [search_cases(user, CaseFilters(q=typed, sort=sort, page=page), per_page=2, count_up_to=count_up_to)
                 for page in range(1, 6)]
        expected = (4, True) if count_up_to else (len(_scan(user, typed)), False)
        assert {(result.total, result.more) for result in found} == {expected}
        return [[row.id for row in result.items] for result in found]

    for user in (officer, chief):
        walked = pages(user, walk_from=1, count_up_to=4)  # the count capped: more matches than counted
        sorted_matches = pages(user, walk_from=10**9, count_up_to=4)
        counted_ids = pages(user, walk_from=10**9, count_up_to=None)  # every match counted
        assert walked == sorted_matches == counted_ids
        listed = [case_id for page in walked for case_id in page]
        assert len(listed) == len(set(listed)) and set(listed) == _scan(user, typed)
    if db.engine.dialect.name == "sqlite":  # the frequent way was taken; then the others
        assert set(walks) == {sort in search.WALKED_SORTS}


def test_an_office_search_reads_the_index_of_its_own_pairs_planned_for_its_text(db, factory):
    """PostgreSQL: an office's search counts through the index of pairs prefixed with the
    office (0027officepairs: the expression must be the index's, or the planner cannot use
    it), and its statements are planned for the text searched, never prepared (psycopg
    prepares what it ran five times, and PostgreSQL may plan that once for any text)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the GIN indexes and prepared statements are PostgreSQL's")
    from casesys.casepage.search import match_clause

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer, requester="长江华为技术有限公司")
    for typed in ("华为", "华为技术", "华", "长江华为Ltd") * 6:
        _found(officer, typed)
        db.session.scalar(sa.select(Case.id).where(Case.id == case.id))  # a statement that is prepared
    prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
    assert not any("search_text" in statement or "search_grams" in statement for statement in prepared), prepared
    assert any("WHERE cases.id = $1" in statement for statement in prepared), prepared
    assert _found(officer, "华为") == {case.id}
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    count = sa.select(sa.func.count()).select_from(Case).where(match_clause("office_grams"))
    values = {"office_grams": [f"{officer.office_id}:华为"]}
    compiled = count.compile(db.engine)
    plan = db.session.connection().exec_driver_sql("EXPLAIN " + compiled.string,
                                                   compiled.construct_params(values)).scalars().all()
    assert any("ix_cases_search_grams_office" in line for line in plan), plan
    assert db.session.scalar(count, values) == 1


def test_a_text_with_no_letter_of_two_cases_is_looked_for_as_it_is(db, factory):
    """PostgreSQL: ILIKE lowercases every text it checks (seven times strpos's cost);
    a query with no letter of two cases (Chinese, digits) is matched as it is, one with
    letters still regardless of their case."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's LIKE folds ASCII only, as cheaply")
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer, requester="长江华为技术有限公司 Gree")
    statements: list[str] = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert _found(officer, "华为技术") == _found(officer, "华") == {case.id}
        assert statements and not any("ILIKE" in statement for statement in statements)
        assert _found(officer, "gREE") == {case.id}
        assert any("ILIKE" in statement for statement in statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

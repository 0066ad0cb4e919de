"""The case list costs the same few SQL statements whatever the page size
(no query per row)."""
import pytest
import sqlalchemy as sa

from casesys.domain.enums import Role


@pytest.fixture
def count_statements(db):
    counted: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    yield counted
    sa.event.remove(db.engine, "before_cursor_execute", listener)


def _statements_for_page(app, client, counted, per_page: int, query: str = "") -> int:
    app.config["CASES_PER_PAGE"] = per_page
    counted.clear()
    response = client.get("/cases" + query)
    assert response.status_code == 200
    return len(counted)


@pytest.mark.parametrize("query", ["", "?q=激光科技", "?q=长沙"])
def test_statement_count_does_not_grow_with_page_size(app, client, factory, login_as, count_statements, query):
    officer = factory.user(Role.OFFICER)
    for n in range(12):
        factory.case(officer, requester=f"武汉光谷激光科技有限公司{n}", respondents=("长沙湘江机械有限公司", "株洲配件厂"))
    login_as(officer)
    try:
        app.config["LIST_ROW_CACHE_SIZE"] = 0  # each row rendered: its party names and deadline read
        small = _statements_for_page(app, client, count_statements, 2, query)
        large = _statements_for_page(app, client, count_statements, 12, query)
        app.config["LIST_ROW_CACHE_SIZE"] = 100
        _statements_for_page(app, client, count_statements, 12, query)
        kept = _statements_for_page(app, client, count_statements, 12, query)
    finally:
        app.config.update(CASES_PER_PAGE=20, LIST_ROW_CACHE_SIZE=20_000)
    assert small == large
    assert large <= 9
    # Kept (casesys.core.fragments): the rows rendered (no party names, no deadlines read) and, per
    # display epoch, the office's handlers for the filter and whether cases are shared with it.
    assert kept == large - 4


def test_a_long_register_says_more_than_its_counted_cases_and_pages_on(app, client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    for _ in range(5):
        factory.case(officer)
    login_as(officer)
    app.config.update(CASES_PER_PAGE=2, CASE_LIST_COUNT_UP_TO=3)
    try:
        first = client.get("/cases").get_data(as_text=True)
        last = client.get("/cases?page=3").get_data(as_text=True)
        narrowed = client.get("/cases?state=received").get_data(as_text=True)
    finally:
        app.config.update(CASES_PER_PAGE=20, CASE_LIST_COUNT_UP_TO=1000)
    assert "超过 3 件" in first and "第 1 页<" in first and "page=2" in first
    assert "第 3 页<" in last and last.count('href="/cases/') >= 1
    assert "共 5 件" in narrowed and "第 1 / 3 页" in narrowed

"""Controls in the browser (issue 16.17): the case list's sort select is as
wide as its longest option, on a desktop and on a phone; the charts and the
select-all box of pages whose scripts left the templates (no inline script,
for a CSP without 'unsafe-inline') still work."""
from __future__ import annotations

from playwright.sync_api import Page

from casesys.domain.enums import Role
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_oversight import login

# The width the longest option's text needs, and the room the select gives it
# (its inner width less the padding, which holds the arrow on the right).
MEASURE = """() => {
  const select = document.getElementById("sort");
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
  const longest = Math.max(...Array.from(select.options, (o) => context.measureText(o.text).width));
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {longest, room, options: select.options.length};
}"""


def test_the_sort_select_shows_its_longest_option_whole(browser_page: Page, factory, screenshot):
    officer = factory.user(Role.OFFICER, office=factory.office())
    factory.case(officer)
    page = browser_page
    login(page, officer.username, TEST_PASSWORD)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/cases")
        measured = page.evaluate(MEASURE)
        assert measured["options"] == 3
        assert measured["longest"] <= measured["room"], (width, measured)
        screenshot(page, f"case-list-{width}")


def test_charts_and_select_all_work_without_inline_scripts(new_page, db):
    import sqlalchemy as sa

    from casesys.cases.models import Case
    from casesys.core import clock
    from casesys.demo.data import generate_cases
    from casesys.demo.referrals import generate_referrals
    from casesys.domain.enums import OPEN_STATES

    generate_cases(200, seed=7, today=clock.today())
    generate_referrals(clock.today())
    db.session.commit()
    page = new_page()
    login(page, "supervisor", "casesys-demo")
    handler = db.session.scalar(sa.select(Case.handler_id).where(
        Case.office_id == db.session.scalar(sa.text("select office_id from users where username = 'supervisor'")),
        Case.state.in_(OPEN_STATES)).group_by(Case.handler_id).order_by(sa.func.count().desc()).limit(1))
    for url in ("/dashboard?period=all", "/mediation/dashboard", f"/workload?handler={handler}", "/referrals"):
        page.goto(url)
        assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0, url
        assert page.evaluate("document.querySelectorAll('[onclick], [onchange]').length") == 0, url
        drawn = page.evaluate("Array.from(document.querySelectorAll('canvas[data-chart]'), c => !!Chart.getChart(c))")
        assert drawn and all(drawn), url
    page.goto(f"/workload?handler={handler}")
    boxes = page.locator('input[name="case_ids"]')
    assert boxes.count() > 1
    page.get_by_label("全选").check()
    assert all(box.is_checked() for box in boxes.all())
    page.get_by_label("全选").uncheck()
    assert not any(box.is_checked() for box in boxes.all())

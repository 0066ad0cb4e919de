"""The case list's controls in the browser (issue 16.17): the sort select is
as wide as its longest option, on a desktop and on a phone."""
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

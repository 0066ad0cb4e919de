"""The menu bar, kept rendered (casesys.core.menu_html): what it shows
follows the user's roles, the page and the badge counts at once."""
from __future__ import annotations

import re

from casesys.adjudication.models import Approval
from casesys.domain.enums import Role


def _menu(page: str) -> list[str]:
    """Each entry of the menu bar as 'label' or 'label*' when active, with its badge count."""
    nav = page[page.index("<nav"):page.index("</nav>")]
    entries = []
    for classes, inner in re.findall(r'<a class="(nav-link[^"]*|dropdown-item[^"]*)" href="[^"]*">(.*?)</a>', nav):
        text = re.sub(r"<[^>]+>", " ", inner).split()
        entries.append(" ".join(text) + ("*" if "active" in classes else ""))
    return entries


def test_the_menu_follows_the_page_the_roles_and_the_counts(db, factory, client, login_as):
    office = factory.office()
    officer = factory.user(Role.OFFICER, office=office)
    other = factory.user(Role.OFFICER, office=office)
    login_as(officer)
    on_todo, on_cases = _menu(client.get("/todo").get_data(as_text=True)), _menu(client.get("/cases").get_data(
        as_text=True))
    assert "待办*" in on_todo and "待办" in on_cases and "待办*" not in on_cases
    assert not any(entry.startswith("审批") for entry in on_todo)
    assert "调解" not in on_todo

    officer.roles = [Role.OFFICER, Role.MEDIATOR]  # the same counts, another role: its entry at once
    db.session.commit()
    assert "调解" in _menu(client.get("/todo").get_data(as_text=True))

    officer.roles = [Role.OFFICER, Role.SUPERVISOR]  # a role given: its entries at once
    db.session.add(Approval(case_id=factory.case(other).id, action="accept", payload={}, requested_by_id=other.id))
    db.session.commit()
    assert "审批 1" in _menu(client.get("/todo").get_data(as_text=True))
    db.session.add(Approval(case_id=factory.case(other).id, action="accept", payload={}, requested_by_id=other.id))
    db.session.commit()
    assert "审批 2" in _menu(client.get("/todo").get_data(as_text=True))

    officer.roles = [Role.OFFICER]
    db.session.commit()
    assert not any(entry.startswith("审批") for entry in _menu(client.get("/todo").get_data(as_text=True)))

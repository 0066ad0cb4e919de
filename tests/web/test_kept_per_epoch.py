"""What a list page reads besides its rows is kept per display epoch
(casesys.core.fragments.kept_for_epoch): the office's handlers for the 承办人
filter, whether cases are shared with the office, the settings. Each change
to them raises the epoch (migrations 0021pagerev, 0026revisions), so the next
view shows it."""
from __future__ import annotations

import re

from casesys.cases.models import CaseShare
from casesys.core.settings import get_setting, set_setting
from casesys.domain.enums import Role


def _handlers(client) -> list[tuple[str, str]]:
    page = client.get("/cases").get_data(as_text=True)
    select = page[page.index('id="handler_id"'):]
    select = select[:select.index("</select>")]
    return re.findall(r'<option value="(\d+)" >([^<]*)</option>', select)


def test_the_handler_filter_lists_the_office_s_handlers_and_one_given_the_role_at_once(db, factory, client,
                                                                                        login_as):
    office = factory.office()
    officer = factory.user(Role.OFFICER, office=office, full_name="甲承办人")
    clerk = factory.user(Role.ADMIN, office=office, full_name="乙管理员")
    login_as(officer)
    assert _handlers(client) == [(str(officer.id), "甲承办人")]
    clerk.roles = [Role.ADMIN, Role.OFFICER]
    db.session.commit()
    assert set(_handlers(client)) == {(str(officer.id), "甲承办人"), (str(clerk.id), "乙管理员")}
    clerk.full_name = "丙承办人"
    db.session.commit()
    assert {name for _, name in _handlers(client)} == {"丙承办人", "甲承办人"}


def test_a_case_shared_with_the_office_is_listed_at_once(db, factory, client, login_as):
    officer = factory.user(Role.OFFICER)
    stranger = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保"))
    theirs = factory.case(stranger)
    login_as(officer)
    assert theirs.number not in client.get("/cases").get_data(as_text=True)
    db.session.add(CaseShare(case_id=theirs.id, office_id=officer.office_id, reason="协助调查取证"))
    db.session.commit()
    assert theirs.number in client.get("/cases").get_data(as_text=True)
    db.session.query(CaseShare).delete()
    db.session.commit()
    assert theirs.number not in client.get("/cases").get_data(as_text=True)


def test_a_setting_changed_is_read_at_once(app, db, factory):
    admin = factory.user(Role.ADMIN)
    with app.test_request_context("/"):
        assert get_setting("upload_max_mb") == 20
    set_setting("upload_max_mb", 35, actor_id=admin.id)
    db.session.commit()
    with app.test_request_context("/"):
        assert get_setting("upload_max_mb") == 35


def test_the_dashboard_s_office_filter_shows_an_office_renamed_or_added_at_once(db, factory, client, login_as):
    office = factory.office(prefix="鄂知保")
    chief = factory.user(Role.SUPERVISOR, office=office, province_wide=True)
    login_as(chief)

    def choices() -> list[str]:
        page = client.get("/dashboard").get_data(as_text=True)
        select = page[page.index('id="office_id"'):]
        return re.findall(r"<option [^>]*>([^<]*)</option>", select[:select.index("</select>")])

    assert office.name in choices()
    db.session.get(type(office), office.id).name = "湖北省知识产权局（更名）"
    added = factory.office(prefix="鄂知保新")
    db.session.commit()
    assert "湖北省知识产权局（更名）" in choices() and added.name in choices()

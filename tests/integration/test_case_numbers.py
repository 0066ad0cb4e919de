"""Case numbers (SPEC §2): atomic, consecutive, per office/type/year."""
import re
import threading
from datetime import date

import pytest

from casesys.core import clock
from casesys.domain.enums import CaseType, Role

SEQ = re.compile(r"〔(\d{4})〕(\d+)号$")


def _seq(number: str) -> int:
    return int(SEQ.search(number).group(2))


@pytest.mark.commits  # twenty threads
def test_twenty_concurrent_registrations_get_twenty_consecutive_numbers(app, db, factory):
    officer = factory.user(Role.OFFICER)
    officer_id = officer.id
    db.session.remove()
    barrier = threading.Barrier(20)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def register():
        with app.app_context():
            from casesys.auth.models import User

            try:
                actor = db.session.get(User, officer_id)
                _ = actor.office.case_prefix
                db.session.commit()  # hand the connection back while waiting
                barrier.wait(timeout=30)
                case = factory.case(actor, commit=False)
                db.session.commit()
                numbers.append(case.number)
            except BaseException as error:  # reported below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == 20
    assert sorted(_seq(n) for n in numbers) == list(range(1, 21))


def test_sequences_are_separate_per_type_office_and_year(app, factory):
    officer = factory.user(Role.OFFICER, office=factory.office(prefix="武知保"))
    other = factory.user(Role.OFFICER, office=factory.office(prefix="宜知保"))
    a1 = factory.case(officer, received_on=date(2025, 12, 31))
    a2 = factory.case(officer, received_on=date(2026, 1, 2))
    a3 = factory.case(officer, received_on=date(2026, 1, 3))
    m1 = factory.case(officer, case_type=CaseType.MEDIATION, received_on=date(2026, 1, 3))
    o1 = factory.case(other, received_on=date(2026, 1, 3))
    assert a1.number == "武知保裁字〔2025〕1号"
    assert (a2.number, a3.number) == ("武知保裁字〔2026〕1号", "武知保裁字〔2026〕2号")
    assert m1.number == "武知保调字〔2026〕1号"
    assert o1.number == "宜知保裁字〔2026〕1号"


def test_a_rolled_back_registration_gives_its_number_back(app, db, factory):
    officer = factory.user(Role.OFFICER)
    factory.case(officer, commit=False)
    db.session.rollback()
    assert factory.case(officer).number.endswith(f"〔{clock.today().year}〕1号")


def test_number_format_is_an_admin_setting(app, db, factory):
    from casesys.core.settings import set_setting

    officer = factory.user(Role.OFFICER)
    set_setting("case_number_format", "{prefix}{type_word}〔{year}〕第{seq:03d}号", actor_id=None)
    db.session.commit()
    case = factory.case(officer, received_on=date(2026, 3, 1))
    assert case.number == "鄂知保裁〔2026〕第001号"


@pytest.mark.parametrize("bad", ["{seq}号", "{prefix}{oops}〔{year}〕{seq}"])
def test_bad_formats_are_refused_on_the_settings_page(client, factory, login_as, bad):
    admin = factory.user(Role.ADMIN)
    login_as(admin)
    from casesys.core.settings import SETTINGS

    defaults = {key: str(definition.default) for key, definition in SETTINGS.items()}
    response = client.post("/admin/settings", data=defaults | {"case_number_format": bad})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "is-invalid" in page and bad in page

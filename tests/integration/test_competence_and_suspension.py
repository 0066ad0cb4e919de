"""Issue 9.8 (SPEC §3): suspension on an invalidation request needs CNIPA's
acceptance notice, number and date, recorded; the supervisor may refuse an
evidently unfounded request (sent back with the reason)."""
from datetime import date

import pytest

from casesys.adjudication.services import approve, request_action, send_back
from casesys.domain.enums import CaseState, Role
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action, ActionRefused

D = date.fromisoformat


@pytest.fixture
def accepted(factory):
    office = factory.office()
    officer, chief = factory.user(Role.OFFICER, office=office), factory.user(Role.SUPERVISOR, office=office)
    case = factory.case(officer, received_on=D("2026-03-02"))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer, today=D("2026-03-03")), actor=chief, today=D("2026-03-03"))
    return case, officer, chief


@pytest.mark.parametrize("payload, field, message", [
    ({"reference": "", "reference_date": "2026-03-09"}, "reference", "受理通知书编号"),
    ({"reference": "4W112233", "reference_date": None}, "reference_date", "受理通知书日期"),
    ({"reference": "4W112233", "reference_date": "2026-03-20"}, "reference_date", "不能晚于今天"),
])
def test_suspension_on_invalidation_needs_the_cnipa_notice(db, accepted, payload, field, message):
    case, officer, _ = accepted
    with pytest.raises(ActionRefused, match=message) as refused:
        request_action(case, Action.SUSPEND, {"reason": "被请求人请求宣告专利权无效", "started_on": "2026-03-10",
                                              "on_invalidation": True, **payload}, actor=officer, today=D("2026-03-10"))
    assert refused.value.field == field and case.state == CaseState.ACCEPTED and case.clock_stops == []


def test_suspension_records_the_notice_number_and_date_or_is_refused_as_unfounded(db, accepted):
    case, officer, chief = accepted
    payload = {"reason": "被请求人请求宣告专利权无效", "started_on": "2026-03-10", "on_invalidation": True,
               "reference": "4W112233", "reference_date": "2026-03-09"}
    unfounded = request_action(case, Action.SUSPEND, payload, actor=officer, today=D("2026-03-10"))
    send_back(unfounded, actor=chief, comment="无效宣告请求明显不能成立，不予中止")
    assert case.state == CaseState.ACCEPTED and "不予中止" in case.events[-1].summary
    approve(request_action(case, Action.SUSPEND, payload, actor=officer, today=D("2026-03-10")), actor=chief,
            today=D("2026-03-10"))
    stop = case.clock_stops[0]
    assert case.state == CaseState.SUSPENDED
    assert (stop.reference, stop.reference_date) == ("4W112233", D("2026-03-09"))
    assert "4W112233，2026-03-09" in case.events[-1].summary


# Issue 9.7 (SPEC §3): only an office competent for patent disputes accepts.
@pytest.mark.parametrize("level, qualified, entrusting, reference, competent", [
    ("province", False, None, "", True),
    ("city", True, None, "", True),
    ("city", False, None, "", False),
    ("county", False, None, "", False),
    ("county", False, ("city", True), "鄂知委〔2026〕3号", True),
    ("county", False, ("city", True), "", False),               # the 委托 must be recorded
    ("county", False, ("city", False), "鄂知委〔2026〕3号", False),  # from an office that may
    ("county", False, ("province", False), "鄂知委〔2026〕4号", True),
])
def test_competence_rule(level, qualified, entrusting, reference, competent):
    from casesys.domain.workflow import competence_problem

    assert (competence_problem(level, qualified, entrusting, reference) is None) == competent


def test_acceptance_by_an_office_without_competence_is_refused(db, factory):
    from casesys.domain.enums import OfficeLevel

    city = factory.office(handles_patent_disputes=False)
    county = factory.office(prefix="县知保", level=OfficeLevel.COUNTY, handles_patent_disputes=False)
    for office in (city, county):
        officer = factory.user(Role.OFFICER, office=office)
        case = factory.case(officer, received_on=D("2026-03-02"))
        with pytest.raises(ActionRefused, match="专利纠纷"):
            request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer, today=D("2026-03-03"))
        assert case.state == CaseState.RECEIVED
    county.entrusted_by = factory.office(prefix="市知保")  # a qualified city office entrusts the county
    county.entrustment_reference = "市知委〔2026〕1号"
    officer = factory.user(Role.OFFICER, office=county)
    case = factory.case(officer, received_on=D("2026-03-02"))
    assert request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                          actor=officer, today=D("2026-03-03")) is not None

from casesys.domain.enums import Role


def test_factory_case_has_number_and_parties(factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer, respondents=("甲公司", "乙公司"))
    assert case.number.startswith("鄂知保裁字〔")
    assert len(case.parties) == 3
    assert "甲公司" in case.search_text

"""Tests for casesys.domain.codes (ID, credit code, patent number, case-number query)."""
from __future__ import annotations

import random
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casesys.domain import codes
from casesys.domain.codes import (
    CREDIT_ALPHABET,
    PatentNumber,
    credit_code_check_char,
    make_credit_code,
    make_patent_number,
    make_resident_id,
    normalize_case_number_query,
    normalize_credit_code,
    normalize_patent_number,
    normalize_resident_id,
    parse_patent_number,
    patent_check_char,
    resident_id_check_char,
    validate_credit_code,
    validate_patent_number,
    validate_resident_id,
)

ID_LENGTH = "身份证号码应为18位"
ID_FORMAT = codes.MSG_ID_FORMAT
ID_BIRTH = "身份证号码中的出生日期无效"
ID_CHECK = "身份证号码校验位错误"
CREDIT_LENGTH = "统一社会信用代码应为18位"
CREDIT_CHARS = "统一社会信用代码含有无效字符"
CREDIT_CHECK = "统一社会信用代码校验位错误"
PATENT_FORMAT = "专利号格式应为 ZL + 12位申请号 + 校验位，如 ZL202310123456.6"
PATENT_CHECK = "专利号校验位错误"


def with_id_check(first17: str) -> str:
    """A resident ID whose check char is right, so only the other rules can fail."""
    return first17 + resident_id_check_char(first17)


# --- Resident ID (GB 11643-1999) ---------------------------------------------

@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),  # the example printed in GB 11643-1999
        ("44052418800101001", "4"),  # the other example in the standard
        ("42010219900307138", "X"),
        ("11010119900307001", "1"),
    ],
)
def test_resident_id_check_char_known_values(first17, check):
    assert resident_id_check_char(first17) == check


# Derived by hand from the standard's example 11010519491231002X (weighted sum
# mod 11 == 2): the 17th digit k has weight 2 and the 16th weight 4, so these
# prefixes cover every remainder 0..10 and hence every check char.
@pytest.mark.parametrize(
    ("first17", "remainder", "check"),
    [
        ("11010519491231001", 0, "1"),
        ("11010519491231007", 1, "0"),
        ("11010519491231002", 2, "X"),
        ("11010519491231008", 3, "9"),
        ("11010519491231003", 4, "8"),
        ("11010519491231009", 5, "7"),
        ("11010519491231004", 6, "6"),
        ("11010519491231018", 7, "5"),
        ("11010519491231005", 8, "4"),
        ("11010519491231000", 9, "3"),
        ("11010519491231006", 10, "2"),
    ],
)
def test_resident_id_every_check_char(first17, remainder, check):
    assert resident_id_check_char(first17) == check
    assert validate_resident_id(first17 + check) is None


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100A", "１１０１０５１９４９１２３１００２"])
def test_resident_id_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        resident_id_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",  # lower-case x is accepted
        " 110105 19491231 002X ",  # spaces anywhere
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width
        "42010219900307138X",
        with_id_check("42010220000229001"),  # leap day
        with_id_check("42010219000101001"),  # earliest accepted date
    ],
)
def test_validate_resident_id_accepts(value):
    assert validate_resident_id(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", ID_LENGTH),
        ("11010519491231002", ID_LENGTH),
        ("11010519491231002X1", ID_LENGTH),
        ("1101051949123100AX", ID_FORMAT),
        ("11010519491231002Y", ID_FORMAT),
        ("X10105194912310021", ID_FORMAT),
        ("11010519491231002-", ID_FORMAT),
        (with_id_check("42010219901301001"), ID_BIRTH),  # month 13
        (with_id_check("42010219900230001"), ID_BIRTH),  # 30 February
        (with_id_check("42010219000229001"), ID_BIRTH),  # 1900 was no leap year
        (with_id_check("42010218991231001"), ID_BIRTH),  # before 1900-01-01
        (with_id_check("42010219900000001"), ID_BIRTH),
        ("440524188001010014", ID_BIRTH),  # valid check char, but born in 1880
        ("110105194912310021", ID_CHECK),
        ("110105194912310020", ID_CHECK),
        ("11010519491231003X", ID_CHECK),
    ],
)
def test_validate_resident_id_rejects(value, message):
    assert validate_resident_id(value) == message


def test_validate_resident_id_future_birth_only_checked_when_today_given():
    value = with_id_check("42010220260102001")
    assert validate_resident_id(value) is None
    assert validate_resident_id(value, today=date(2026, 1, 2)) is None
    assert validate_resident_id(value, today=date(2026, 1, 1)) == ID_BIRTH


def test_normalize_resident_id():
    assert normalize_resident_id(" １１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    with pytest.raises(ValueError, match=ID_CHECK):
        normalize_resident_id("110105194912310021")


# --- Unified social credit code (GB 32100-2015) ------------------------------

# Codes as published by registered companies; each satisfies the MOD 31 check.
REAL_CREDIT_CODES = [
    "91350100M000100Y43",
    "91110000802100433B",
    "91440300708461136T",
    "91110108551385082Q",
    "9144030071526726XG",
    "91330100799655058B",
]


def test_credit_alphabet_excludes_i_o_s_v_z():
    assert len(CREDIT_ALPHABET) == 31
    assert not set("IOSVZ") & set(CREDIT_ALPHABET)


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_credit_code_check_char_real_codes(code):
    assert credit_code_check_char(code[:17]) == code[17]
    assert validate_credit_code(code) is None


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("00000000000000000", "0"),  # sum 0: 31 - 0 = 31 -> 0
        ("10000000000000000", "Y"),  # sum 1: 31 - 1 = 30 -> "Y"
        ("01000000000000000", "W"),  # sum 3: 31 - 3 = 28 -> "W"
    ],
)
def test_credit_code_check_char_edge_values(first17, check):
    assert credit_code_check_char(first17) == check


@pytest.mark.parametrize("bad", ["", "9135010000000000", "91350100M000100YI", "91350100M000100Y4X"])
def test_credit_code_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "91350100m000100y43",  # lower case
        " 9135 0100 M000 100Y 43 ",
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
    ],
)
def test_validate_credit_code_normalises(value):
    assert validate_credit_code(value) is None
    assert normalize_credit_code(value) == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", CREDIT_LENGTH),
        ("91350100M000100Y4", CREDIT_LENGTH),
        ("91350100M000100Y431", CREDIT_LENGTH),
        ("91350100I000100Y43", CREDIT_CHARS),
        ("91350100O000100Y43", CREDIT_CHARS),
        ("91350100S000100Y43", CREDIT_CHARS),
        ("91350100V000100Y43", CREDIT_CHARS),
        ("91350100Z000100Y43", CREDIT_CHARS),
        ("91350100-000100Y43", CREDIT_CHARS),
        ("91350100M000100Y44", CREDIT_CHECK),
        ("91350100M000100Y40", CREDIT_CHECK),
        ("91350100N000100Y43", CREDIT_CHECK),
    ],
)
def test_validate_credit_code_rejects(value, message):
    assert validate_credit_code(value) == message


def test_normalize_credit_code_raises():
    with pytest.raises(ValueError, match=CREDIT_CHECK):
        normalize_credit_code("91350100M000100Y44")


# --- Patent numbers (CNIPA) --------------------------------------------------

@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("201710601862", "3"),  # published worked example, new form
        ("97101765", "4"),  # published worked example, old form
        ("95115608", "X"),  # published worked example, remainder 10
        ("202410000017", "0"),  # remainder 0
        ("201820000001", "X"),
        ("202310123456", "6"),
    ],
)
def test_patent_check_char_known_values(digits, check):
    assert patent_check_char(digits) == check


@pytest.mark.parametrize("bad", ["", "1234567", "123456789", "20171060186", "2017106018623", "20171060186X", "２０１７１０６０１８６２"])
def test_patent_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        patent_check_char(bad)


@pytest.mark.parametrize(
    "value",
    [
        "ZL201710601862.3",
        "201710601862.3",
        "2017106018623",
        "CN201710601862.3",
        "cn2017106018623",
        "zl 2017 1060 1862.3",
        " ZL 201710601862 . 3 ",
        "ＺＬ２０１７１０６０１８６２．３",  # full-width
        "ZL201710601862。3",  # Chinese full stop
    ],
)
def test_parse_patent_number_accepts_variants(value):
    number = parse_patent_number(value)
    assert number == PatentNumber("201710601862", "3")
    assert number.display == "ZL201710601862.3"
    assert number.compact == "2017106018623"
    assert number.patent_type == "invention"
    assert number.year == 2017
    assert validate_patent_number(value) is None
    assert normalize_patent_number(value) == "ZL201710601862.3"


@pytest.mark.parametrize(
    ("value", "display", "patent_type", "year"),
    [
        ("95115608x", "ZL95115608.X", "invention", 1995),
        ("ZL97101765.4", "ZL97101765.4", "invention", 1997),
        ("ZL201820000001.X", "ZL201820000001.X", "utility_model", 2018),
        ("ZL202410000017.0", "ZL202410000017.0", "invention", 2024),
        (make_patent_number(random.Random(1), 2023, "design"), None, "design", 2023),
    ],
)
def test_patent_number_properties(value, display, patent_type, year):
    number = parse_patent_number(value)
    assert number is not None
    if display:
        assert number.display == display
    assert number.patent_type == patent_type
    assert number.year == year


@pytest.mark.parametrize(
    ("type_digit", "patent_type"),
    [("1", "invention"), ("2", "utility_model"), ("3", "design"), ("8", "invention"), ("9", "utility_model")],
)
def test_patent_type_digit_new_and_old_form(type_digit, patent_type):
    new = f"2020{type_digit}1234567"
    old = f"99{type_digit}12345"
    assert parse_patent_number(new + patent_check_char(new)).patent_type == patent_type
    assert parse_patent_number(old + patent_check_char(old)).patent_type == patent_type


@pytest.mark.parametrize(("yy", "year"), [("85", 1985), ("99", 1999), ("00", 2000), ("03", 2003)])
def test_old_form_year(yy, year):
    digits = f"{yy}112345"
    assert parse_patent_number(digits + patent_check_char(digits)).year == year


def _with_patent_check(digits: str) -> str:
    return digits + patent_check_char(digits)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", PATENT_FORMAT),
        ("ZL", PATENT_FORMAT),
        ("ZL20171060186.3", PATENT_FORMAT),  # 11 digits
        ("ZL2017106018623.3", PATENT_FORMAT),  # 13 digits
        ("ZL201710601862", PATENT_FORMAT),  # check char missing (12 digits only)
        ("ZL201710601862.Y", PATENT_FORMAT),
        ("ZL20171060X862.3", PATENT_FORMAT),
        ("ZL201710601862..3", PATENT_FORMAT),
        ("ZLZL201710601862.3", PATENT_FORMAT),
        ("US201710601862.3", PATENT_FORMAT),
        ("ZL2017-10601862.3", PATENT_FORMAT),
        (_with_patent_check("201740601862"), PATENT_FORMAT),  # type digit 4
        (_with_patent_check("201700601862"), PATENT_FORMAT),  # type digit 0
        (_with_patent_check("200210601862"), PATENT_FORMAT),  # 12 digits before 2003
        (_with_patent_check("04101765"), PATENT_FORMAT),  # old form after 2003
        (_with_patent_check("84101765"), PATENT_FORMAT),  # old form before 1985
        (_with_patent_check("97501765"), PATENT_FORMAT),  # old form, type digit 5
        ("ZL201710601862.4", PATENT_CHECK),
        ("ZL201710601862.X", PATENT_CHECK),
        ("ZL202310123456.7", PATENT_CHECK),
        ("ZL97101765.5", PATENT_CHECK),
        ("ZL95115608.0", PATENT_CHECK),
    ],
)
def test_validate_patent_number_rejects(value, message):
    assert validate_patent_number(value) == message
    assert parse_patent_number(value) is None
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize_patent_number(value)


def test_patent_number_is_frozen():
    number = PatentNumber("201710601862", "3")
    with pytest.raises(AttributeError):
        number.check_char = "4"  # type: ignore[misc]


# --- Generators ---------------------------------------------------------------

def gb11714_check(first8: str) -> str:
    """Organisation code check (GB 11714-1997), written independently of the module."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in first8]
    c9 = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def test_gb11714_helper_matches_real_code():
    assert gb11714_check("M000100Y") == "4"  # from 91350100M000100Y43


def test_patent_generator_form_by_year():
    rng = random.Random(5)
    assert len(parse_patent_number(make_patent_number(rng, 2003, "invention")).application_number) == 12
    assert len(parse_patent_number(make_patent_number(rng, 2002, "invention")).application_number) == 8
    assert len(parse_patent_number(make_patent_number(rng, 1985, "invention")).application_number) == 8


def test_generators_are_deterministic():
    a, b = random.Random(7), random.Random(7)
    assert make_resident_id(a, date(1980, 5, 6)) == make_resident_id(b, date(1980, 5, 6))
    assert make_credit_code(a) == make_credit_code(b)
    assert make_patent_number(a, 2024, "invention") == make_patent_number(b, 2024, "invention")


def test_generated_shapes():
    rng = random.Random(3)
    rid = make_resident_id(rng, date(1985, 12, 31), region="110105")
    assert rid.startswith("11010519851231") and validate_resident_id(rid) is None
    credit = make_credit_code(rng, region="420100")
    assert credit.startswith("91420100") and validate_credit_code(credit) is None
    assert gb11714_check(credit[8:16]) == credit[16]
    new = make_patent_number(rng, 2024, "utility_model")
    assert new.startswith("ZL20242") and len(new) == 16
    old = make_patent_number(rng, 1997, "design")
    assert old.startswith("ZL973") and len(old) == 12


@pytest.mark.parametrize(
    "call",
    [
        lambda rng: make_resident_id(rng, date(1990, 1, 1), region="4201"),
        lambda rng: make_credit_code(rng, region="42010A"),
        lambda rng: make_patent_number(rng, 2024, "trademark"),
        lambda rng: make_patent_number(rng, 1984, "invention"),
    ],
)
def test_generators_reject_bad_arguments(call):
    with pytest.raises(ValueError):
        call(random.Random(0))


# --- Case-number queries --------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "鄂知保裁字〔2026〕12号",
        "鄂知保裁字[2026]12号",
        "鄂知保裁字【2026】12号",
        "鄂知保裁字(2026)12号",
        "鄂知保裁字（2026）12号",
        "鄂知保裁字（２０２６）１２号",
        "鄂知保裁字［2026］12号",
        "鄂知保裁字〖2026〗12号",
        "鄂知保裁字﹝2026﹞12号",
        "鄂知保裁字［2026〕12号",
        "鄂知保裁字〔2026］12号",
        "鄂知保裁字〘2026〙12号",
        "  鄂知保裁字 [ 2026 ] 12 号 ",
        "鄂知保裁字\u3000【２０２６】\u3000１２号",
    ],
)
def test_case_number_query_brackets(text):
    assert normalize_case_number_query(text) == "鄂知保裁字〔2026〕12号"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("字[2026", "字〔2026"),  # partial queries
        ("2026】12号", "2026〕12号"),
        ("（2026）", "〔2026〕"),
        ("１２号", "12号"),
        ("ＡＢＣ", "ABC"),
        ("(12345)", "(12345)"),  # not a year: left alone
        ("(甲)", "(甲)"),
        ("", ""),
    ],
)
def test_case_number_query_other(text, expected):
    assert normalize_case_number_query(text) == expected


# --- Properties -------------------------------------------------------------------

regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
seeds = st.integers(min_value=0, max_value=2**32)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
patent_types = st.sampled_from(["invention", "utility_model", "design"])
patent_years = st.integers(min_value=1985, max_value=2099)


def _substitute(data, code: str, alphabet_at) -> str:
    i = data.draw(st.integers(min_value=0, max_value=len(code) - 1))
    choices = [c for c in alphabet_at(i) if c != code[i]]
    return code[:i] + data.draw(st.sampled_from(choices)) + code[i + 1 :]


def _transpose(data, code: str, body_length: int) -> str:
    i = data.draw(st.integers(min_value=0, max_value=body_length - 2))
    return code[:i] + code[i + 1] + code[i] + code[i + 2 :]


@given(seeds, births, regions)
def test_generated_resident_ids_validate(seed, birth, region):
    value = make_resident_id(random.Random(seed), birth, region)
    assert validate_resident_id(value, today=date(2099, 12, 31)) is None
    assert value[6:14] == birth.strftime("%Y%m%d")


@given(st.data(), seeds, births)
def test_resident_id_single_substitution_is_caught(data, seed, birth):
    value = make_resident_id(random.Random(seed), birth)
    changed = _substitute(data, value, lambda i: "0123456789X")
    assert validate_resident_id(changed) is not None


@given(st.data(), seeds, births)
def test_resident_id_adjacent_transposition_is_caught(data, seed, birth):
    value = make_resident_id(random.Random(seed), birth)
    changed = _transpose(data, value, 17)
    if changed != value:
        assert validate_resident_id(changed) is not None


@given(seeds, regions)
def test_generated_credit_codes_validate(seed, region):
    value = make_credit_code(random.Random(seed), region)
    assert validate_credit_code(value) is None
    assert value[:2] == "91" and value[2:8] == region


@given(st.data(), seeds)
def test_credit_code_single_substitution_is_caught(data, seed):
    value = make_credit_code(random.Random(seed))
    changed = _substitute(data, value, lambda i: CREDIT_ALPHABET + "IOSVZ")
    assert validate_credit_code(changed) is not None


@given(st.data(), seeds)
def test_credit_code_adjacent_transposition_is_caught(data, seed):
    value = make_credit_code(random.Random(seed))
    changed = _transpose(data, value, 17)
    if changed != value:
        assert validate_credit_code(changed) == CREDIT_CHECK


@given(seeds, patent_years, patent_types)
def test_generated_patent_numbers_validate(seed, year, patent_type):
    value = make_patent_number(random.Random(seed), year, patent_type)
    number = parse_patent_number(value)
    assert number is not None and number.display == value
    assert number.year == year and number.patent_type == patent_type
    assert len(number.application_number) == (12 if year >= 2003 else 8)
    assert parse_patent_number(number.compact) == number


@settings(max_examples=200)
@given(st.data(), seeds, patent_years, patent_types)
def test_patent_single_substitution_is_caught(data, seed, year, patent_type):
    compact = parse_patent_number(make_patent_number(random.Random(seed), year, patent_type)).compact
    n = len(compact) - 1
    changed = _substitute(data, compact, lambda i: "0123456789X" if i == n else "0123456789")
    assert validate_patent_number(changed) is not None
    assert parse_patent_number(changed) is None


@given(st.data(), seeds, patent_years, patent_types)
def test_patent_adjacent_transposition_is_caught(data, seed, year, patent_type):
    compact = parse_patent_number(make_patent_number(random.Random(seed), year, patent_type)).compact
    changed = _transpose(data, compact, len(compact) - 1)
    if changed != compact:
        assert validate_patent_number(changed) is not None

"""Check-character rules for Chinese identifiers used in case files.

Pure standard-library code: resident ID numbers (GB 11643-1999), unified
social credit codes (GB 32100-2015), CNIPA patent application numbers, and
the normalisation of case-number search queries (year in 〔〕, GB/T 9704).
Validators return None when a value is valid, else a short Chinese message.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

__all__ = [
    "PatentNumber",
    "credit_code_check_char",
    "make_credit_code",
    "make_patent_number",
    "make_resident_id",
    "normalize_case_number_query",
    "normalize_credit_code",
    "normalize_patent_number",
    "normalize_resident_id",
    "parse_patent_number",
    "patent_check_char",
    "resident_id_check_char",
    "validate_credit_code",
    "validate_patent_number",
    "validate_resident_id",
]

_DIGITS = "0123456789"


def _clean(value: str) -> str:
    """Full-width to half-width (NFKC), drop all whitespace, upper-case."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).upper()


def _is_digits(text: str) -> bool:
    # str.isdigit() also accepts non-ASCII digits such as "²" or "٣".
    return all(c in _DIGITS for c in text)


# --- Resident ID: GB 11643-1999, check char by ISO 7064 MOD 11-2 -----------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ID_MIN_BIRTH = date(1900, 1, 1)

MSG_ID_LENGTH = "身份证号码应为18位"
MSG_ID_FORMAT = "身份证号码前17位应为数字，末位应为数字或X"
MSG_ID_BIRTH = "身份证号码中的出生日期无效"
MSG_ID_CHECK = "身份证号码校验位错误"


def resident_id_check_char(first17: str) -> str:
    """Check character (0-9 or X) for the first 17 digits of a resident ID."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("需要17位数字")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: str, today: date | None = None) -> str | None:
    """None if valid; else a Chinese message.

    The birth date (digits 7-14) must be a real date on or after 1900-01-01
    and, when ``today`` is given, not after it.
    """
    code = _clean(value)
    if len(code) != 18:
        return MSG_ID_LENGTH
    if not _is_digits(code[:17]) or code[17] not in _DIGITS + "X":
        return MSG_ID_FORMAT
    try:
        birth = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return MSG_ID_BIRTH
    if birth < _ID_MIN_BIRTH or (today is not None and birth > today):
        return MSG_ID_BIRTH
    if resident_id_check_char(code[:17]) != code[17]:
        return MSG_ID_CHECK
    return None


def normalize_resident_id(value: str, today: date | None = None) -> str:
    """The canonical form (half-width, upper-case X); ValueError if invalid."""
    error = validate_resident_id(value, today)
    if error:
        raise ValueError(error)
    return _clean(value)


# --- Unified social credit code: GB 32100-2015, MOD 31 ----------------------

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

MSG_CREDIT_LENGTH = "统一社会信用代码应为18位"
MSG_CREDIT_CHARS = "统一社会信用代码含有无效字符"
MSG_CREDIT_CHECK = "统一社会信用代码校验位错误"


def credit_code_check_char(first17: str) -> str:
    """Check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError("需要17位统一社会信用代码字符")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str | None:
    """None if valid; else a Chinese message."""
    code = _clean(value)
    if len(code) != 18:
        return MSG_CREDIT_LENGTH
    if any(c not in CREDIT_ALPHABET for c in code):
        return MSG_CREDIT_CHARS
    if credit_code_check_char(code[:17]) != code[17]:
        return MSG_CREDIT_CHECK
    return None


def normalize_credit_code(value: str) -> str:
    """The canonical form (half-width, upper case); ValueError if invalid."""
    error = validate_credit_code(value)
    if error:
        raise ValueError(error)
    return _clean(value)


# --- CNIPA patent application numbers ---------------------------------------
# New form (since 2003-10): YYYY T NNNNNNN + check, e.g. 201710601862.3
# Old form (1985-2003):     YY T NNNNN + check,      e.g. 97101765.4
# T: 1 invention, 2 utility model, 3 design, 8 PCT invention, 9 PCT utility
# model. Check: digits times weights 2,3,...,9,2,3,... summed, mod 11; 10 -> X.

_PATENT_TYPES = {"1": "invention", "2": "utility_model", "3": "design",
                 "8": "invention", "9": "utility_model"}
_PATENT_TYPE_DIGITS = {"invention": "1", "utility_model": "2", "design": "3"}
_PATENT_RE = re.compile(r"(?:ZL|CN)?([0-9]{8}|[0-9]{12})\.?([0-9X])")

MSG_PATENT_FORMAT = "专利号格式应为 ZL + 12位申请号 + 校验位，如 ZL202310123456.6"
MSG_PATENT_CHECK = "专利号校验位错误"


def patent_check_char(digits: str) -> str:
    """Check character for an 8- or 12-digit application number."""
    if len(digits) not in (8, 12) or not _is_digits(digits):
        raise ValueError("需要8位或12位数字的申请号")
    total = sum(int(c) * (2 + i % 8) for i, c in enumerate(digits))
    r = total % 11
    return "X" if r == 10 else str(r)


@dataclass(frozen=True)
class PatentNumber:
    application_number: str  # 12 digits (new form) or 8 digits (old form)
    check_char: str

    @property
    def display(self) -> str:
        return f"ZL{self.application_number}.{self.check_char}"

    @property
    def compact(self) -> str:
        return self.application_number + self.check_char

    @property
    def _type_digit(self) -> str:
        return self.application_number[4 if len(self.application_number) == 12 else 2]

    @property
    def patent_type(self) -> str:
        return _PATENT_TYPES[self._type_digit]

    @property
    def year(self) -> int:
        if len(self.application_number) == 12:
            return int(self.application_number[:4])
        yy = int(self.application_number[:2])
        return 1900 + yy if yy >= 85 else 2000 + yy


def _parse_patent(value: str) -> tuple[PatentNumber | None, str | None]:
    text = _clean(value).replace("。", ".")  # 。 is the full stop of Chinese IMEs
    match = _PATENT_RE.fullmatch(text)
    if not match:
        return None, MSG_PATENT_FORMAT
    number = PatentNumber(match.group(1), match.group(2))
    # The type digit must be known; a new-form year cannot predate 2003 and an
    # old-form year must lie in 1985-2003.
    if number._type_digit not in _PATENT_TYPES:
        return None, MSG_PATENT_FORMAT
    if len(number.application_number) == 12 and number.year < 2003:
        return None, MSG_PATENT_FORMAT
    if len(number.application_number) == 8 and not 1985 <= number.year <= 2003:
        return None, MSG_PATENT_FORMAT
    if patent_check_char(number.application_number) != number.check_char:
        return None, MSG_PATENT_CHECK
    return number, None


def parse_patent_number(value: str) -> PatentNumber | None:
    """The parsed number, or None if the format or check char is wrong.

    Accepts "ZL"/"CN" prefixes or none, with or without the dot, full-width
    characters, spaces and lower case.
    """
    return _parse_patent(value)[0]


def validate_patent_number(value: str) -> str | None:
    """None if valid; else a Chinese message."""
    return _parse_patent(value)[1]


def normalize_patent_number(value: str) -> str:
    """The display form, e.g. "ZL201710601862.3"; ValueError if invalid."""
    number, error = _parse_patent(value)
    if number is None:
        raise ValueError(error)
    return number.display


# --- Demo-data generators (deterministic for a seeded random.Random) --------

def make_resident_id(rng: random.Random, birth: date, region: str = "420102") -> str:
    """A valid resident ID: region + birth date + 3-digit sequence + check."""
    if len(region) != 6 or not _is_digits(region):
        raise ValueError("地区码应为6位数字")
    first17 = f"{region}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + resident_id_check_char(first17)


# GB 11714 organisation-code check: weights for the first 8 chars, 11 - mod 11.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check_char(first8: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_credit_code(rng: random.Random, region: str = "420100") -> str:
    """A valid company credit code: "91" + region + organisation code + check."""
    if len(region) != 6 or not _is_digits(region):
        raise ValueError("地区码应为6位数字")
    first8 = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(8))
    first17 = "91" + region + first8 + _org_code_check_char(first8)
    return first17 + credit_code_check_char(first17)


def make_patent_number(rng: random.Random, year: int, patent_type: str) -> str:
    """A valid patent number in display form; old 8-digit form before 2003."""
    if patent_type not in _PATENT_TYPE_DIGITS:
        raise ValueError(f"未知的专利类型: {patent_type}")
    type_digit = _PATENT_TYPE_DIGITS[patent_type]
    if 2003 <= year <= 9999:
        digits = f"{year:04d}{type_digit}{rng.randint(1, 9_999_999):07d}"
    elif 1985 <= year < 2003:
        digits = f"{year % 100:02d}{type_digit}{rng.randint(1, 99_999):05d}"
    else:
        raise ValueError("年份应在1985年之后")
    return PatentNumber(digits, patent_check_char(digits)).display


# --- Case-number search queries ----------------------------------------------
# Official document numbers put the year in 〔〕 (GB/T 9704-2012), but users
# type [], 【】, （）, ［］ and so on. After NFKC, （）［］﹝﹞ are already
# ()[]〔〕; the rest are mapped here. Only a bracket next to a 4-digit year is
# changed, so a partial query such as "字[2026" is normalised too.

_OPEN_BEFORE_YEAR = re.compile(r"[\[(【〖〔〘](?=[0-9]{4}(?![0-9]))")
_CLOSE_AFTER_YEAR = re.compile(r"(?<![0-9])([0-9]{4})[\])】〗〕〙]")


def normalize_case_number_query(text: str) -> str:
    """E.g. "鄂知保裁字（２０２６）１２号" -> "鄂知保裁字〔2026〕12号"."""
    text = "".join(unicodedata.normalize("NFKC", text or "").split())
    text = _OPEN_BEFORE_YEAR.sub("〔", text)
    return _CLOSE_AFTER_YEAR.sub(r"\1〕", text)

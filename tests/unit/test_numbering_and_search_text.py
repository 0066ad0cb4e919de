"""Case-number formats (SPEC §2) and the text the search box matches."""
from datetime import UTC

import pytest

from casesys.core import clock
from casesys.domain.numbering import check_number_format, format_number
from casesys.domain.search import build_search_text, normalize_text


def test_default_format_gives_the_official_number():
    fmt = "{prefix}{type_word}字〔{year}〕{seq}号"
    assert format_number(fmt, prefix="鄂知保", type_word="裁", year=2026, seq=12) == "鄂知保裁字〔2026〕12号"
    assert format_number(fmt, prefix="鄂知保", type_word="调", year=2026, seq=7) == "鄂知保调字〔2026〕7号"


@pytest.mark.parametrize("fmt, message", [
    ("{prefix}{type_word}字〔{year}〕{seq}号", None),
    ("{prefix}〔{year}〕第{seq:04d}号", None),
    ("{prefix}{type_word}字{seq}号", "格式必须包含 {year} 和 {seq}，否则案号会重复"),
    ("{prefix}{kind}〔{year}〕{seq}号", "未知占位符：kind"),
    ("{prefix〔{year}〕{seq}号", "格式中的花括号不成对"),
])
def test_number_format_check(fmt, message):
    assert check_number_format(fmt) == message


def test_search_text_holds_number_names_codes_and_both_patent_forms():
    text = build_search_text(
        "鄂知保裁字〔2026〕12号",
        [("武汉光谷激光科技有限公司", "91350100m000100y43"), ("张三", "11010519491231002X"), ("无代码", None)],
        ["ZL202310123456.6"],
    )
    for part in ("鄂知保裁字〔2026〕12号", "武汉光谷激光科技有限公司", "91350100M000100Y43",
                 "11010519491231002X", "无代码", "ZL202310123456.6", "2023101234566"):
        assert part in text


def test_normalize_text_turns_full_width_into_half_width():
    assert normalize_text(" ＺＬ２０２３ ") == "ZL2023"


def test_today_is_the_date_in_beijing():
    """Statutory days are the office's days (Asia/Shanghai), whatever the server's zone."""
    import time
    from datetime import datetime, timedelta

    import casesys  # noqa: F401  (sets the zone on import)

    beijing = datetime.now(UTC) + timedelta(hours=8)
    assert time.tzname[0] == "CST"
    assert clock.today() == beijing.date()

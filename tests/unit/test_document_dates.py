"""Issue 16.5: dates and times in documents have no leading zeros, from one helper."""
from datetime import date, datetime

from casesys.documents.formatting import chinese_date, doc_date, doc_datetime


def test_dates_have_no_leading_zeros():
    assert doc_date(date(2026, 12, 8)) == "2026年12月8日"
    assert doc_date(date(2027, 1, 31)) == "2027年1月31日"
    assert chinese_date(date(2026, 3, 5)) == "2026年3月5日"


def test_times_have_no_leading_zeros_and_a_full_hour_no_minutes():
    assert doc_datetime(datetime(2026, 12, 8, 9, 30)) == "2026年12月8日9时30分"
    assert doc_datetime(datetime(2026, 12, 8, 14, 0)) == "2026年12月8日14时"
    assert doc_datetime(datetime(2026, 12, 8, 9, 5)) == "2026年12月8日9时5分"


def test_no_date_leaves_blanks_to_fill_in():
    assert doc_date(None).strip().startswith("年") and doc_datetime(None) == ""

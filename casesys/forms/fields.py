"""Shared form pieces: Chinese messages, enum selects, code validators."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import DateField as _DateField
from wtforms import DateTimeLocalField as _DateTimeLocalField
from wtforms import Form, HiddenField, SelectField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, StopValidation, ValidationError

from casesys.core import clock
from casesys.core.inputs import DATE_RANGE_MESSAGE, db_int, in_date_range
from casesys.core.settings import get_setting
from casesys.domain.codes import (
    normalize_credit_code,
    normalize_resident_id,
    parse_patent_number,
    validate_credit_code,
    validate_patent_number,
    validate_resident_id,
)
from casesys.domain.search import drop_control_chars
from casesys.domain.untrusted import is_web_url

REQUIRED = "此项为必填项"
DATE_INVALID = "请输入有效日期，格式如 2026-03-01"
CLAIMS_PATTERN = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")
PAGE_EXPIRED = "页面已过期，请刷新后重试"


class _WithinDateRange:
    """Every date a form takes lies within 1985–2100 (casesys.core.inputs):
    0001-01-01 or 9999-12-31 is a typing slip, and date arithmetic on it fails."""

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        if self.data is not None and not in_date_range(self.data):
            raise StopValidation(DATE_RANGE_MESSAGE)


class DateField(_WithinDateRange, _DateField):
    """The date field of every form (bounded)."""


class DateTimeLocalField(_WithinDateRange, _DateTimeLocalField):
    """The date-and-time field of every form (bounded)."""


class VersionField(HiddenField):
    """The version of the record the page was loaded with (optimistic
    locking); missing or not a number, the page is treated as stale."""

    def pre_validate(self, form) -> None:
        try:
            self.data = db_int(self.data)
        except (TypeError, ValueError):
            raise StopValidation(PAGE_EXPIRED) from None


def today_date_field(label: str) -> DateField:
    """A required date, today by default."""
    return DateField(label, default=clock.today, format="%Y-%m-%d", validators=[InputRequired(DATE_INVALID)])


def enum_select(label: str, enum, **kwargs) -> SelectField:
    return SelectField(label, choices=enum.choices(), **kwargs)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def resident_id(form, field) -> None:
    if field.data:
        error = validate_resident_id(field.data, today=clock.today())
        if error:
            raise ValidationError(error)
        field.data = normalize_resident_id(field.data)


def credit_code(form, field) -> None:
    if field.data:
        error = validate_credit_code(field.data)
        if error:
            raise ValidationError(error)
        field.data = normalize_credit_code(field.data)


def patent_number(form, field) -> None:
    if field.data:
        error = validate_patent_number(field.data)
        if error:
            raise ValidationError(error)
        field.data = parse_patent_number(field.data).display


def claims_list(form, field) -> None:
    """E.g. 1-3,5: the claims relied on (SPEC §2)."""
    text = (field.data or "").replace("，", ",").replace(" ", "").replace("—", "-")
    if not CLAIMS_PATTERN.match(text):
        raise ValidationError("请填写权利要求序号，如 1-3,5")
    field.data = text


def web_url(form, field) -> None:
    """A link shown to others must be an http(s) address (a javascript: link
    would run in the reader's session)."""
    if field.data and not is_web_url(field.data):
        raise ValidationError("请填写以 http:// 或 https:// 开头的网址")


class MaxChars:
    """At most as many characters as the setting allows (issue 11: long texts
    make slow PDFs); a line break counts once, as the browser counts it."""

    def __init__(self, setting: str):
        self.setting = setting

    def __call__(self, form, field) -> None:
        limit = int(get_setting(self.setting))
        if field.data and len(field.data.replace("\r\n", "\n")) > limit:
            raise ValidationError(f"不能超过 {limit} 字")


#: The long texts of a case that documents are drafted from.
LONG_TEXT = "long_text_max_chars"


def not_in_future(form, field) -> None:
    if field.data and field.data > clock.today():
        raise ValidationError("日期不能晚于今天")


def strip_filter(value):
    """Trim text; a field missing from the post becomes empty text."""
    if value is None:
        return ""
    return drop_control_chars(value).strip() if isinstance(value, str) else value


class ChineseMeta:
    """WTForms' built-in messages in Chinese (its `zh` catalogue)."""

    locales = ("zh_CN", "zh")


class PageForm(FlaskForm):
    """Base of every form posted from a page: CSRF, Chinese messages."""

    class Meta(ChineseMeta):
        pass


class SubForm(Form):
    """A repeated part of a page form (a party, a patent)."""

    class Meta(ChineseMeta):
        pass

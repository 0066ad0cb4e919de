"""Forms of the publication pages (SPEC §7)."""
from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from casesys.forms.fields import REQUIRED, PageForm, strip_filter

F = [strip_filter]


class PublishForm(PageForm):
    """A button: ask for (or, as a supervisor, approve) the publication."""


class TypicalCaseForm(PageForm):
    case_number = StringField("案号", filters=F, validators=[DataRequired(REQUIRED), Length(max=64)])
    title = StringField("典型案例标题", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    summary = TextAreaField("案情摘要及典型意义", filters=F, validators=[DataRequired(REQUIRED), Length(max=5000)])


class PublicationDecisionForm(PageForm):
    comment = TextAreaField("审批意见（退回时必填）", filters=F, validators=[Length(max=500)])


class WithdrawPublicationForm(PageForm):
    reason = TextAreaField("撤回理由", filters=F, validators=[DataRequired(REQUIRED), Length(max=500)])

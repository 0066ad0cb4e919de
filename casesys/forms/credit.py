"""Forms of the credit record pages (SPEC §7)."""
from __future__ import annotations

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from casesys.core.inputs import db_int
from casesys.domain.credit import MAX_PUBLISH_MONTHS
from casesys.forms.fields import REQUIRED, PageForm, not_in_future, strip_filter, today_date_field

F = [strip_filter]


class ConfirmRecordForm(PageForm):
    basis = TextAreaField("认定依据（事实和法律依据）", filters=F, validators=[DataRequired("认定须写明依据"), Length(max=2000)])
    publish_months = IntegerField("公示期限（月）", validators=[
        InputRequired("请填写公示期限"), NumberRange(1, MAX_PUBLISH_MONTHS, f"公示期限应为 1 至 {MAX_PUBLISH_MONTHS} 个月")])


class ReasonForm(PageForm):
    """Reject, withdraw, decide an objection: a reason is required."""
    reason = TextAreaField("理由", filters=F, validators=[DataRequired("请说明理由"), Length(max=2000)])


class NotifyRecordForm(PageForm):
    document_id = SelectField("信用记录告知书", coerce=db_int, validate_choice=False)
    notified_on = today_date_field("告知书送达日期")

    def validate_notified_on(self, field):
        not_in_future(self, field)


class ObjectionForm(PageForm):
    objection = TextAreaField("异议内容", filters=F, validators=[DataRequired(REQUIRED), Length(max=5000)])
    received_on = today_date_field("收到异议日期")

    def validate_received_on(self, field):
        not_in_future(self, field)


class NonPerformanceForm(PageForm):
    party_id = SelectField("被请求人", coerce=db_int, validate_choice=False)
    note = TextAreaField("未停止侵权行为的情况", filters=F, validators=[DataRequired(REQUIRED), Length(max=2000)])


class ForgedEvidenceForm(PageForm):
    evidence_id = SelectField("证据", coerce=db_int, validate_choice=False)
    note = TextAreaField("认定证据虚假的情况", filters=F, validators=[DataRequired(REQUIRED), Length(max=2000)])

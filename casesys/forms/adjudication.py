"""Forms of the procedure steps (SPEC §3, §4); each gives the JSON payload
its action records (and, for steps needing approval, waits with)."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casesys.core.inputs import db_int
from casesys.domain.calendar import Unit
from casesys.domain.enums import Procedure
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, SIMPLIFIED_CONDITIONS, ClosingType
from casesys.forms.fields import (
    DATE_INVALID,
    LONG_TEXT,
    REQUIRED,
    DateField,
    DateTimeLocalField,
    MaxChars,
    MultiCheckboxField,
    PageForm,
    enum_select,
    strip_filter,
    today_date_field,
)

F = [strip_filter]



class ActionForm(PageForm):
    """A step with nothing to fill in but a confirmation."""

    def payload(self) -> dict:
        values = {}
        for field in self:
            if field.name in ("csrf_token", "submit"):
                continue
            data = field.data
            values[field.name] = data.isoformat() if hasattr(data, "isoformat") else data
        return values


class ReasonForm(ActionForm):
    reason = TextAreaField("理由", filters=F, validators=[DataRequired("请填写理由"), Length(max=500)])


class ScreeningForm(ActionForm):
    """受理审查: the five conditions (SPEC §3) and the procedure (SPEC §4)."""

    procedure = enum_select("适用程序", Procedure, default=Procedure.ORDINARY.value)
    short_answer_agreed = BooleanField("当事人同意将答辩期缩短为10日（简易程序）")
    reason = TextAreaField("审查意见 / 不予受理理由", filters=F, validators=[Length(max=500)])

    def payload(self) -> dict:
        return {
            "procedure": self.procedure.data,
            "short_answer_agreed": self.short_answer_agreed.data,
            "conditions": {key: self[f"c_{key}"].data for key in {**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}},
            "reason": self.reason.data,
        }


for _key, _label in {**ACCEPTANCE_CONDITIONS, **SIMPLIFIED_CONDITIONS}.items():
    setattr(ScreeningForm, f"c_{_key}", BooleanField(_label))


class ServeForm(ActionForm):
    """SPEC §3: service of the request copy is recorded per respondent."""
    party_id = SelectField("被请求人", coerce=db_int, validate_choice=False)
    served_on = today_date_field("被请求人收到请求书副本日期")


class AnswerForm(ActionForm):
    party_id = SelectField("被请求人", coerce=db_int, validate_choice=False)
    answer_received_on = today_date_field("收到答辩书日期")
    answer_file = FileField("答辩书（PDF/JPEG/PNG，可选）")

    def payload(self) -> dict:
        values = super().payload()
        values.pop("answer_file", None)  # the view stores the file and passes what was stored
        return values


class ForwardAnswerForm(ActionForm):
    forwarded_on = today_date_field("转送请求人日期")


class PanelForm(ActionForm):
    # Checkboxes, not a multi-select that needs Ctrl (issue 16.17); the same list of ids.
    members = MultiCheckboxField("合议组成员（普通程序三名以上单数；简易程序一名）", coerce=db_int)
    presiding = SelectField("组长（承办人）", coerce=db_int)


class HearingForm(ActionForm):
    scheduled_at = DateTimeLocalField("口头审理时间", format="%Y-%m-%dT%H:%M",
                                      validators=[InputRequired("请输入口头审理时间")])
    place = StringField("地点", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    # Issue 16.11: may stay empty; the notice's receipt is then recorded in its service ledger.
    notice_served_on = DateField("口头审理通知送达日期（通知书尚未送达的可不填，送达后在通知书的送达记录中登记）",
                                 format="%Y-%m-%d", validators=[Optional()])


class HoldHearingForm(ActionForm):
    requester_attended = BooleanField("请求人到场", default=True)
    respondent_attended = BooleanField("被请求人到场", default=True)
    absence_excused = BooleanField("缺席有正当理由")
    notes = TextAreaField("审理笔录摘要", filters=F, validators=[MaxChars(LONG_TEXT)])


class DeliberateForm(ActionForm):
    reason = TextAreaField("书面审理的理由（普通程序不经口头审理时必填）", filters=F, validators=[Length(max=500)])


class DecideForm(ActionForm):
    outcome = SelectField("裁决结果", choices=[(ClosingType.INFRINGEMENT.value, ClosingType.INFRINGEMENT.label),
                                            (ClosingType.DISMISSED.value, ClosingType.DISMISSED.label)])
    decision_text = TextAreaField("裁决主文（责令停止的行为：类型、对象、范围；或驳回请求）", filters=F,
                                  validators=[DataRequired(REQUIRED), MaxChars(LONG_TEXT)])


class ServeDecisionForm(ActionForm):
    decision_served_on = today_date_field("当事人收到裁决书日期")


class SuspendForm(ReasonForm):
    started_on = today_date_field("中止日期")
    # SPEC §3 (issue 9.8): suspension on an invalidation request needs CNIPA's acceptance notice
    on_invalidation = BooleanField("因被请求人请求宣告涉案专利权无效而中止")
    reference = StringField("国家知识产权局无效宣告请求受理通知书编号", filters=F, validators=[Length(max=100)])
    reference_date = DateField("受理通知书日期", format="%Y-%m-%d", validators=[Optional()])


class ResumeForm(ActionForm):
    ended_on = today_date_field("恢复审理日期")
    reason = TextAreaField("恢复理由（如无效宣告审查结论）", filters=F, validators=[Length(max=500)])


class ClockStopForm(PageForm):
    kind = SelectField("类型", choices=[("announcement", "公告送达"), ("appraisal", "技术鉴定")])
    started_on = today_date_field("开始日期")
    ended_on = DateField("结束日期（未结束可不填）", format="%Y-%m-%d", validators=[Optional()])
    reason = StringField("说明", filters=F, validators=[Length(max=500)])


class ApprovalDecisionForm(PageForm):
    comment = TextAreaField("审批意见", filters=F, validators=[Length(max=500)])


class CalculatorForm(PageForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField("起算日（事件发生日）", format="%Y-%m-%d", validators=[InputRequired(DATE_INVALID)])
    amount = IntegerField("期间", validators=[InputRequired("请输入期间"), NumberRange(min=0, max=3650, message="期间应为0至3650")])
    unit = enum_select("单位", Unit, default=Unit.WORKING.value)
    stopped_days = IntegerField("不计入期限的天数（中止、公告、鉴定）", default=0, validators=[
        Optional(), NumberRange(min=0, max=3650, message="不计入的天数应为0至3650")])


class CalendarYearForm(PageForm):
    year = IntegerField("年份", validators=[InputRequired("请输入年份"), NumberRange(min=2004, max=2100, message="年份应在2004至2100之间")])
    holidays = TextAreaField("放假日期（每行一个：日期 节日名称，或 起始日期~结束日期 节日名称）", filters=F)
    workdays = TextAreaField("调休上班日期（每行一个：日期 说明）", filters=F)
    source = StringField("依据", filters=F, default="国务院办公厅关于放假安排的通知", validators=[Length(max=200)])


def _basis_given(field) -> None:
    """The legal source may be left out of a post (kept as it is), not emptied."""
    from wtforms.validators import StopValidation

    if field.raw_data and not (field.data or "").strip():
        raise StopValidation("请填写法律依据")


class DeadlineRuleForm(PageForm):
    amount = IntegerField("期间", validators=[InputRequired("请输入期间"), NumberRange(min=0, max=365, message="期间应为0至365")])
    unit = enum_select("单位", Unit)
    basis = StringField("依据（法律出处）", filters=F, validators=[
        lambda form, field: _basis_given(field), Length(max=200, message="依据不超过200字")])


class AssignForm(PageForm):
    handler_id = SelectField("改由承办", coerce=db_int)

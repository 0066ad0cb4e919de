"""Forms of the referral pages (SPEC §6)."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casesys.core.inputs import db_int
from casesys.domain.referrals import ReferralKind, ReferralState
from casesys.forms.fields import DATE_INVALID, REQUIRED, DateField, PageForm, enum_select, not_in_future, strip_filter

F = [strip_filter]


class ReferralForm(PageForm):
    kind = enum_select("协作类型", ReferralKind)
    receiver_id = SelectField("接收机关", coerce=db_int)
    subject = StringField("事由", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    body = TextAreaField("具体内容", filters=F, validators=[DataRequired(REQUIRED), Length(max=20000)],
                         description="请求协助的事项、线索或通报的内容，以及联系方式")
    case_number = StringField("关联本机关案件（案号）", filters=F, validators=[Length(max=64)],
                              description="案件移送必填；其他类型可不填")
    file = FileField("附件（PDF/JPEG/PNG，可不选）")

    def validate_receiver_id(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择接收机关")

    def validate_case_number(self, field) -> None:
        if self.kind.data == ReferralKind.CASE_TRANSFER.value and not field.data:
            raise ValidationError("案件移送须填写本机关案件的案号")


class ReferralActionForm(PageForm):
    text = TextAreaField("说明", filters=F, validators=[Length(max=20000)])
    on = DateField("日期", format="%Y-%m-%d", validators=[Optional(), not_in_future],
                   description="按对方纸质回函登记时，填写回函日期；留空为今天")
    file = FileField("附件（PDF/JPEG/PNG，可不选）")

    def validate_on(self, field) -> None:
        if field.raw_data and field.raw_data[0] and field.data is None:
            raise ValidationError(DATE_INVALID)


class ReferralNoteForm(PageForm):
    text = TextAreaField("留言", filters=F, validators=[Length(max=20000)])
    file = FileField("附件（PDF/JPEG/PNG，可不选）")


class LinkCaseForm(PageForm):
    case_number = StringField("本机关案号", filters=F, validators=[Length(max=64)])


class ReferralFilterForm(PageForm):
    class Meta(PageForm.Meta):
        csrf = False

    box = SelectField("", choices=[("inbox", "收件箱"), ("outbox", "发件箱")], default="inbox")
    partner = SelectField("协作机关", coerce=db_int, validators=[Optional()])
    kind = SelectField("类型", choices=[("", "全部类型")] + ReferralKind.choices(), validators=[Optional()])
    state = SelectField("状态", choices=[("", "全部状态")] + ReferralState.choices(), validators=[Optional()])
    overdue = SelectField("期限", choices=[("", "全部"), ("1", "仅逾期")], validators=[Optional()])

"""Forms of the mediation pages (SPEC §5)."""
from __future__ import annotations

from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casesys.core.inputs import db_int
from casesys.domain.mediation import Consent, OrganisationKind, TermKind, parse_amount
from casesys.forms.fields import (
    LONG_TEXT,
    REQUIRED,
    DateField,
    DateTimeLocalField,
    MaxChars,
    PageForm,
    SubForm,
    enum_select,
    strip_filter,
    today_date_field,
    web_url,
)

F = [strip_filter]



class StartMediationForm(PageForm):
    request_served_on = DateField("对方收到调解申请书副本日期（尚未送达的可不填，送达后登记）", format="%Y-%m-%d",
                                  validators=[Optional()])
    court_name = StringField("委派法院（法院委派调解时填写）", filters=F, validators=[Length(max=100)])
    court_reference = StringField("委派文号", filters=F, validators=[Length(max=100)])


class RequestServiceForm(PageForm):
    served_on = DateField("对方收到调解申请书副本日期", format="%Y-%m-%d",
                          validators=[InputRequired("请输入有效日期，格式为 年-月-日")])


class ConsentForm(PageForm):
    party_id = SelectField("当事人", coerce=db_int)
    consent = SelectField("意愿", choices=[(Consent.AGREED.value, "同意调解"), (Consent.REFUSED.value, "拒绝调解")])
    on = today_date_field("答复日期")


class AssignMediatorForm(PageForm):
    mediator_id = SelectField("调解员", coerce=db_int)


class OrganisationForm(PageForm):
    organisation_id = SelectField("参加调解的组织", coerce=db_int)


class SessionForm(PageForm):
    scheduled_at = DateTimeLocalField("会议时间", format="%Y-%m-%dT%H:%M", validators=[InputRequired("请输入会议时间")])
    place = StringField("地点", filters=F, validators=[Length(max=200)])
    online_link = StringField("线上会议链接", filters=F, validators=[Length(max=300), web_url],
                              description="以 https:// 开头的会议地址")


class SessionRecordForm(PageForm):
    attended = SelectMultipleField("到场当事人", coerce=db_int)
    minutes = TextAreaField("会议纪要", filters=F, validators=[MaxChars(LONG_TEXT)])
    proposal = TextAreaField("调解方案（如有）", filters=F, validators=[MaxChars(LONG_TEXT)])


class TermForm(SubForm):
    debtor_id = SelectField("义务人", coerce=db_int)
    creditor_id = SelectField("权利人", coerce=db_int)
    kind = enum_select("内容", TermKind)
    amount = StringField("金额（元）", filters=F)
    description = StringField("行为说明", filters=F, validators=[Length(max=500)])
    due_on = DateField("履行期限", format="%Y-%m-%d", validators=[InputRequired("请填写履行期限")])

    def validate_amount(self, field) -> None:
        if self.kind.data == TermKind.MONEY.value or field.data:
            try:
                field.parsed = parse_amount(field.data or "")
            except ValueError as error:
                raise ValidationError(str(error)) from None
        else:
            field.parsed = None


class AgreementForm(PageForm):
    partial = BooleanField("部分达成协议")
    text = TextAreaField("协议内容", filters=F, validators=[DataRequired(REQUIRED), MaxChars(LONG_TEXT)])
    concluded_on = today_date_field("协议日期")
    terms = FieldList(FormField(TermForm), min_entries=1, max_entries=30)


class SignForm(PageForm):
    # "party:<id>" or "mediator:<id>"; the service checks who may sign.
    signer = StringField("签署人", validators=[DataRequired("请选择签署人")])


class FailForm(PageForm):
    reason = TextAreaField("调解不成的原因", filters=F, validators=[DataRequired(REQUIRED), Length(max=500)])


class ExtendForm(PageForm):
    days = IntegerField("延长天数", validators=[InputRequired("请输入天数"), NumberRange(min=1, max=90, message="延长天数应在1至90日之间")])
    consenting = SelectMultipleField("同意延长的当事人", coerce=db_int)


class ConfirmationForm(PageForm):
    applied_on = today_date_field("申请日期")
    court = StringField("人民法院", filters=F, validators=[DataRequired(REQUIRED), Length(max=100)])


class ConfirmationResultForm(PageForm):
    result = SelectField("法院结果", choices=[("accepted", "已受理，尚未裁定"), ("confirmed", "裁定确认有效"),
                                          ("rejected", "裁定驳回申请")])
    on = today_date_field("日期（受理或裁定）")
    extended = BooleanField("法院决定延长审查期限")


class PerformanceForm(PageForm):
    done_on = today_date_field("履行日期")
    proof = StringField("履行证明", filters=F, validators=[DataRequired(REQUIRED), Length(max=500)])


class MediationOrganisationForm(PageForm):
    name = StringField("名称", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = enum_select("类型", OrganisationKind)
    region = StringField("地区", filters=F, validators=[Length(max=50)])
    contact = StringField("联系方式", filters=F, validators=[Length(max=200)])
    is_active = BooleanField("启用", default=True)
    may_seek_confirmation = BooleanField("依法设立的调解组织：其主持达成的调解协议可以申请司法确认（人民调解委员会、行业协会调解组织等）")


class MediatorForm(PageForm):
    name = StringField("姓名", filters=F, validators=[DataRequired(REQUIRED), Length(max=64)])
    organisation_id = SelectField("所属组织", coerce=db_int)
    user_id = SelectField("系统账号（如有）", coerce=db_int)
    phone = StringField("电话", filters=F, validators=[Length(max=40)])
    declared_relations = TextAreaField("申报的利害关系（当事人名称或信用代码，每行一个）", filters=F)
    is_active = BooleanField("启用", default=True)



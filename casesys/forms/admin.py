"""Administrator forms: users, offices, settings."""
from __future__ import annotations

from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from casesys.core.inputs import db_int
from casesys.domain.enums import OfficeLevel, Role
from casesys.forms.fields import REQUIRED, MultiCheckboxField, PageForm, enum_select, strip_filter, web_url

F = [strip_filter]


class UserForm(PageForm):
    username = StringField("用户名", filters=F, validators=[
        DataRequired(REQUIRED), Length(max=64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符")])
    full_name = StringField("姓名", filters=F, validators=[DataRequired(REQUIRED), Length(max=64)])
    email = StringField("电子邮箱", filters=F, validators=[Optional(), Email("电子邮箱格式不正确")])
    office_id = SelectField("所属机关", coerce=db_int)
    roles = MultiCheckboxField("角色", choices=Role.choices())
    province_wide = BooleanField("可查看全省案件")
    active = BooleanField("启用", default=True)
    # The policy (length, username, common passwords) is checked by the service.
    password = PasswordField("密码", validators=[Optional(), Length(max=128, message="密码不能超过128个字符")],
                             description="新建用户时必填；编辑时留空表示不修改。不能包含用户名，不能是常见密码。")

    def validate_roles(self, field) -> None:
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError("请至少选择一个角色")


class OfficeForm(PageForm):
    code = StringField("机关代码", filters=F, validators=[
        DataRequired(REQUIRED), Length(max=32),
        Regexp(r"^[A-Za-z0-9_-]+$", message="代码只能包含字母、数字、下划线和连字符")])
    name = StringField("机关名称", filters=F, validators=[DataRequired(REQUIRED), Length(max=100)])
    case_prefix = StringField("案号机关简称", filters=F, validators=[DataRequired(REQUIRED), Length(max=20)],
                              description="如：鄂知保")
    province = SelectField("省份", choices=[("湖北", "湖北"), ("湖南", "湖南"), ("江西", "江西")])
    city = StringField("城市", filters=F, validators=[Length(max=20)])
    level = enum_select("层级", OfficeLevel)
    is_partner = BooleanField("协作机关（湘、赣）")
    contact = StringField("联系方式", filters=F, validators=[Length(max=200)])
    contact_person = StringField("协作联系人", filters=F, validators=[Length(max=64)])
    contact_phone = StringField("联系电话", filters=F, validators=[Length(max=40)])
    instance_url = StringField("对方系统地址", filters=F, validators=[Optional(), Length(max=200), web_url],
        description="对方也使用本系统时填写，如 https://casesys.jxipa.example")
    public_key = StringField("对方签名公钥（Ed25519）", filters=F, validators=[Length(max=100)],
                             description="由对方管理员运行 flask --app wsgi referrals keygen 生成后提供")
    # (the key itself is checked by the service: casesys.admin.services.save_office)
    is_active = BooleanField("启用", default=True)
    # SPEC §3 (issue 9.7)
    handles_patent_disputes = BooleanField("有权处理专利纠纷（省级机关当然有权；市级机关经确定的在此登记）")
    entrusted_by_id = SelectField("委托机关（县级机关受委托处理专利纠纷时选择）", coerce=db_int, default=0)
    entrustment_reference = StringField("委托文件（文号及日期）", filters=F, validators=[Length(max=200)])


def _check_format(field) -> None:
    from wtforms.validators import ValidationError

    from casesys.domain.numbering import check_number_format

    if message := check_number_format(field.data or ""):
        raise ValidationError(message)


def settings_form_class(definitions):
    """A form with one field per configurable setting (casesys.core.settings)."""
    from wtforms import IntegerField
    from wtforms.validators import InputRequired, NumberRange

    class SettingsForm(PageForm):
        def validate_case_number_format(self, field) -> None:
            _check_format(field)

        def validate_document_number_format(self, field) -> None:
            _check_format(field)

    for key, definition in definitions.items():
        if definition.kind is int:
            field = IntegerField(definition.label, description=definition.help, validators=[
                InputRequired("请输入整数"), NumberRange(min=1, max=definition.maximum,
                                                    message=f"请输入1至{definition.maximum}之间的整数")])
        else:
            field = StringField(definition.label, description=definition.help, filters=F,
                                validators=[DataRequired(REQUIRED)])
        setattr(SettingsForm, key, field)
    return SettingsForm

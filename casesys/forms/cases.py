"""Forms of the case register (SPEC §2)."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from casesys.core import clock
from casesys.core.inputs import db_int, optional_id
from casesys.domain.codes import parse_patent_number
from casesys.domain.enums import (
    AgentAuthority,
    DisputeKind,
    EnterpriseType,
    EvaluationConclusion,
    EvidenceKind,
    InfringingAct,
    PartyKind,
    PatentStatus,
    PatentType,
)
from casesys.forms.fields import (
    DATE_INVALID,
    LONG_TEXT,
    REQUIRED,
    DateField,
    MaxChars,
    MultiCheckboxField,
    PageForm,
    SubForm,
    VersionField,
    claims_list,
    credit_code,
    enum_select,
    not_in_future,
    patent_number,
    resident_id,
    strip_filter,
)

F = [strip_filter]


class PartyForm(SubForm):
    """A party; its resident ID or credit code is checked by its check digit."""

    kind = enum_select("类型", PartyKind, default=PartyKind.ORGANISATION.value)
    name = StringField("名称或姓名", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    id_number = StringField("身份证号码", filters=F, validators=[Optional(), resident_id])
    credit_code = StringField("统一社会信用代码", filters=F, validators=[Optional(), credit_code])
    address = StringField("送达地址", filters=F, validators=[DataRequired(REQUIRED), Length(max=300)])
    phone = StringField("联系电话", filters=F, validators=[Length(max=40)])
    legal_representative = StringField("法定代表人", filters=F, validators=[Length(max=64)])
    enterprise_type = enum_select("主体性质", EnterpriseType)
    agent_name = StringField("代理人", filters=F, validators=[Length(max=64)])
    agent_firm = StringField("代理机构", filters=F, validators=[Length(max=200)])
    agent_phone = StringField("代理人电话", filters=F, validators=[Length(max=40)])
    agent_authority = enum_select("代理权限", AgentAuthority)

    #: Set by the parent form: requesters must give their code (SPEC §2).
    code_required = False

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        person = self.kind.data == PartyKind.PERSON.value
        field = self.id_number if person else self.credit_code
        foreign = self.enterprise_type.data == EnterpriseType.FOREIGN.value
        if self.code_required and not field.data and not field.errors and not foreign:
            field.errors.append("请填写身份证号码" if person else "请填写统一社会信用代码")
            ok = False
        return ok

    def party_values(self) -> dict:
        return {k: self[k].data for k in (
            "kind", "name", "id_number", "credit_code", "address", "phone",
            "legal_representative", "enterprise_type")}

    def agent_values(self) -> dict | None:
        if not self.agent_name.data:
            return None
        return {"name": self.agent_name.data, "firm": self.agent_firm.data,
                "phone": self.agent_phone.data, "authority": self.agent_authority.data}


class RequiredCodePartyForm(PartyForm):
    code_required = True


class PatentForm(SubForm):
    number = StringField("专利号", filters=F, validators=[DataRequired(REQUIRED), patent_number],
                         description="如 ZL202310123456.6")
    patent_type = enum_select("专利类型", PatentType)
    title = StringField("专利名称", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    patentee = StringField("专利权人", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)])
    filed_on = DateField("申请日", validators=[Optional()], format="%Y-%m-%d")
    granted_on = DateField("授权公告日", validators=[Optional()], format="%Y-%m-%d")
    legal_status = enum_select("法律状态", PatentStatus)
    evaluation = enum_select("专利权评价报告", EvaluationConclusion)
    claims = StringField("主张的权利要求", filters=F, validators=[DataRequired(REQUIRED), claims_list],
                         description="如 1-3,5")

    def validate_patent_type(self, field) -> None:
        parsed = parse_patent_number(self.number.data or "")
        if parsed is not None and parsed.patent_type != field.data:
            raise ValidationError(
                f"专利号表明这是{PatentType(parsed.patent_type).label}专利，与所选类型不符")

    def validate_granted_on(self, field) -> None:
        if field.data and self.filed_on.data and field.data < self.filed_on.data:
            raise ValidationError("授权公告日不能早于申请日")

    def patent_values(self) -> dict:
        return {k: self[k].data for k in (
            "patent_type", "title", "patentee", "filed_on", "granted_on", "legal_status", "evaluation")}


class EvidenceFields(SubForm):
    file = FileField("文件（PDF/JPEG/PNG）")
    kind = enum_select("证据种类", EvidenceKind)
    description = StringField("证据名称及证明内容", filters=F, validators=[Length(max=500)])
    page_count = IntegerField("页数", validators=[Optional(), NumberRange(min=1, max=100000, message="页数应为正整数")])

    def validate_description(self, field) -> None:
        if self.file.data and not field.data:
            raise ValidationError("请说明证据名称及证明内容")


class CaseFieldsMixin:
    title = StringField("案由", filters=F, validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="如：请求人诉被请求人侵害发明专利权纠纷")
    requests = TextAreaField("请求事项", filters=F, validators=[DataRequired(REQUIRED), MaxChars(LONG_TEXT)])
    accused_products = TextAreaField("被控侵权产品", filters=F, validators=[MaxChars(LONG_TEXT)])
    infringing_acts = MultiCheckboxField("被控侵权行为", choices=InfringingAct.choices())
    places = StringField("侵权行为地", filters=F, validators=[Length(max=300)])
    facts_and_reasons = TextAreaField("事实和理由", filters=F, validators=[MaxChars(LONG_TEXT)])
    dispute_kind = enum_select("纠纷类型", DisputeKind, default=DisputeKind.INFRINGEMENT.value)

    def case_values(self) -> dict:
        values = {k: self[k].data for k in (
            "title", "requests", "accused_products", "places", "facts_and_reasons", "dispute_kind")}
        values["infringing_acts"] = ",".join(self.infringing_acts.data or [])
        return values


class RegisterCaseForm(CaseFieldsMixin, PageForm):
    received_on = DateField("收到请求日期", default=clock.today, format="%Y-%m-%d",
                            validators=[InputRequired(DATE_INVALID), not_in_future])
    requesters = FieldList(FormField(RequiredCodePartyForm), min_entries=1, max_entries=20)
    respondents = FieldList(FormField(PartyForm), min_entries=1, max_entries=50)
    third_parties = FieldList(FormField(PartyForm), min_entries=0, max_entries=20)
    patents = FieldList(FormField(PatentForm), min_entries=1, max_entries=20)
    evidence = FieldList(FormField(EvidenceFields), min_entries=1, max_entries=30)

    #: Mediation disputes (ownership, reward…) may concern no asserted patent.
    patents_required = True
    #: A row counts as left blank when all of these are empty.
    BLANK_KEYS = {"requesters": ("name", "id_number", "credit_code", "address"),
                  "respondents": ("name", "id_number", "credit_code", "address"),
                  "third_parties": ("name", "id_number", "credit_code", "address"),
                  "patents": ("number", "title", "patentee", "claims"),
                  "evidence": ("file", "description")}

    def _drop_blank_rows(self) -> None:
        """Blank rows the user added but did not fill are ignored; a required
        list keeps its first row so that its errors show."""
        required = {"requesters", "respondents"} | ({"patents"} if self.patents_required else set())
        for name, keys in self.BLANK_KEYS.items():
            field = self[name]
            keep = [e for e in field.entries if any(e.form[k].data for k in keys)]
            if not keep and name in required and field.entries:
                keep = field.entries[:1]
            field.entries = keep

    def validate(self, extra_validators=None) -> bool:
        self._drop_blank_rows()
        return super().validate(extra_validators)

    def validate_patents(self, field) -> None:
        numbers = [entry.form.number.data for entry in field if entry.form.number.data]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("同一专利不能重复填写")


class RegisterMediationForm(RegisterCaseForm):
    patents = FieldList(FormField(PatentForm), min_entries=0, max_entries=20)
    patents_required = False


class EditCaseForm(CaseFieldsMixin, PageForm):
    handler_id = SelectField("承办人", coerce=db_int)
    version = VersionField()


class AgentForm(SubForm):
    """A 委托代理人 row of the party form; a row left blank is dropped (removed)."""

    id = HiddenField()
    name = StringField("代理人", filters=F, validators=[Length(max=64)])
    firm = StringField("代理机构", filters=F, validators=[Length(max=200)])
    phone = StringField("代理人电话", filters=F, validators=[Length(max=40)])
    authority = enum_select("代理权限", AgentAuthority)

    def validate_name(self, field) -> None:
        if not field.data and (self.firm.data or self.phone.data):
            raise ValidationError("请填写代理人姓名")

    def agent_values(self) -> dict:
        return {"id": optional_id(self.id.data),
                "name": self.name.data, "firm": self.firm.data, "phone": self.phone.data,
                "authority": self.authority.data}


class EditPartyForm(PartyForm, PageForm):
    """A party after registration: its particulars and all its agents."""

    version = VersionField()
    agents = FieldList(FormField(AgentForm), min_entries=0, max_entries=10)
    # The registration form's single agent gives way to the list.
    agent_name = agent_firm = agent_phone = agent_authority = None

    def validate(self, extra_validators=None) -> bool:
        self.agents.entries = [e for e in self.agents.entries
                               if e.form.name.data or e.form.firm.data or e.form.phone.data]
        return super().validate(extra_validators)

    def agents_values(self) -> list[dict]:
        return [e.form.agent_values() for e in self.agents]


class AddPartyForm(EditPartyForm):
    """SPEC §2: a party joined after registration, e.g. a 第三人."""

    role = SelectField("身份", choices=[("third_party", "第三人"), ("respondent", "被请求人"),
                                        ("requester", "请求人")], default="third_party")


class EvidenceUploadForm(EvidenceFields, PageForm):
    party_id = SelectField("提交人", coerce=db_int)

    def validate_file(self, field) -> None:
        if not field.data:
            raise ValidationError("请选择要上传的文件")


class CrossExaminationForm(PageForm):
    opinion = TextAreaField("质证意见", filters=F, validators=[DataRequired("请填写质证意见"), Length(max=5000)])

"""Forms of the oversight pages: dashboard filters, monthly report, ledger import."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import Form, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from casesys.core.inputs import db_int, optional_id
from casesys.forms.fields import ChineseMeta, DateField, PageForm


class DashboardFilterForm(Form):
    """GET filters of the dashboard (no CSRF: it changes nothing)."""

    class Meta(ChineseMeta):
        pass

    date_from = DateField("收案日期自", format="%Y-%m-%d", validators=[Optional()])
    date_to = DateField("至", format="%Y-%m-%d", validators=[Optional()])
    office_id = SelectField("机关", coerce=optional_id)

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("结束日期不能早于开始日期")


class MonthlyReportForm(Form):
    class Meta(ChineseMeta):
        pass

    month = SelectField("月份", validate_choice=True)
    office_id = SelectField("机关", coerce=optional_id)


class LedgerUploadForm(PageForm):
    office_id = SelectField("导入到机关", coerce=db_int)
    file = FileField("台账文件（XLSX）", validators=[FileRequired("请选择要上传的台账文件")])


def ledger_mapping_form(headers: list[str], fields, initial: dict[str, str], formdata=None):
    """One select per case field, offering the file's own headers (SPEC §2
    fields; the office's last choice preselected)."""
    from wtforms import HiddenField

    class LedgerMappingForm(PageForm):
        office_id = HiddenField()
        filename = HiddenField()

    choices = [("", "（不导入）")] + [(h, h) for h in headers if h]
    for f in fields:
        setattr(LedgerMappingForm, f"map_{f.key}", SelectField(
            f.header, choices=choices, default=initial.get(f.key, ""),
            validators=[InputRequired("请选择该列")] if f.required else [Optional()]))
    form = LedgerMappingForm(formdata=formdata)
    return form


def mapping_of(form, fields) -> dict[str, str]:
    return {f.key: form[f"map_{f.key}"].data for f in fields if form[f"map_{f.key}"].data}

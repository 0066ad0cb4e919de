"""Forms of the oversight pages: dashboard filters, monthly report, ledger import."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, Form, SelectField
from wtforms.validators import Optional, ValidationError

from casesys.forms.fields import ChineseMeta, PageForm


class DashboardFilterForm(Form):
    """GET filters of the dashboard (no CSRF: it changes nothing)."""

    class Meta(ChineseMeta):
        pass

    date_from = DateField("收案日期自", format="%Y-%m-%d", validators=[Optional()])
    date_to = DateField("至", format="%Y-%m-%d", validators=[Optional()])
    office_id = SelectField("机关", coerce=lambda v: int(v) if str(v).isdigit() else None, validate_choice=False)

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("结束日期不能早于开始日期")


class MonthlyReportForm(Form):
    class Meta(ChineseMeta):
        pass

    month = SelectField("月份", validate_choice=True)
    office_id = SelectField("机关", coerce=lambda v: int(v) if str(v).isdigit() else None, validate_choice=False)


class LedgerUploadForm(PageForm):
    file = FileField("台账文件（XLSX）")

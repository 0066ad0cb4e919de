"""Forms of the documents pages (SPEC §8)."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casesys.core import clock
from casesys.core.inputs import db_int
from casesys.forms.fields import DATE_INVALID, REQUIRED, DateField, MaxChars, PageForm, VersionField, strip_filter

F = [strip_filter]


def texts_form_class(fields: tuple[tuple[str, str], ...], limit_setting: str):
    """One text area per editable part of the document type, each at most as
    long as the setting `limit_setting` allows."""

    class DocumentTextsForm(PageForm):
        version = VersionField()

        def texts(self) -> dict[str, str]:
            return {key: self[key].data for key, _ in fields}

    for key, label in fields:
        setattr(DocumentTextsForm, key, TextAreaField(label, filters=F, validators=[MaxChars(limit_setting)]))
    return DocumentTextsForm


class ServiceForm(PageForm):
    party_id = SelectField("受送达人", coerce=db_int)
    method = SelectField("送达方式", choices=[("direct", "直接送达"), ("post", "邮寄送达"), ("electronic", "电子送达"),
                                           ("announcement", "公告送达")])
    address = StringField("送达地址", filters=F, validators=[Length(max=300)])
    sent_on = DateField("发出日期", default=clock.today, format="%Y-%m-%d", validators=[InputRequired(DATE_INVALID)])
    received_on = DateField("收到日期（公告送达为视为送达之日）", format="%Y-%m-%d", validators=[Optional()])
    note = StringField("备注", filters=F, validators=[Length(max=300)])


class ReturnForm(PageForm):
    comment = TextAreaField("退回理由", filters=F, validators=[DataRequired(REQUIRED), Length(max=500)])


class BatchForm(PageForm):
    """The selected documents come as a list of checkboxes `document_ids`."""


class VerifyForm(PageForm):
    """Public verification: the code printed under the QR code, or the PDF itself."""

    code = StringField("核验码或核验地址", filters=F, validators=[Length(max=300)])
    file = FileField("或上传PDF文件（比对 SHA-256）")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.code.data and not self.file.data:
            self.code.errors = ["请输入核验码，或上传要核验的PDF文件"]
            return False
        return ok

"""Configurable rules (SPEC: *configurable*): each has a default here and an
administrator's value in the `settings` table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g

from casesys.core.database import built_once
from casesys.domain.credit import MAX_PUBLISH_MONTHS
from casesys.extensions import db


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str
    help: str = ""
    maximum: int = 3650  # a whole-number setting: days, months, MB — ten years of days at most

    @property
    def kind(self) -> type:
        return type(self.default)


LEGAL_TEXTS = (
    SettingDef("basis_ruling_infringement",
               "依照《中华人民共和国专利法》第十一条、第六十五条和《专利纠纷行政裁决和调解办法》的规定",
               "法律依据：行政裁决书（侵权成立）", "印在裁决主文之前；办案人员可在每份文书中修改。"),
    SettingDef("basis_ruling_dismissed", "依照《中华人民共和国专利法》第六十五条和《专利纠纷行政裁决和调解办法》的规定",
               "法律依据：行政裁决书（驳回请求）"),
    SettingDef("remedy_ruling",
               "当事人对本裁决不服的，可以自收到本裁决书之日起{days}日内，依照《中华人民共和国行政诉讼法》向人民法院起诉"
               "（《中华人民共和国专利法》第六十五条）。",
               "救济途径：行政裁决书", "{days} 为起诉期限规则中的天数。"),
    SettingDef("enforcement_ruling", "被请求人期满不起诉又不停止侵权行为的，本机关可以申请人民法院强制执行。",
               "强制执行告知：行政裁决书（仅责令停止侵权行为时印出）"),
    SettingDef("basis_answer_notice", "根据《专利纠纷行政裁决和调解办法》的规定", "法律依据：答辩通知书"),
    SettingDef("basis_rejection_notice", "根据《专利纠纷行政裁决和调解办法》的规定", "法律依据：不予受理通知书"),
    SettingDef("remedy_rejection_notice",
               "如不服本决定，可以自收到本通知书之日起六十日内依照《中华人民共和国行政复议法》申请行政复议，"
               "或者自收到本通知书之日起六个月内依照《中华人民共和国行政诉讼法》第四十六条的规定向人民法院提起行政诉讼。",
               "救济途径：不予受理通知书"),
)

SETTINGS: dict[str, SettingDef] = {
    s.key: s
    for s in (
        SettingDef(
            "case_number_format", "{prefix}{type_word}字〔{year}〕{seq}号",
            "案号格式",
            "可用占位符：{prefix} 机关简称，{type_word} 类别字，{year} 年份，{seq} 流水号。",
        ),
        SettingDef("case_type_word_adjudication", "裁", "行政裁决案号类别字"),
        SettingDef(
            "document_number_format", "{prefix}{type_word}字〔{year}〕{seq}号", "文书编号格式",
            "每个机关、文书类型、年度单独编号。占位符同案号格式。",
        ),
        SettingDef("case_type_word_mediation", "调", "调解案号类别字"),
        SettingDef("upload_max_mb", 20, "上传文件大小上限（MB）", "证据材料，PDF/JPEG/PNG。"),
        SettingDef("mediation_consent_days", 15, "调解意愿答复期限（日）", "对方在此期限内不同意的，调解终止。"),
        SettingDef("mediation_limit_days", 30, "调解期限（日）", "自各方同意调解之日起计算，经各方同意可以延长。"),
        SettingDef("court_mediation_limit_days", 30, "法院委派调解期限（日）", "诉前委派调解，一般为30日。"),
        SettingDef("judicial_confirmation_days", 30, "申请司法确认期限（日）", "自调解协议生效之日起计算。"),
        SettingDef("reminder_working_days", 3, "期限提醒提前工作日数", "期限届满前多少个工作日开始提醒。"),
        SettingDef("repeat_infringement_years", 5, "重复侵权认定期间（年）",
                   "同一被请求人在此期间内再次被认定侵权的，列为重复侵权。", maximum=30),
        SettingDef("credit_objection_working_days", 15, "信用记录异议期限（工作日）",
                   "当事人收到信用记录告知书后提出异议的期限，期满无异议的予以公示。"),
        SettingDef("credit_publish_months", 36, "失信记录默认公示期限（月）", "负责人认定时可以调整。",
                   maximum=MAX_PUBLISH_MONTHS),
        # Issue 11: a PDF's rendering time grows with its text (8 sections of 20,000
        # characters: 5 s), so each text has a ceiling by kind.
        SettingDef("document_text_max_chars", 3000, "文书每部分字数上限：通知书、函、审批表",
                   "超过的不能保存。", maximum=20000),
        SettingDef("long_text_max_chars", 8000, "长文本字数上限：行政裁决书、调解协议书每部分及其来源",
                   "行政裁决书、调解协议书的每一部分，以及案件的请求事项、事实和理由、被控侵权产品、裁决主文、"
                   "审理笔录、调解纪要和方案、协议内容。超过的不能保存。", maximum=20000),
        SettingDef("export_job_rows", 5000, "导出转为后台生成的行数（XLSX）",
                   "超过此行数的 XLSX 导出在后台生成，完成后在任务页下载；行数较少的和 CSV 导出立即下载。",
                   maximum=1_000_000),
        # The legal basis and remedies printed in documents (issue 9.15): today's texts
        # as defaults; an administrator corrects them when the law changes.
        *LEGAL_TEXTS,
    )
}


def get_setting(key: str) -> Any:
    """The administrator's value, else the default; all values are read at
    the request's first use (one statement: a page asks for several), and
    kept per display epoch, which every change of a setting raises."""
    from casesys.core.fragments import kept_for_epoch  # which imports the models, which import this module

    cache = g.get("_settings_cache")
    if cache is None:
        cache = g._settings_cache = kept_for_epoch("settings", lambda: dict(
            db.session.execute(_all_settings_statement()).tuples().all()))
    return cache[key] if key in cache else SETTINGS[key].default


@built_once
def _all_settings_statement() -> sa.Select:
    from casesys.core.models import Setting  # which imports this module

    return sa.select(Setting.key, Setting.value)


def set_setting(key: str, value: Any, *, actor_id: int | None) -> None:
    from casesys.core.models import Setting

    definition = SETTINGS[key]
    value = definition.kind(value)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value, updated_by_id=actor_id))
    else:
        row.value = value
        row.updated_by_id = actor_id
    g.pop("_settings_cache", None)

"""The document credit supervision makes (SPEC §7, §8): the notice that
tells a party of the confirmed records of a case, registered with the
documents at app creation."""
from casesys.credit.services import notice_text, records_to_notify
from casesys.documents.types import DocType, needs

CREDIT_NOTICE = DocType(
    "credit_notice", "信用记录告知书", "信告", "notice.html",
    needs(lambda c: bool(records_to_notify(c)), "本案没有待告知的信用记录"),
    (("body", "正文"),), lambda c: {"body": notice_text(c)},
    addressee=lambda c: "、".join(dict.fromkeys(r.subject_name for r in records_to_notify(c))))

"""The letters of a referral (SPEC §6, §8): 移送函 for what is handed over,
协助函 for what is asked of a partner that does not run casesys; registered
with the documents at app creation."""
import sqlalchemy as sa

from casesys.documents.types import DocType, needs
from casesys.extensions import db
from casesys.referrals.models import Referral


def _referred(case) -> bool:
    """A referral was started from this case."""
    return db.session.scalar(sa.select(Referral.id).where(Referral.sender_case_id == case.id).limit(1)) is not None


REFERRAL_LETTER = DocType(
    "referral_letter", "移送函", "移", "notice.html",
    needs(lambda c: bool(c.shares) or _referred(c), "案件未移送或请求协助"),
    (("body", "正文"),),
    lambda c: {"body": f"{c.title}一案，根据鄂湘赣跨区域知识产权保护协作机制，现函送贵局，请予协助办理并函复。"})
ASSISTANCE_LETTER = DocType(
    "assistance_letter", "协助函", "协", "notice.html",
    needs(_referred, "本案没有请求协助的协作事项"),
    (("body", "正文"),),
    lambda c: {"body": f"{c.title}一案，根据鄂湘赣跨区域知识产权保护协作机制，请贵局协助办理下列事项并函复。"})

"""Issue 16.5: the 口头审理通知书 is addressed to every party, reads
「…专利侵权纠纷一案进行口头审理」 and states time (no leading zeros), place,
panel and the consequences of absence."""
import io
import re
from datetime import datetime, timedelta

import pdfplumber

from casesys.adjudication.models import Hearing, PanelMember
from casesys.core import clock
from casesys.documents.services import create_draft, document_pdf
from casesys.domain.enums import PartyRole, Role


def test_hearing_notice_names_every_party_time_place_panel_and_absence(app, db, factory):
    officer = factory.user(Role.OFFICER, full_name="袁欣峰")
    colleagues = [factory.user(Role.OFFICER, office=officer.office, full_name=n) for n in ("周平静", "曹雪")]
    case = factory.case(officer, respondents=("长沙湘江机械制造有限公司", "荆州古城电子有限公司"))
    from casesys.cases.services import add_party

    add_party(case, factory.party(PartyRole.THIRD_PARTY, "宜昌三峡电气有限公司"), expected_version=case.version,
              actor=officer)
    day = clock.today() + timedelta(days=9)
    case.hearings.append(Hearing(scheduled_at=datetime(day.year, day.month, day.day, 9, 30), place="第一审理庭",
                                 notice_served_on=clock.today()))
    for user, presiding in ((officer, True), *((c, False) for c in colleagues)):
        case.panel.append(PanelMember(user_id=user.id, presiding=presiding))
    db.session.commit()
    db.session.refresh(case)
    with app.test_request_context():
        document = create_draft(case, "hearing_notice", actor=officer)
        with pdfplumber.open(io.BytesIO(document_pdf(document))) as pdf:
            text = "".join((p.extract_text() or "").replace("\n", "") for p in pdf.pages)
    text = text.replace("草", "").replace("稿", "")  # the draft watermark
    assert ("请求人武汉光谷激光科技有限公司、被请求人长沙湘江机械制造有限公司、被请求人荆州古城电子有限公司、"
            "第三人宜昌三峡电气有限公司：") in text
    assert f"本机关定于{day.year}年{day.month}月{day.day}日9时30分在第一审理庭对" in text
    assert "专利侵权纠纷一案进行口头审理" in text
    assert "合议组由袁欣峰（审理长）、周平静、曹雪组成" in text
    assert "按撤回请求处理" in text and "缺席审理" in text
    assert not re.search(r"[年月日]0\d|\d时0\d分", text)  # no leading zeros anywhere

"""What the case page shows of credit supervision (SPEC §7)."""
from __future__ import annotations

from functools import cached_property

import sqlalchemy as sa

from casesys.cases.models import Case
from casesys.core import clock
from casesys.core.database import built_once
from casesys.core.settings import get_setting
from casesys.credit.models import CreditRecord
from casesys.credit.services import party_code, right_to_sue_ends
from casesys.domain.enums import PartyRole
from casesys.extensions import db
from casesys.forms.credit import ForgedEvidenceForm, NonPerformanceForm


class CasePanel:
    """What the case page shows (SPEC §7): repeat infringers with links, the
    case's credit records, and the forms to record a finding. Each part is
    read when the page first asks for it: most cases show none of the forms."""

    code = staticmethod(party_code)

    def __init__(self, case: Case, *, repeat: dict) -> None:
        self.case = case
        self.today = clock.today()
        self.repeat = repeat  # asked by the page on every view (casesys.casepage.cache)

    @cached_property
    def records(self) -> list[CreditRecord]:
        return list(db.session.scalars(_case_records_statement(), {"case_id": self.case.id}))

    @cached_property
    def years(self) -> int:
        return get_setting("repeat_infringement_years")

    @cached_property
    def right_to_sue_ends(self):
        return right_to_sue_ends(self.case) if self.case.decision_outcome == "infringement" else None

    @cached_property
    def non_performance_form(self) -> NonPerformanceForm:
        form = NonPerformanceForm()
        form.party_id.choices = [(p.id, p.name) for p in self.case.parties_in(PartyRole.RESPONDENT)]
        return form

    @cached_property
    def forged_form(self) -> ForgedEvidenceForm:
        form = ForgedEvidenceForm()
        form.evidence_id.choices = [(e.id, f"{e.party.name}：{e.description}") for e in self.case.evidence if e.party]
        return form


@built_once
def _case_records_statement() -> sa.Select:
    return (sa.select(CreditRecord).where(CreditRecord.case_id == sa.bindparam("case_id"))
            .order_by(CreditRecord.id))

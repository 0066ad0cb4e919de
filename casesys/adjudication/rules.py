"""Deadline rules from the database, with the code's defaults as fallback."""
from __future__ import annotations

import sqlalchemy as sa

from casesys.adjudication.models import DeadlineRule
from casesys.domain.deadlines import DEFAULT_RULES, Rule
from casesys.extensions import db


def current_rules() -> dict[str, Rule]:
    rules = {rule.key: rule for rule in DEFAULT_RULES}
    for row in db.session.scalars(sa.select(DeadlineRule)):
        if row.key in rules:
            rules[row.key] = Rule(row.key, row.label, row.amount, row.unit, row.trigger, row.basis, row.owner)
    return rules

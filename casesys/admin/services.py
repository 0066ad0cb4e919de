"""Administrators' changes (SPEC §1, §5, §9; issue 10.6): users, offices,
settings, the working-day calendar, deadline rules, mediation organisations
and mediators. Each writes an audit row of who changed what — the fields'
old and new values, never a password — and flushes; the view commits. A
change that moves deadlines enqueues the job that recomputes them, in the
same unit of work."""
from __future__ import annotations

from datetime import date
from typing import Any

from casesys.adjudication.calendars import enter_year
from casesys.auth.models import Office, User
from casesys.auth.services import check_new_password, end_sessions, reset_password
from casesys.core.audit import audit_value, record_audit
from casesys.core.settings import SETTINGS, get_setting, set_setting
from casesys.domain.errors import Refused
from casesys.extensions import db
from casesys.jobs import enqueue
from casesys.mediation.models import MediationOrganisation, Mediator
from casesys.referrals.services import recompute_referral_deadlines
from casesys.referrals.signing import parse_public_key


def _assign(obj, values: dict[str, Any]) -> dict[str, list]:
    """Set `values` on `obj`; those that changed, as [old, new]."""
    changes = {}
    for key, value in values.items():
        old = getattr(obj, key, None)
        if old != value:
            changes[key] = [audit_value(old), audit_value(value)]
        setattr(obj, key, value)
    return changes


def _audited(obj, table: str, changes: dict, *, created: bool, actor: User) -> None:
    db.session.add(obj)
    db.session.flush()
    if changes or created:
        record_audit(table, "insert" if created else "update", changes, actor_id=actor.id, row_id=obj.id)


def save_user(user: User | None, values: dict[str, Any], *, roles: list[str], password: str | None,
              actor: User) -> User:
    """A new password meets the policy and, like a deactivation, ends the
    user's logins (issue 11)."""
    created = user is None
    if created:
        check_new_password(password or "", username=values["username"], full_name=values["full_name"])
        user = User()
        user.set_password(password)
    changes = _assign(user, values)
    before = sorted(r.value for r in user.roles)
    user.roles = roles
    if sorted(r.value for r in user.roles) != before:
        changes["roles"] = [before, sorted(r.value for r in user.roles)]
    if not created and password:
        reset_password(user, password)
        changes["password"] = ["", "已重置"]
    if not created and not user.active:
        end_sessions(user)
    _audited(user, "users", changes, created=created, actor=actor)
    return user


def save_office(office: Office | None, values: dict[str, Any], *, actor: User) -> Office:
    """SPEC §6: a partner's public key must be one (messages are checked against it)."""
    if values.get("public_key"):
        try:
            parse_public_key(values["public_key"])
        except ValueError as error:
            raise Refused(str(error), field="public_key") from None
    created = office is None
    office = office or Office()
    _audited(office, "offices", _assign(office, values), created=created, actor=actor)
    return office


def save_settings(values: dict[str, Any], *, actor: User) -> list[str]:
    """The settings whose value changed, each audited with its old value."""
    changed = []
    for key, value in values.items():
        old = get_setting(key)
        if SETTINGS[key].kind(value) != old:
            set_setting(key, value, actor_id=actor.id)
            record_audit("settings", "update", {key: [old, SETTINGS[key].kind(value)]}, actor_id=actor.id)
            changed.append(key)
    db.session.flush()
    return changed


def enter_calendar_year(year: int, *, holidays: list[tuple[date, str]], workdays: list[tuple[date, str]],
                        source: str, actor: User):
    """SPEC §9: a year's schedule, and the job that recomputes the deadlines it moves."""
    enter_year(year, holidays=holidays, workdays=workdays, source=source, actor_id=actor.id)
    record_audit("calendar_years", "update", {"year": year, "source": source, "holidays": len(holidays),
                                              "workdays": len(workdays)}, actor_id=actor.id, row_id=year)
    return enqueue("deadlines.recompute", {"year": year}, requested_by=actor.id)


def change_deadline_rule(rule, values: dict[str, Any], *, actor: User):
    """SPEC §3, §9: a time limit changed; the open cases' deadlines are
    recomputed by a job (returned). A referral limit (SPEC §6) concerns few
    open items: they are recomputed at once (the count is returned)."""
    changes = _assign(rule, values)
    db.session.flush()
    record_audit("deadline_rules", "update", {"key": rule.key, **changes}, actor_id=actor.id)
    if rule.key.startswith("ref_"):
        return recompute_referral_deadlines()
    return enqueue("deadlines.recompute", {"scope": "open"}, requested_by=actor.id)


def save_mediation_organisation(organisation, values: dict[str, Any], *, actor: User):
    created = organisation is None
    organisation = organisation or MediationOrganisation()
    _audited(organisation, "mediation_organisations", _assign(organisation, values), created=created, actor=actor)
    return organisation


def save_mediator(mediator, values: dict[str, Any], *, actor: User):
    created = mediator is None
    mediator = mediator or Mediator()
    _audited(mediator, "mediators", _assign(mediator, values), created=created, actor=actor)
    return mediator

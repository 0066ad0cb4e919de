"""A person's desk (SPEC §10): the to-do list and the approvals, gathered
from every feature (procedure, mediation, documents, referrals) — one of the
places where the features are put together, above them all."""
from casesys.auth.permissions import can_supervise, can_work_on_cases
from casesys.core.registry import MenuEntry, menu


def init_app(app) -> None:
    from casesys.desk import views  # noqa: F401  (its routes, on the adjudication blueprint)
    from casesys.desk.badges import desk_counts

    menu.add(
        MenuEntry("main", 20, "待办", "adjudication.todo", can_work_on_cases, icon="list-check",
                  badge="unread_todo", badge_title="未读提醒"),
        MenuEntry("main", 70, "审批", "adjudication.approvals",
                  lambda user: can_work_on_cases(user) and can_supervise(user), icon="patch-check",
                  badge="waiting_approvals"),
    )

    @app.context_processor
    def menu_badges():
        """The counts beside 待办 (returns, decided approvals, reminders) and, for supervisors, 审批."""
        from flask import has_request_context
        from flask_login import current_user

        if not has_request_context() or not current_user or not can_work_on_cases(current_user):
            return {}
        supervisor = can_supervise(current_user)
        counts = desk_counts(current_user, supervisor=supervisor)
        badges = {"unread_todo": counts.unread}
        if supervisor:
            badges["waiting_approvals"] = counts.to_decide
        return {"menu_badges": badges}

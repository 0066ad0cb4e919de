"""The register's list and the case page (SPEC §2): where the features are
put together on a case. Their routes are added to the `cases` blueprint
(the addresses and endpoint names of the register)."""


def init_app(app) -> None:
    from casesys.auth.permissions import can_work_on_cases
    from casesys.casepage import views  # noqa: F401  (the routes, the list export)
    from casesys.core.registry import MenuEntry, menu

    menu.add(MenuEntry("main", 10, "案件", "cases.index", can_work_on_cases, icon="folder2-open"))

"""Official documents (SPEC §7, §8): drafts, signing, numbering, frozen
PDFs, service, verification and batch printing."""
from flask import Blueprint

bp = Blueprint("documents", __name__)


def init_app(app) -> None:
    from casesys.auth.permissions import can_supervise, can_work_on_cases
    from casesys.core.registry import MenuEntry, menu
    from casesys.documents import batches, views  # noqa: F401  (the routes; batches: its job handler)

    menu.add(MenuEntry("main", 100, "批量打印", "documents.batch",
                       lambda user: can_work_on_cases(user) and can_supervise(user), icon="printer"))

"""Forms of the background-job pages: the retry and cancel buttons (CSRF only)."""
from __future__ import annotations

from casesys.forms.fields import PageForm


class JobActionForm(PageForm):
    pass

"""The refusals a user may meet: each carries a Chinese message meant for
the page. Services raise them; views show them and roll back."""


class Refused(Exception):
    """An action refused by a rule; `str(error)` is the message for the user,
    `field` the form field it belongs to, if any (shown there), `fields` a
    message for each of several fields."""

    def __init__(self, message: str = "", *, field: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.field = field
        self.fields = fields or {}

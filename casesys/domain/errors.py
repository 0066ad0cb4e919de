"""The refusals a user may meet: each carries a Chinese message meant for
the page. Services raise them; views show them and roll back."""


class Refused(Exception):
    """An action refused by a rule; `str(error)` is the message for the user."""

"""What features register when the app is created (issue 10.7), so that a
package below never imports one above it: a lower package declares a `Hook`
and calls it; the features above fill it from their `init_app`. The menu is
filled the same way: each feature names its own entries.

Registration is idempotent (a process may create several apps: the tests
make one per database)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


class Hook:
    """A named extension point: its handlers, in the order registered."""

    def __init__(self, name: str):
        self.name = name
        self.handlers: list[Callable[..., Any]] = []

    def register(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        if handler not in self.handlers:
            self.handlers.append(handler)
        return handler

    def __call__(self, *args, **kwargs) -> list[Any]:
        """Every handler's answer, in order."""
        return [handler(*args, **kwargs) for handler in self.handlers]

    def __iter__(self) -> Iterator[Callable[..., Any]]:
        return iter(self.handlers)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.handlers)} handlers>"


#: Where a logged-in user lands: the first handler's endpoint (auth fills it).
home_endpoint = Hook("home_endpoint")


@dataclass(frozen=True)
class MenuEntry:
    place: str                      # "main", "admin" (the administration menu) or "user" (the user's menu)
    order: int                      # position within the place
    label: str
    endpoint: str
    allowed: Callable[[Any], bool]  # shown to this user?
    icon: str = ""
    args: tuple[tuple[str, str], ...] = ()
    active: str | None = ""         # "" the endpoint itself; "x." any endpoint starting so; None never
    badge: str = ""                 # a template variable holding a count shown beside it
    badge_title: str = ""


@dataclass
class Menu:
    entries: dict[tuple[str, str, tuple], MenuEntry] = field(default_factory=dict)

    def add(self, *entries: MenuEntry) -> None:
        for entry in entries:
            self.entries[(entry.place, entry.endpoint, entry.args)] = entry

    def of(self, place: str, user) -> list[MenuEntry]:
        return sorted((e for e in self.entries.values() if e.place == place and e.allowed(user)),
                      key=lambda e: e.order)


menu = Menu()

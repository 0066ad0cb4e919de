"""What every small state table shares (issue 10.5): `(state, move) → state`
as data and one judge that refuses, with a Chinese message, any move the
table does not list. The larger tables (workflow, credit, referrals) have
preconditions of their own and keep their own judges."""
from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from casesys.domain.enums import Labelled
from casesys.domain.errors import Refused

S = TypeVar("S", bound=Labelled)
M = TypeVar("M", bound=Labelled)


class StateTable(Generic[S, M]):
    def __init__(self, states: type[S], moves: dict[tuple[S, M], S], *,
                 refusal: Callable[[S, M], str], error: type[Refused] = Refused):
        self.states, self.moves, self.refusal, self.error = states, moves, refusal, error

    def next(self, state: str, move: M) -> S:
        """The one judge: the state `move` leads to, or the refusal."""
        current = self.states(state)
        try:
            return self.moves[(current, move)]
        except KeyError:
            raise self.error(self.refusal(current, move)) from None

    def allows(self, state: str, move: M) -> bool:
        return (self.states(state), move) in self.moves

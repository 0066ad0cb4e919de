"""Column helpers shared by the models."""
from __future__ import annotations

import sqlalchemy as sa

from casesys.domain.enums import Labelled


def enum_column(enum: type[Labelled], name: str, **kwargs) -> sa.Enum:
    """A VARCHAR with a named CHECK constraint listing the enum's values."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        **kwargs,
    )

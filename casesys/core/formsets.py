"""A blank, unnumbered row of a FieldList, rendered into a <template> that
the page's script copies when the user adds a party, patent or evidence."""
from __future__ import annotations

from wtforms import FieldList


def blank_row(fieldlist: FieldList, index: int | str = "__prefix__"):
    """Bound like FieldList._add_entry does, numbered `index`."""
    options = dict(
        name=f"{fieldlist.name}{fieldlist._separator}{index}",
        id=f"{fieldlist.id}{fieldlist._separator}{index}",
        _meta=fieldlist.meta,
        translations=fieldlist._translations,
    )
    field = fieldlist.meta.bind_field(fieldlist._form, fieldlist.unbound_field, options)
    field.process(None)
    return field

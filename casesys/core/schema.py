"""What Alembic's autogenerate compares. Search structures are made by hand in
migration 0002, per database, and the models do not describe them: SQLite's
FTS5 table `case_search` (with its shadow tables) and PostgreSQL's trigram
index. Used by migrations/env.py and by the test that models and migrations
agree."""

HAND_MADE = ("case_search", "ix_cases_search_text_trgm")


def include_name(name, type_, parent_names) -> bool:
    return not (name and name.startswith(HAND_MADE))

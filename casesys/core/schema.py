"""What Alembic's autogenerate compares. Search structures are made by hand in
migration 0012speed (0002 before it), per database, and the models do not
describe them: SQLite's FTS5 table `case_grams` (with its shadow tables) and
PostgreSQL's GIN index over the pairs of characters. Used by migrations/env.py and by the test that models and migrations
agree."""

HAND_MADE = ("case_grams", "ix_cases_search_grams", "case_search", "ix_cases_search_text_trgm")


def include_name(name, type_, parent_names) -> bool:
    return not (name and name.startswith(HAND_MADE))

"""The schema comes only from migrations, and they agree with the models."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from casesys.core.schema import include_name


def test_models_and_migrations_agree(app, db):
    """No pending autogenerate diff (same filter as migrations/env.py)."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_name": include_name, "render_as_batch": True,
        })
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_search_index_exists_for_the_dialect(app, db):
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            names = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE name = 'case_grams'")).scalars().all()
            # Later migrations must not recreate `cases` and lose the triggers that fill the index.
            triggers = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            assert {"case_grams_ad", "case_grams_ai", "case_grams_au"} <= set(triggers)
            assert not {name for name in triggers if name.startswith("case_search")}  # the trigram index's, gone
        else:  # all pairs (province-wide searches), and each prefixed with the case's office
            names = conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE indexname IN "
                                         "('ix_cases_search_grams', 'ix_cases_search_grams_office')")).scalars().all()
            assert len(names) == 2
    assert names


@pytest.mark.commits  # a connection of its own updates the case
def test_enum_columns_are_guarded_by_check_constraints(app, db, factory):
    from casesys.domain.enums import Role

    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    with db.engine.connect() as conn:
        try:
            conn.execute(sa.text("UPDATE cases SET state = 'nonsense' WHERE id = :id"), {"id": case.id})
        except sa.exc.IntegrityError:
            return
    raise AssertionError("an unknown state was accepted by the database")


def test_the_database_has_the_check_constraints_the_models_declare(app, db):
    """Alembic's comparison above does not look at CHECK constraints: the
    migrations must still create each one the models declare (enum columns
    included), and no other."""
    inspector = sa.inspect(db.engine)
    differ = {}
    for table in db.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        found = {c["name"] for c in inspector.get_check_constraints(table.name)}
        if declared != found:
            differ[table.name] = (sorted(declared - found), sorted(found - declared))
    assert differ == {}

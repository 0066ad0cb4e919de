"""Issue 12: the to-do reads whose to-do each case is on from `todo_cases`,
which the database keeps (migration 0023todocases). After every test the
table is also compared with its definition (conftest `_assert_kept`)."""
import sqlalchemy as sa

from casesys.adjudication.worklists import reassign_cases
from casesys.desk.worklists import members, stale_todo_cases, stale_todo_deadlines
from casesys.domain.enums import Role


def _todo(client) -> str:
    response = client.get("/todo")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_case_reassigned_or_joined_by_sql_by_hand_moves_between_to_do_lists(client, db, factory, login_as):
    office = factory.office()
    first, second = factory.user(Role.OFFICER, office=office), factory.user(Role.OFFICER, office=office)
    case = factory.case(first)
    reassign_cases([case.id], first, office_id=office.id, actor=first)  # the workload page's reassignment
    db.session.commit()
    login_as(first)
    assert case.number in _todo(client)
    reassign_cases([case.id], second, office_id=office.id, actor=first)
    db.session.commit()
    assert case.number not in _todo(client)
    db.session.execute(sa.text("INSERT INTO panel_members (case_id, user_id, presiding) VALUES (:case, :user, :no)"),
                       {"case": case.id, "user": first.id, "no": False})
    db.session.commit()
    assert case.number in _todo(client)
    db.session.execute(sa.text("UPDATE cases SET next_due_on = NULL WHERE id = :case"), {"case": case.id})
    assert db.session.execute(sa.text("SELECT count(*) FROM todo_cases WHERE case_id = :case"),
                              {"case": case.id}).scalar_one() == 0
    db.session.rollback()


def test_the_kept_pairs_are_those_of_the_definition(db, factory):
    officer = factory.user(Role.OFFICER)
    for _ in range(3):
        case = factory.case(officer)
        case.handler_id = officer.id
    db.session.commit()
    connection = db.session.connection()
    assert stale_todo_cases(connection) == []
    assert len(connection.execute(sa.select(members().subquery())).all()) >= 3
    connection.execute(sa.text("DELETE FROM todo_cases WHERE user_id = :user"), {"user": officer.id})
    assert len(stale_todo_cases(connection)) >= 3  # the check sees a pair missing
    db.session.rollback()


def _entries(db, case) -> set[tuple]:
    return {tuple(row) for row in db.session.execute(sa.text(
        "SELECT t.user_id, t.deadline_id, t.due_on FROM todo_deadlines t "
        "JOIN case_deadlines d ON d.id = t.deadline_id WHERE d.case_id = :case"), {"case": case.id})}


def test_deadlines_written_by_sql_by_hand_move_on_and_off_the_kept_to_do(client, db, factory, login_as):
    """`todo_deadlines` (migration 0024tododl) follows a deadline met, moved,
    added or removed by any statement, and the case's state."""
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    case.handler_id = officer.id
    db.session.commit()
    added = db.session.execute(sa.text(
        "INSERT INTO case_deadlines (case_id, kind, label, owner, due_on, provisional, paused, explanation) "
        "VALUES (:case, 'extra', '补充期限', 'office', '2031-05-06', :no, :no, '') RETURNING id"),
        {"case": case.id, "no": False}).scalar_one()
    db.session.commit()
    assert (officer.id, added) in {entry[:2] for entry in _entries(db, case)}
    login_as(officer)
    assert "补充期限" in _todo(client)
    db.session.execute(sa.text("UPDATE case_deadlines SET due_on = '2031-06-07' WHERE id = :id"), {"id": added})
    assert {str(entry[2]) for entry in _entries(db, case) if entry[1] == added} == {"2031-06-07"}
    db.session.execute(sa.text("UPDATE case_deadlines SET met_on = '2031-06-01' WHERE id = :id"), {"id": added})
    assert added not in {entry[1] for entry in _entries(db, case)}
    db.session.commit()
    assert "补充期限" not in _todo(client)
    db.session.execute(sa.text("UPDATE cases SET state = 'closed' WHERE id = :case"), {"case": case.id})
    assert _entries(db, case) == set()  # a closed case shows only mediation deadlines
    db.session.rollback()
    db.session.execute(sa.text("DELETE FROM case_deadlines WHERE case_id = :case"), {"case": case.id})
    assert _entries(db, case) == set()
    db.session.rollback()


def test_the_kept_deadlines_are_those_of_the_definition(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    case.handler_id = officer.id
    db.session.commit()
    connection = db.session.connection()
    assert stale_todo_deadlines(connection) == []
    assert _entries(db, case)
    connection.execute(sa.text("UPDATE todo_deadlines SET due_on = '2040-01-01' WHERE user_id = :user"),
                       {"user": officer.id})
    assert stale_todo_deadlines(connection)  # the check sees an entry with another date
    db.session.rollback()

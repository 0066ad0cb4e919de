"""law: service and answer per respondent, receipt of the ruling per party;
a hearing notice served after scheduling; deadline rules cite the law (issue 9)

Revision ID: 0009law
Revises: 0015ref
Create Date: 2026-11-29 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009law"
down_revision = "0015ref"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handles_patent_disputes', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('entrusted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entrustment_reference', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_offices_entrusted_by_id_offices'), 'offices',
                                    ['entrusted_by_id'], ['id'])
    # Offices already registered handle patent disputes today; an administrator
    # unmarks a city office that is not designated (SPEC §3).
    offices = sa.table('offices', sa.column('level', sa.String), sa.column('handles_patent_disputes', sa.Boolean))
    op.execute(offices.update().where(offices.c.level.in_(('province', 'city')))
               .values(handles_patent_disputes=True))

    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_served_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('answer_received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('decision_received_on', sa.Date(), nullable=True))

    with op.batch_alter_table('hearings', schema=None) as batch_op:
        batch_op.alter_column('notice_served_on', existing_type=sa.Date(), nullable=True)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paper_review_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('clock_stops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_date', sa.Date(), nullable=True))

    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.alter_column('basis', existing_type=sa.String(length=100), type_=sa.String(length=200),
                              existing_nullable=False)

    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_served_on', sa.Date(), nullable=True))
        batch_op.alter_column('consent_due_on', existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table('mediation_organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_seek_confirmation', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('mediation_agreements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_accepted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('confirmation_extended', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # 人民调解委员会 and 行业协会 qualify; an administrator marks others.
    organisations = sa.table('mediation_organisations', sa.column('kind', sa.String),
                             sa.column('may_seek_confirmation', sa.Boolean))
    op.execute(organisations.update().where(organisations.c.kind.in_(('committee', 'association')))
               .values(may_seek_confirmation=True))
    # Mediations opened before: their consent period ran from the opening day.
    mediations = sa.table('mediations', sa.column('requested_on', sa.Date), sa.column('request_served_on', sa.Date))
    op.execute(mediations.update().values(request_served_on=mediations.c.requested_on))

    # Rules still citing the specification get the legal source users should see.
    from casesys.domain.deadlines import DEFAULT_RULES

    rules = sa.table('deadline_rules', sa.column('key', sa.String), sa.column('basis', sa.String))
    for rule in DEFAULT_RULES:
        op.execute(rules.update().where(rules.c.key == rule.key, rules.c.basis.like('SPEC%'))
                   .values(basis=rule.basis))


def downgrade():
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offices_entrusted_by_id_offices'), type_='foreignkey')
        batch_op.drop_column('entrustment_reference')
        batch_op.drop_column('entrusted_by_id')
        batch_op.drop_column('handles_patent_disputes')

    with op.batch_alter_table('mediation_agreements', schema=None) as batch_op:
        batch_op.drop_column('confirmation_extended')
        batch_op.drop_column('confirmation_accepted_on')
    with op.batch_alter_table('mediation_organisations', schema=None) as batch_op:
        batch_op.drop_column('may_seek_confirmation')

    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.alter_column('consent_due_on', existing_type=sa.Date(), nullable=False)
        batch_op.drop_column('request_served_on')

    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.alter_column('basis', existing_type=sa.String(length=200), type_=sa.String(length=100),
                              existing_nullable=False)

    with op.batch_alter_table('clock_stops', schema=None) as batch_op:
        batch_op.drop_column('reference_date')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('paper_review_reason')

    with op.batch_alter_table('hearings', schema=None) as batch_op:
        batch_op.alter_column('notice_served_on', existing_type=sa.Date(), nullable=False)

    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_column('decision_received_on')
        batch_op.drop_column('answer_received_on')
        batch_op.drop_column('request_served_on')

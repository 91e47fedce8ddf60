"""a sample's claims held as rows from its upload; sampled claims read through them

A confirm runs in the support user's request, in one transaction, and claims cannot start moving
the sample's claims until it commits: at 100,000 claims it took 0.9 s, nearly all of it in four
statements that each unpacked the pending upload's 100,000-element ``rows`` (jsonb) again: the
re-check (0.19 s), the count per provider (0.04 s), copying every claim into ``sampled_claims``
(0.35 s) and building the ``ClaimsSampled`` batches with ``json_agg`` (0.29 s), measured with
pg_stat_statements during the benchmark. None of that depends on the moment of the confirm
except the re-check, so it moves to the upload, which has time to spare (validate ≤ 3 s; it took
about 1 s):

- ``upload_claims (upload_id, provider_id, n, claim_reference, sample_reason, row)``: a sample
  upload's claims, one row each, written when the file is validated (``n``: its place in the
  file; ``row``: its row number, for errors). Keyed by upload and place, so that writing them
  appends in key order, and found by claim through a hash index (equality is all it is asked;
  100,000 random references cost a btree 0.39-0.54 s to insert, a hash index 0.20-0.35 s). A
  sample upload's ``rows`` column is now ``[]``.
- ``upload_batches (upload_id, batch, claim_count, claims)``: each ``ClaimsSampled`` batch's
  ``claims`` member as JSON text, built at the upload; the confirm only wraps each in its
  envelope (a fresh event id, the actor, the time).
- ``sampled_claims`` becomes a view: the claims of a confirmed upload under their provider's
  sampling (``upload_claims`` joined to ``provider_samplings`` by upload and provider, now unique),
  with the new ``provider_samplings.confirmed_at`` (the database's time of the confirm, as the
  table's ``created_at`` was) as ``created_at``. Every reader keeps its query; the confirm no
  longer copies 100,000 rows. Pending and cancelled uploads have no provider samplings, so their
  claims are not in the view.

Existing data: every sample upload's ``rows`` become its ``upload_claims``; pending ones get their
batches; each provider sampling's ``confirmed_at`` is the ``created_at`` of its sampled claims.
The downgrade puts the table and the jsonb rows back from the same data.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 01:10:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: ``CLAIMS_SAMPLED_BATCH`` when this migration was written: the batches of pending uploads.
BATCH = 1000

VIEW = """
CREATE VIEW sampled_claims AS
SELECT ps.id AS provider_sampling_id, uc.claim_reference, uc.sample_reason, ps.confirmed_at AS created_at
FROM upload_claims uc JOIN provider_samplings ps ON ps.upload_id = uc.upload_id AND ps.provider_id = uc.provider_id
"""


def upgrade() -> None:
    op.create_table(
        'upload_claims',
        # No foreign key to uploads: the upload writes its 100,000 rows with COPY, and a per-row key
        # check would cost as much as the rows (as sampled_claims had none).
        sa.Column('upload_id', sa.String(length=64), nullable=False),
        sa.Column('provider_id', sa.Text(), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('claim_reference', sa.Text(), nullable=False),
        sa.Column('sample_reason', sa.Text(), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('upload_id', 'n', name='upload_claims_pkey'))
    op.create_index('ix_upload_claims_reference', 'upload_claims', ['claim_reference'], postgresql_using='hash')
    op.create_table(
        'upload_batches',
        sa.Column('upload_id', sa.String(length=64), sa.ForeignKey('uploads.id'), nullable=False),
        sa.Column('batch', sa.Integer(), nullable=False),
        sa.Column('claim_count', sa.Integer(), nullable=False),
        sa.Column('claims', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('upload_id', 'batch', name='upload_batches_pkey'))
    op.add_column('provider_samplings', sa.Column('confirmed_at', sa.DateTime(timezone=True),
                                                  server_default=sa.text('now()'), nullable=False))
    op.execute("UPDATE provider_samplings ps SET confirmed_at = coalesce("
               "(SELECT min(sc.created_at) FROM sampled_claims sc WHERE sc.provider_sampling_id = ps.id), ps.created_at)")
    op.drop_index('ix_provider_samplings_upload_id', table_name='provider_samplings')
    op.create_index('ux_provider_samplings_upload_provider', 'provider_samplings', ['upload_id', 'provider_id'],
                    unique=True)

    op.execute("INSERT INTO upload_claims (upload_id, provider_id, n, claim_reference, sample_reason, row)"
               " SELECT u.id, r->>2, e.n, r->>0, r->>1, (r->>3)::int FROM uploads u"
               " CROSS JOIN jsonb_array_elements(u.rows) WITH ORDINALITY AS e(r, n) WHERE u.kind = 'sample'")
    op.execute(
        "INSERT INTO upload_batches (upload_id, batch, claim_count, claims)"
        " SELECT uc.upload_id, (uc.n - 1) / %d, count(*),"
        "   json_agg(json_build_object('reference', uc.claim_reference, 'sample_reason', uc.sample_reason,"
        "                              'provider_id', uc.provider_id) ORDER BY uc.n)::text"
        " FROM upload_claims uc JOIN uploads u ON u.id = uc.upload_id AND u.status = 'pending'"
        " GROUP BY uc.upload_id, (uc.n - 1) / %d" % (BATCH, BATCH))
    op.execute("UPDATE uploads SET rows = '[]'::jsonb WHERE kind = 'sample'")
    op.drop_table('sampled_claims')
    op.execute(VIEW)


def downgrade() -> None:
    op.execute("CREATE TABLE sampled_claims_kept AS SELECT * FROM sampled_claims")
    op.execute("DROP VIEW sampled_claims")
    op.create_table(
        'sampled_claims',
        sa.Column('provider_sampling_id', sa.String(length=64), nullable=False),
        sa.Column('claim_reference', sa.Text(), nullable=False),
        sa.Column('sample_reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('claim_reference', 'provider_sampling_id', name='sampled_claims_pkey'))
    op.execute("INSERT INTO sampled_claims SELECT provider_sampling_id, claim_reference, sample_reason, created_at"
               " FROM sampled_claims_kept")
    op.execute("DROP TABLE sampled_claims_kept")
    op.execute("UPDATE uploads u SET rows = coalesce((SELECT jsonb_agg(jsonb_build_array("
               "uc.claim_reference, uc.sample_reason, uc.provider_id, uc.row) ORDER BY uc.n)"
               " FROM upload_claims uc WHERE uc.upload_id = u.id), '[]'::jsonb) WHERE u.kind = 'sample'")
    op.drop_index('ux_provider_samplings_upload_provider', table_name='provider_samplings')
    op.create_index('ix_provider_samplings_upload_id', 'provider_samplings', ['upload_id'])
    op.drop_column('provider_samplings', 'confirmed_at')
    op.drop_table('upload_batches')
    op.drop_table('upload_claims')

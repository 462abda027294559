"""PostgreSQL: one call takes the audit chain's lock and reads its last link

Revision ID: 0014_audit_chain_head
Revises: 0013_report_request_attempts
Create Date: 2026-11-25 23:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0014_audit_chain_head"
down_revision = "0013_report_request_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Nearly every request appends to the trail: one round trip instead of two. The head is
        # read after the lock is held, by a query of its own, so it sees the last append
        # committed before (a VOLATILE function's queries each take a new snapshot).
        op.execute(
            """
            CREATE FUNCTION audit_chain_head(lock_key bigint)
            RETURNS TABLE (id integer, mac varchar) AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(lock_key);
                RETURN QUERY
                    SELECT a.id, a.mac FROM audit_events AS a ORDER BY a.id DESC LIMIT 1;
            END
            $$ LANGUAGE plpgsql VOLATILE
            """
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_chain_head(bigint)")

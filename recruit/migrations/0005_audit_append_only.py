"""The audit log is append-only, enforced by the database itself.

A trigger on recruit_auditevent refuses every DELETE and every UPDATE except three, each
changing one thing and leaving every other column as it was:

- GDPR erasure: `detail` becomes exactly {"redacted": true}
  (services.audit.audit_redact_for_participant);
- a deleted user: `actor_id` becomes NULL (the foreign key's on_delete=SET_NULL);
- a deleted study: `study_id` becomes NULL (likewise).

So neither a bug nor a careless query in the application can rewrite history. Whoever holds
the database's owner role can still drop the trigger; that is what database roles are for.
On SQLite a table rebuild (an AlterField on AuditEvent) drops triggers: a later migration that
rebuilds the table must create them again (tests/test_audit_append_only.py notices).
"""
from django.db import migrations

REFUSED = "recruit_auditevent is append-only"

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION recruit_auditevent_append_only() RETURNS trigger AS $$
DECLARE
    kept_old jsonb;
    kept_new jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{REFUSED}: DELETE refused' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    -- Every column but the three that may change, compared whole (so a column added later is covered).
    kept_old := to_jsonb(OLD) - 'detail' - 'actor_id' - 'study_id';
    kept_new := to_jsonb(NEW) - 'detail' - 'actor_id' - 'study_id';
    IF kept_old = kept_new AND (
        (NEW.detail = '{{"redacted": true}}'::jsonb
            AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.study_id IS NOT DISTINCT FROM OLD.study_id)
        OR (NEW.actor_id IS NULL
            AND NEW.detail = OLD.detail AND NEW.study_id IS NOT DISTINCT FROM OLD.study_id)
        OR (NEW.study_id IS NULL
            AND NEW.detail = OLD.detail AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id)
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{REFUSED}: UPDATE refused' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER recruit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON recruit_auditevent
    FOR EACH ROW EXECUTE FUNCTION recruit_auditevent_append_only();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS recruit_auditevent_append_only ON recruit_auditevent;
DROP FUNCTION IF EXISTS recruit_auditevent_append_only();
"""

_SAME = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in ("id", "at", "actor_label", "action", "object_type", "object_id", "ip_address")
)

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER recruit_auditevent_no_delete BEFORE DELETE ON recruit_auditevent
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE refused'); END;
    """,
    f"""
    CREATE TRIGGER recruit_auditevent_no_update BEFORE UPDATE ON recruit_auditevent
    WHEN NOT ({_SAME} AND (
        (json_valid(NEW.detail) AND json(NEW.detail) = '{{"redacted":true}}'
            AND NEW.actor_id IS OLD.actor_id AND NEW.study_id IS OLD.study_id)
        OR (NEW.actor_id IS NULL AND NEW.detail IS OLD.detail AND NEW.study_id IS OLD.study_id)
        OR (NEW.study_id IS NULL AND NEW.detail IS OLD.detail AND NEW.actor_id IS OLD.actor_id)
    ))
    BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE refused'); END;
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS recruit_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS recruit_auditevent_no_update;",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_CREATE])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    else:
        raise RuntimeError(f"No append-only audit trigger for the {vendor} database.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRESQL_DROP])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("recruit", "0004_add_participant_imports"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]

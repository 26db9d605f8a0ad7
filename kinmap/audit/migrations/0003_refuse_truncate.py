"""Refuse TRUNCATE of the audit table on PostgreSQL (a statement trigger; SQLite
has no TRUNCATE). Reinstalls the append-only triggers, now with that one."""

from django.db import migrations


def forwards(apps, schema_editor):
    from kinmap.audit import triggers

    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    # Going back leaves the TRUNCATE trigger in place: 0002's reverse removes it with the others.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

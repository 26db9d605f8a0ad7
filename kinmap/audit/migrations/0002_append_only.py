"""Make audit events append-only with a trigger (PostgreSQL and SQLite; other
databases are not supported by kinmap and get nothing)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from kinmap.audit import triggers

    triggers.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from kinmap.audit import triggers

    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

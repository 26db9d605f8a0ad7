"""The person and the key become the match keys' primary key (the ``id``
column, its sequence and its index go; ``match_key_once`` is the primary key
now). Django migrates no table to a composite primary key, so the table is
made afresh and its rows (derived data) are kept across in a temporary table:
the same steps in reverse go back."""

import django.db.models.deletion
from django.db import migrations, models

KEPT = "matching_personmatchkey_kept"


def _keep(apps, schema_editor):
    """Copy every (person, key) into a temporary table of this connection."""
    schema_editor.execute(
        f"CREATE TEMPORARY TABLE {KEPT} AS SELECT DISTINCT person_id, key FROM matching_personmatchkey"
    )


def _put_back(apps, schema_editor):
    """Copy the kept rows into the table made afresh, then drop the temporary table."""
    schema_editor.execute(
        f"INSERT INTO matching_personmatchkey (person_id, key) SELECT person_id, key FROM {KEPT}"
    )
    schema_editor.execute(f"DROP TABLE {KEPT}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0002_foreign_key_indexes_covered_or_partial"),
        ("records", "0009_foreign_key_indexes_covered_or_partial"),
    ]

    operations = [
        migrations.RunPython(_keep, _put_back),
        migrations.DeleteModel(name="PersonMatchKey"),
        migrations.CreateModel(
            name="PersonMatchKey",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "person", "key", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_keys",
                        to="records.person",
                    ),
                ),
                ("key", models.CharField(max_length=80)),
            ],
            options={
                "indexes": [models.Index(fields=["key", "person"], name="match_key_lookup")],
            },
        ),
        migrations.RunPython(_put_back, _keep),
    ]

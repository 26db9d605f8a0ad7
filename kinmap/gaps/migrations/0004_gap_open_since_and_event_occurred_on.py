"""A gap's "open since" (the day its requirement first applied) and the day
an answer or decline happened (``GapEvent.occurred_on``).

Gaps found before this migration are open since the day they were found (the
recompute after it works out the day from the family's dates); answers recorded
before it happened on the day they were typed."""

from django.db import migrations, models
from django.db.models.functions import TruncDate


def fill(apps, schema_editor):
    Gap = apps.get_model("gaps", "Gap")
    GapEvent = apps.get_model("gaps", "GapEvent")
    Gap.objects.filter(open_since__isnull=True).update(
        open_since=TruncDate("opened_at"), open_since_basis="not-known"
    )
    GapEvent.objects.filter(kind="answered", occurred_on__isnull=True).update(occurred_on=TruncDate("at"))


class Migration(migrations.Migration):
    dependencies = [("gaps", "0003_supervisor_actions_and_rule_wording")]

    operations = [
        migrations.AddField(model_name="gap", name="open_since", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="gap", name="open_since_basis", field=models.CharField(blank=True, max_length=20)
        ),
        migrations.AddField(
            model_name="gapevent", name="occurred_on", field=models.DateField(blank=True, null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="gap", name="open_since", field=models.DateField()),
    ]

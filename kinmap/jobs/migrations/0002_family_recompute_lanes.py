"""A recompute is split into lanes that worker processes run side by side. A
run made before keeps its progress as its one lane (its cursor, its skipped
families, its count and its task), so an unfinished one goes on where it
stood."""

import django.db.models.deletion
from django.db import migrations, models


def runs_to_lanes(apps, schema_editor):
    Run = apps.get_model("jobs", "FamilyRecompute")
    Lane = apps.get_model("jobs", "FamilyRecomputeLane")
    Lane.objects.bulk_create(
        Lane(
            run=run,
            number=0,
            state=run.state,
            from_network_id=0,
            upto_network_id=run.upto_network_id,
            after_network_id=run.after_network_id,
            skipped=run.skipped,
            total=run.total,
            done=run.done,
            task_id=run.task_id,
            started_at=run.started_at,
            touched_at=run.touched_at,
            finished_at=run.finished_at,
        )
        for run in Run.objects.all()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_family_recompute'),
    ]

    operations = [
        migrations.CreateModel(
            name='FamilyRecomputeLane',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('state', models.CharField(choices=[('queued', 'Waiting to start'), ('running', 'Recomputing'), ('done', 'Finished'), ('superseded', 'Replaced by a later change')], default='queued', max_length=20)),
                ('from_network_id', models.BigIntegerField()),
                ('upto_network_id', models.BigIntegerField()),
                ('after_network_id', models.BigIntegerField()),
                ('skipped', models.JSONField(blank=True, default=list)),
                ('total', models.IntegerField()),
                ('done', models.IntegerField(default=0)),
                ('task_id', models.CharField(blank=True, max_length=64)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('touched_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lanes', to='jobs.familyrecompute')),
            ],
            options={
                'ordering': ['run', 'number'],
                'indexes': [models.Index(fields=['state'], name='jobs_family_state_8e629d_idx')],
                'constraints': [models.UniqueConstraint(fields=('run', 'number'), name='jobs_lane_run_number')],
            },
        ),
        migrations.RunPython(runs_to_lanes, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='familyrecompute',
            name='after_network_id',
        ),
        migrations.RemoveField(
            model_name='familyrecompute',
            name='done',
        ),
        migrations.RemoveField(
            model_name='familyrecompute',
            name='skipped',
        ),
        migrations.RemoveField(
            model_name='familyrecompute',
            name='task_id',
        ),
        migrations.RemoveField(
            model_name='familyrecompute',
            name='touched_at',
        ),
    ]

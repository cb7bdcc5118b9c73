"""Decisions record the share their quorum was set from and who closed them early.

Existing decisions get no ``quorum_percent``: their creator chose the eligible members and the
quorum, and they keep what was stored (the pages say so).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('handbook', '0003_search_vector_in_row'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='decision',
            name='closed_by',
            field=models.ForeignKey(blank=True, editable=False, help_text='Who closed the vote before its closing time, if anyone did.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='decision',
            name='quorum_percent',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, help_text='The share of the eligible members the quorum was set from (rounded up); empty for decisions whose creator chose the eligible members and quorum.', null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)]),
        ),
    ]

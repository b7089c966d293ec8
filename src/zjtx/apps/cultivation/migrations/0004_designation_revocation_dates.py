"""Designations recorded as revoked or lapsed before titles carried a revocation date: the title gets
one (the day of this migration, the earliest date known for certain) so its status follows from dates."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Designation = apps.get_model("cultivation", "Designation")
    today = timezone.localdate()
    for d in Designation.objects.filter(status__in=("revoked", "lapsed"), title__revoked_on__isnull=True) \
            .select_related("title"):
        t = d.title
        t.revoked_on = max(today, t.granted_on)
        t.revoked_reason = (d.status_reason or ("已撤销" if d.status == "revoked" else "已失效"))[:300]
        t.save(update_fields=["revoked_on", "revoked_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("cultivation", "0003_record_versions"),
        ("enterprises", "0004_title_revocation"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

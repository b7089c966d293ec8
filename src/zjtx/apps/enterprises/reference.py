"""Load the reference tables (镇街, functional zones, GB/T 4754 industries) from ``zjtx.facts``.

The data lives in ``zjtx.facts.divisions`` and ``zjtx.facts.industries``; this module only copies it
into the database (idempotent upsert), so foreign keys and joins work.
"""

from __future__ import annotations

from django.db import transaction


@transaction.atomic
def load_reference() -> dict[str, int]:
    """Upsert divisions, zones and industries; returns the row counts."""
    from zjtx.apps.enterprises.models import Division, Industry, Zone
    from zjtx.facts import divisions as fd
    from zjtx.facts import industries as fi

    for d in fd.DIVISIONS:
        Division.objects.update_or_create(
            code=d.code,
            defaults={"name": d.name, "kind": d.kind, "valid_from": d.valid_from, "valid_to": d.valid_to,
                      "former_names": list(d.former_names)},
        )
    for d in fd.DIVISIONS:
        if d.successor_code:
            Division.objects.filter(code=d.code).update(successor_id=d.successor_code)
    for z in fd.ZONES:
        zone, _ = Zone.objects.update_or_create(code=z.id, defaults={"name": z.name})
        zone.divisions.set(list(z.division_codes))

    rows: dict[str, str] = dict(fi.SECTIONS)
    for major, name in fi.MAJORS.items():
        section = fi.section_of(major)
        if section:
            rows[section + major] = name
    rows.update(fi.CLASSES)
    existing = set(Industry.objects.values_list("code", flat=True))
    new = []
    for code, name in rows.items():
        cluster = fi.cluster_name(fi.cluster_of(code)) or "" if len(code) == 5 else ""
        if code in existing:
            Industry.objects.filter(code=code).update(name=name, cluster=cluster)
        else:
            new.append(Industry(code=code, name=name, cluster=cluster))
    Industry.objects.bulk_create(new)
    return {"divisions": Division.objects.count(), "zones": Zone.objects.count(),
            "industries": Industry.objects.count()}

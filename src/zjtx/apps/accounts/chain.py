"""The tamper-evident audit chain.

Every ``AuditEntry`` gets a sequence number ``seq`` (1, 2, 3 … without gaps), the hash of the entry
before it (``prev_hash``) and its own ``hash`` = HMAC-SHA256 over ``prev_hash`` and a canonical JSON of
all its fields. The key is ``ZJTX_AUDIT_KEY`` (falls back to ``SECRET_KEY``) and never stored in the
database, so a person who can write to the database cannot recompute a valid chain.

There are two chains, each with its own ``AuditHead`` row: ``auth`` (logins, failures, logouts — written
in their own short transactions) and ``data`` (every other entry, often inside a change's transaction).
Appends to one chain are serialised through its head row (an UPDATE on it takes the row lock on
PostgreSQL and the write lock on SQLite), inside the caller's transaction: a rolled-back change leaves
neither entry nor head change, and a long import holding the ``data`` head never delays a login. :func:`verify` walks the chain and reports every altered,
inserted or deleted entry (and a truncated tail, against the head).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

logger = logging.getLogger("zjtx.audit")

HASHED_FIELDS = ("chain", "seq", "prev_hash", "time", "user_id", "username", "ip", "request_id", "source", "action",
                 "model", "object_id", "object_repr", "enterprise_uscc", "before", "after", "changed")


def _key() -> bytes:
    key = getattr(settings, "ZJTX_AUDIT_KEY", "") or settings.SECRET_KEY
    return hashlib.sha256(("zjtx-audit-chain:" + key).encode()).digest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def canonical_text(values: dict[str, Any]) -> str:
    """The text an entry's hash is computed over: its hashed fields as canonical JSON (sorted keys)."""
    payload = {k: _canonical(values.get(k)) for k in HASHED_FIELDS}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(values: dict[str, Any]) -> str:
    """HMAC-SHA256 of one entry's hashed fields (JSON values normalised by a round trip)."""
    return hmac.new(_key(), canonical_text(values).encode("utf-8"), hashlib.sha256).hexdigest()


def _json_roundtrip(value: Any) -> Any:
    from django.core.serializers.json import DjangoJSONEncoder

    return None if value is None else json.loads(json.dumps(value, cls=DjangoJSONEncoder))


CHAINS = {"data": 1, "auth": 2}
CHAIN_LABELS = {"data": "数据链", "auth": "登录链"}
AUTH_ACTIONS = {"login", "login_failed", "locked", "logout"}


def chain_for(action: str) -> str:
    return "auth" if action in AUTH_ACTIONS else "data"


def _lock_head(chain: str) -> Any:
    from zjtx.apps.accounts.models import AuditHead

    pk = CHAINS[chain]
    for _ in range(3):
        if AuditHead.objects.filter(pk=pk).update(seq=F("seq")):
            return AuditHead.objects.get(pk=pk)
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=pk, seq=0, hash="")
        except IntegrityError:
            continue
    raise RuntimeError("审计链头无法锁定")  # pragma: no cover


def append(**values: Any) -> Any:
    """Insert one chained ``AuditEntry`` (inside the caller's transaction, if any)."""
    from django.utils import timezone

    from zjtx.apps.accounts.models import AuditEntry, AuditHead

    values["before"] = _json_roundtrip(values.get("before"))
    values["after"] = _json_roundtrip(values.get("after"))
    values["changed"] = _json_roundtrip(values.get("changed") or [])
    values["chain"] = chain_for(values["action"])
    with transaction.atomic():
        head = _lock_head(values["chain"])
        values["seq"] = head.seq + 1
        values["prev_hash"] = head.hash
        values["time"] = timezone.now()
        user = values.pop("user", None)
        values["user_id"] = getattr(user, "pk", None)
        values["hash"] = digest(values)
        entry = AuditEntry.objects.create(**values)
        AuditHead.objects.filter(pk=head.pk).update(seq=values["seq"], hash=values["hash"])
    logger.debug("audit seq=%s hash=%s action=%s user=%s", values["seq"], values["hash"], values["action"],
                values["username"])
    return entry


@dataclass
class Report:
    checked: int = 0
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows(chain: str, batch: int = 2000) -> Iterator[dict[str, Any]]:
    from zjtx.apps.accounts.models import AuditEntry

    last = 0
    cols = ("id", "hash", *HASHED_FIELDS)
    while True:
        rows = list(AuditEntry.objects.filter(chain=chain, seq__gt=last).order_by("seq").values(*cols)[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1]["seq"]


def verify() -> Report:
    """Check both chains; every problem is one Chinese line naming the chain and the entry (序号)."""
    from zjtx.apps.accounts.models import AuditEntry, AuditHead

    report = Report()
    for chain, pk in CHAINS.items():
        label = CHAIN_LABELS[chain]
        expected_seq, prev = 1, ""
        for row in _rows(chain):
            seq = row["seq"]
            if seq > expected_seq:
                report.problems.append(f"{label} 序号 {expected_seq}–{seq - 1}：记录缺失（被删除）")
            if row["prev_hash"] != prev:
                report.problems.append(f"{label} 序号 {seq}：与前一条记录的链接不符（前一条被修改、删除或本条为插入）")
            if digest(row) != row["hash"]:
                report.problems.append(f"{label} 序号 {seq}（编号 {row['id']}）：内容被修改或为伪造记录（摘要不符）")
            report.checked += 1
            expected_seq, prev = seq + 1, row["hash"]
        head = AuditHead.objects.filter(pk=pk).first()
        report.heads[chain] = (head.seq, head.hash) if head else (0, "")
        if head is not None and (head.seq != expected_seq - 1 or head.hash != prev):
            report.problems.append(f"{label} 链尾不符：链头记录为序号 {head.seq}，实际最后一条为序号 {expected_seq - 1}"
                                   "（末尾记录被删除或链头被改）")
    unchained = AuditEntry.objects.exclude(chain__in=list(CHAINS)).count() + AuditEntry.objects.filter(
        seq__isnull=True).count()
    if unchained:
        report.problems.append(f"{unchained} 条记录不在链中（无序号，插入的记录）")
    return report


def append_many(entries: list[dict[str, Any]], batch: int = 2000) -> int:
    """Insert many chained entries of one chain at once (an import's changes): the head is locked once,
    the hashes are computed in order and the rows bulk-inserted — inside the caller's transaction."""
    from django.utils import timezone

    from zjtx.apps.accounts.models import AuditEntry, AuditHead

    if not entries:
        return 0
    chains = {chain_for(e["action"]) for e in entries}
    if len(chains) != 1:
        raise ValueError("append_many: entries of one chain only")
    chain = chains.pop()
    rows = []
    with transaction.atomic():
        head = _lock_head(chain)
        seq, prev = head.seq, head.hash
        now = timezone.now()
        for e in entries:
            values = dict(e)
            values["before"] = _json_roundtrip(values.get("before"))
            values["after"] = _json_roundtrip(values.get("after"))
            values["changed"] = _json_roundtrip(values.get("changed") or [])
            values["chain"] = chain
            seq += 1
            values["seq"], values["prev_hash"], values["time"] = seq, prev, now
            user = values.pop("user", None)
            values["user_id"] = getattr(user, "pk", None)
            values["hash"] = prev = digest(values)
            rows.append(AuditEntry(**values))
        _insert_many(AuditEntry, rows)
        AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return len(rows)


def _insert_many(model: Any, rows: list[Any]) -> None:
    """INSERT rows with one ``executemany`` (values prepared by each field once per row, without the
    per-batch SQL compilation of ``bulk_create``)."""
    from django.db import connection, models

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField | models.BigAutoField)]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    params = [[f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields] for r in rows]
    with connection.cursor() as cur:
        cur.executemany(sql, params)


# ------------------------------------------------------------------ entries prepared before the transaction
#
# A large change (an import of 50,000 rows) writes one entry per created or changed row. Everything in an
# entry but a few values is known before the write transaction: the snapshots, their JSON, the user and
# batch. :func:`prepare` builds each entry's canonical text (the one :func:`digest` hashes) and its stored
# JSON as templates with named slots for what only the transaction knows — the sequence number, the
# previous entry's hash, the time, and the primary key (``pk``, ``pk_str``) and enterprise key (``fk``) of
# a row inserted by the transaction. :func:`append_prepared` then fills the slots and chains the HMACs in
# one tight loop: the same hash, byte for byte, as :func:`append` would compute (``verify`` is unchanged).

SLOT_NAMES = ("seq", "prev", "time", "pk", "pk_str", "fk")


Template = tuple[tuple[str, ...], tuple[str, ...]]  # text fragments, and the slot names between them


@dataclass(slots=True)
class _Prepared:
    payload: Template               # canonical text (what the HMAC covers)
    after: Template | None          # stored JSON of ``after``
    before: str | None              # stored JSON of ``before``
    changed: str
    static: tuple[Any, ...]         # user_id, username, ip, request_id, source, action, model, object_repr, uscc
    object_id: str | None           # None: the row's primary key, known in the transaction
    ref: Any                        # the row (its ``pk`` / ``enterprise_id`` fill the slots)


@dataclass
class Prepared:
    """Entries of one chain ready to be chained in the write transaction (see :func:`prepare`)."""

    chain: str
    entries: list[_Prepared] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.entries)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _template(text: str, pattern: re.Pattern[str]) -> Template:
    """``text`` split at every quoted slot marker: (fragments, slot names between them)."""
    parts = pattern.split(text)
    return tuple(parts[0::2]), tuple(parts[1::2])


def _fill(template: Template, values: dict[str, str]) -> str:
    frags, slots = template
    if not slots:
        return frags[0]
    out = [frags[0]]
    for name, frag in zip(slots, frags[1:], strict=True):
        out.append(values[name])
        out.append(frag)
    return "".join(out)


def prepare(entries: list[dict[str, Any]], slots: dict[int, dict[str, str]] | None = None, *,
            plain: bool = False) -> Prepared:
    """Prepare entries (as for :func:`append_many`, each with ``ref``: its row) before the transaction.

    ``slots`` maps an entry's index to {field path: slot name} for values the transaction assigns:
    ``"object_id": "pk_str"``, ``"after.id": "pk"``, ``"after.enterprise_id": "fk"``. ``plain``: the
    snapshots are JSON values already (``audit.snapshot``), no round trip needed."""
    from django.core.serializers.json import DjangoJSONEncoder

    def roundtrip(value: Any) -> Any:
        return value if plain else json.loads(json.dumps(value, cls=DjangoJSONEncoder))

    nonce = uuid.uuid4().hex
    pattern = re.compile('"@' + nonce + r':(\w+)@"')

    def mark(name: str) -> str:
        return f"@{nonce}:{name}@"

    chains = {chain_for(e["action"]) for e in entries}
    if len(chains) > 1:
        raise ValueError("prepare: entries of one chain only")
    out = Prepared(chain=chains.pop() if chains else "data")
    slots = slots or {}
    for i, e in enumerate(entries):
        before = None if e.get("before") is None else roundtrip(e["before"])
        after = None if e.get("after") is None else roundtrip(e["after"])
        changed = roundtrip(e.get("changed") or [])
        if plain and after is not None and i in slots:
            after = dict(after)  # the slots go into a copy
        values = {**e, "before": before, "after": after, "changed": changed, "chain": out.chain,
                  "seq": mark("seq"), "prev_hash": mark("prev"), "time": mark("time")}
        user = values.pop("user", None)
        values["user_id"] = getattr(user, "pk", None)
        values.pop("ref", None)
        for k in ("username", "ip", "request_id", "source", "model", "object_repr", "enterprise_uscc"):
            values[k] = values.get(k) or ""
        object_id = values["object_id"] = str(values.get("object_id") or "")[:64]
        for path, name in slots.get(i, {}).items():
            if path == "object_id":
                values["object_id"] = mark(name)
                object_id = None
            elif path.startswith("after.") and after is not None:
                after[path[6:]] = mark(name)
            else:
                raise ValueError(f"prepare: unknown slot {path}")
        out.entries.append(_Prepared(
            payload=_template(canonical_text(values), pattern),
            after=None if after is None else _template(_dumps(after), pattern),
            before=None if before is None else _dumps(before),
            changed=_dumps(changed),
            static=(values["user_id"], values["username"], values["ip"], values["request_id"], values["source"],
                    values["action"], values["model"], values["object_repr"], values["enterprise_uscc"]),
            object_id=object_id, ref=e.get("ref")))
    return out


_COLUMNS = ("chain", "seq", "prev_hash", "hash", "time", "user_id", "username", "ip", "request_id", "source",
            "action", "model", "object_id", "object_repr", "enterprise_uscc", "before", "after", "changed")


def append_prepared(prepared: Prepared, resolve: Callable[[Any], tuple[Any, Any]] | None = None) -> int:
    """Chain and insert prepared entries inside the caller's transaction: the head is locked, every
    slot filled (``resolve(ref)`` → the row's primary key and enterprise key), the HMACs computed in
    order over the prepared texts and the rows inserted with one ``executemany``."""
    from django.db import connection
    from django.utils import timezone

    from zjtx.apps.accounts.models import AuditEntry, AuditHead

    if not prepared.entries:
        return 0
    base = hmac.new(_key(), digestmod=hashlib.sha256)
    rows: list[list[Any]] = []
    with transaction.atomic():
        head = _lock_head(prepared.chain)
        seq, prev = head.seq, head.hash
        now = timezone.now()
        time_json = json.dumps(_canonical(now))
        time_db = AuditEntry._meta.get_field("time").get_db_prep_save(now, connection)
        chain = prepared.chain
        for e in prepared.entries:
            seq += 1
            pk = fk = None
            if e.ref is not None and resolve is not None:
                pk, fk = resolve(e.ref)
            fill = {"seq": str(seq), "prev": '"' + prev + '"', "time": time_json,
                    "pk": "null" if pk is None else str(int(pk)), "pk_str": '""' if pk is None else f'"{int(pk)}"',
                    "fk": "null" if fk is None else str(int(fk))}
            h = base.copy()
            h.update(_fill(e.payload, fill).encode("utf-8"))
            digest_ = h.hexdigest()
            user_id, username, ip, request_id, source, action, model, object_repr, uscc = e.static
            rows.append([chain, seq, prev, digest_, time_db, user_id, username, ip, request_id, source, action,
                         model, e.object_id if e.object_id is not None else str(pk)[:64], object_repr, uscc,
                         e.before, None if e.after is None else _fill(e.after, fill), e.changed])
            prev = digest_
        _insert_rows(AuditEntry, rows)
        AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return len(rows)


def _insert_rows(model: Any, rows: list[list[Any]]) -> None:
    """INSERT prepared rows (columns ``_COLUMNS``; JSON columns as JSON text) with one ``executemany``."""
    from django.db import connection

    qn = connection.ops.quote_name
    json_cols = {"before", "after", "changed"}
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    columns = [model._meta.get_field(c).column for c in _COLUMNS]
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(cast if c in json_cols else '%s' for c in _COLUMNS)})")
    with connection.cursor() as cur:
        cur.executemany(sql, rows)

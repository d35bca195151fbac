"""The tables of the transactional store (SQLAlchemy Core); migrations create them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every database (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_code", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("plan_code", "version"),
)

units = Table(
    "units",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("parent_code", String(32), ForeignKey("units.code"), nullable=True),
    Column("names", JSON, nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
    # a retired unit (inactive): the unit its figures roll into
    Column("successor_code", String(32), nullable=True),
)

measure_values = Table(
    "measure_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_code", String(64), nullable=False),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("period", String(8), nullable=False),
    Column("value", Float, nullable=True),  # NULL: the figure was withdrawn
    Column("source", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("measure_code", "unit_code", "period", "version"),
    Index(None, "unit_code", "period"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_key", String(200), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Index(None, "entity", "entity_key"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(12), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),  # a person's token
    # a province's token for POST /packets: the only sender code it may send as (0011)
    Column("sender", String(32), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("email", String(254), nullable=True),  # where reminders go (migration 0010)
    Column("language", String(8), nullable=True),  # of reminders; None: the plan's first
)

user_units = Table(
    "user_units",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("unit_code", String(32), ForeignKey("units.code"), primary_key=True),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "username", "at"),
    Index(None, "address", "at"),
    Index(None, "at"),
)

# a signed-in browser: the cookie carries a random id, the row says whose it is and
# until when; deleting the row ends the session (sign-out, disable, password, role)
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's random id
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(48), nullable=False),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("period", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # +1 on every change: refuses lost updates
    Column("values", JSON, nullable=False),  # {measure: {unit: number | null}}
    Column("comment", Text, nullable=True),  # the reporter's note on warnings
    Column("review_comment", Text, nullable=True),  # the coordinator's, on return
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("first_submitted_at", UTCDateTime, nullable=True),
    Column("submitted_at", UTCDateTime, nullable=True),
    Column("approved_at", UTCDateTime, nullable=True),
    Column("approved_by", String(64), nullable=True),
    Column("approvals", Integer, nullable=False),  # how many times approved (corrections)
    UniqueConstraint("dataset", "unit_code", "period"),
)

focal_points = Table(
    "focal_points",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("name", String(200), nullable=True),  # NULL: the unit no longer has one
    Column("title", String(200), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("email", String(200), nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Index(None, "unit_code", "recorded_at"),
)

# packets for the national reporting information system (dxplan.national): the message id
# is fixed when a packet is queued and sent unchanged on every attempt
national_outbox = Table(
    "national_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the order of sending
    Column("message_id", String(36), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # kpi_catalog | kpi_data
    Column("period", String(8), nullable=False),
    Column("slot", String(80), nullable=False),  # what a newer packet replaces: GOV-01#1
    Column("content_hash", String(64), nullable=False),
    Column("items", JSON, nullable=False),  # mapped to the national field names
    Column("item_count", Integer, nullable=False),
    Column("state", String(8), nullable=False),  # queued | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("answer", Text, nullable=True),  # the receiver's answer to the last attempt
    Column("queued_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),  # when the receipt was recorded
    Index(None, "kind", "period", "slot"),
    Index(None, "state"),
)

# the coordinator's difficulties and next tasks of an official report, per unit and
# period; rows are only ever added, the newest is current (migration 0007)
report_notes = Table(
    "report_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("period", String(8), nullable=False),
    Column("difficulties", Text, nullable=False),
    Column("next_tasks", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Index(None, "unit_code", "period"),
)

# reminders and notifications (dxplan.notify, migration 0010)
# a person's choice per kind of notice: "out" (opted out) or "in" (subscribed)
notify_preferences = Table(
    "notify_preferences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(254), nullable=False),  # an e-mail address or user:NAME
    Column("kind", String(32), nullable=False),  # an item kind, or "all"
    Column("choice", String(3), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    UniqueConstraint("recipient", "kind"),
)

# one message to one recipient over one channel: at most one a day; the message id is
# fixed when composed and sent unchanged on every attempt
notify_digests = Table(
    "notify_digests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(36), nullable=False, unique=True),
    Column("recipient", String(254), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("day", String(10), nullable=False),  # YYYY-MM-DD on the plan's clock
    Column("state", String(8), nullable=False),  # pending | sending | sent
    Column("content", JSON, nullable=False),  # what the message says (notify.digest)
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    UniqueConstraint("recipient", "channel", "day"),
    Index(None, "state"),
)

# the sent log: an item is told to a recipient over a channel once, in one digest
notify_items = Table(
    "notify_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recipient", String(254), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("item_key", String(200), nullable=False),
    Column("digest_id", Integer, ForeignKey("notify_digests.id"), nullable=False, index=True),
    UniqueConstraint("recipient", "channel", "item_key"),
)

# each unit's indicator statuses as the last real run saw them: "turned off track since"
notify_statuses = Table(
    "notify_statuses",
    metadata,
    Column("unit_code", String(32), primary_key=True),
    Column("indicator", String(32), primary_key=True),
    Column("period", String(8), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

# tasks (dxplan.tasks, migration 0009): units' breakthrough tasks, one per unit and year;
# due dates are ISO text (YYYY-MM-DD), as backups carry them
breakthrough_tasks = Table(
    "breakthrough_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(48), nullable=False, unique=True),  # BT-2025-92-SKHCN
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("expected_result", Text, nullable=True),
    Column("due", String(10), nullable=False),
    Column("indicators", JSON, nullable=False),  # [indicator code]
    Column("status", String(16), nullable=False),  # the reports' workflow: draft ... approved
    Column("version", Integer, nullable=False),  # +1 on every change: refuses lost updates
    Column("review_comment", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=False),
    UniqueConstraint("unit_code", "year"),
)

# a unit's own detailed tasks (its detailed plan, loaded from its Excel task list)
unit_tasks = Table(
    "unit_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(48), nullable=False, unique=True),  # U-31135-01
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("due", String(10), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Index(None, "unit_code", "year"),
)

# progress reports on a task (the plan's, a breakthrough or a unit's own one); rows are only ever
# added, the newest is the task's current progress
task_progress = Table(
    "task_progress",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_code", String(48), nullable=False),
    Column("unit_code", String(32), ForeignKey("units.code"), nullable=False),  # who reported
    Column("percent", Integer, nullable=False),
    Column("progress", String(16), nullable=False),  # not_started | in_progress | done
    Column("note", Text, nullable=True),
    Column("evidence", JSON, nullable=False),  # [task_evidence.id] added with this report
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Index(None, "task_code", "id"),
)

# evidence files of progress reports, their content in the store (decision 0018)
task_evidence = Table(
    "task_evidence",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_code", String(48), nullable=False, index=True),
    Column("filename", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("uploaded_at", UTCDateTime, nullable=False),
    Column("uploaded_by", String(64), nullable=False),
)

# what a receiver of the provinces' packets answered (POST /packets, migration 0011): one
# row per sender and message id; an accepted packet's row is never replaced (its id is
# taken), a rejected one's is replaced by the next attempt under the same id
packet_receipts = Table(
    "packet_receipts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender", String(32), nullable=False),
    Column("message_id", String(64), nullable=False),
    Column("kind", String(16), nullable=True),  # kpi_catalog | kpi_data; NULL: unreadable
    Column("period", String(8), nullable=True),
    Column("content_hash", String(64), nullable=False),  # the packet without sent_at
    Column("status", String(8), nullable=False),  # accepted | rejected
    Column("item_count", Integer, nullable=False),
    Column("values_written", Integer, nullable=False),
    Column("problems", JSON, nullable=False),  # [{path, message}], empty when accepted
    Column("notes", JSON, nullable=False),  # what was odd but accepted
    Column("sent_at", String(40), nullable=True),  # as the sender wrote it
    Column("received_at", UTCDateTime, nullable=False),
    Column("token_name", String(64), nullable=False),
    UniqueConstraint("sender", "message_id"),
    Index(None, "sender", "received_at"),
)

# each sender's token bucket (receiving.limiter): packets in hand as of `at`, epoch seconds
sender_buckets = Table(
    "sender_buckets",
    metadata,
    Column("sender", String(32), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("at", Float, nullable=False),
)

# the indicators each sender declared in its catalogue packets (national codes), newest
received_indicators = Table(
    "received_indicators",
    metadata,
    Column("sender", String(32), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("sender_code", String(64), nullable=False),  # as the sender named it
    Column("details", JSON, nullable=False),  # name_vi, name_en, unit_of_measure...
    Column("message_id", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

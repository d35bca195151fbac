"""Every setting of dxplan, in one place; environment variables start with DXPLAN_."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from dxplan.plans import DEFAULT_PLAN

MIN_SECRET_BYTES: Final = 32  # 256 bits: a session cookie cannot be forged by guessing


class Settings(BaseSettings):
    """Settings read from the environment (DXPLAN_*) or given by the CLI and tests."""

    model_config = SettingsConfigDict(env_prefix="DXPLAN_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("dxplan-data"),
        description="Folder for the embedded database and data files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the transactional store; default: SQLite in data_dir. "
        "Production: postgresql+psycopg://user@host/db.",
    )
    plan_file: Path = Field(default=DEFAULT_PLAN, description="The plan file to load at init.")
    agencies_file: Path | None = Field(
        default=None,
        description="Agency list of the organisation; default: the shipped file of the province.",
    )
    environment: Literal["development", "production"] = Field(
        default="development", description="Where dxplan runs: development or production."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs session cookies; at least 32 bytes. Default: a random secret "
        "generated on first start and kept in <data_dir>/secret_key (mode 0600).",
    )
    session_idle_minutes: int = Field(
        default=60,
        ge=1,
        le=24 * 60,
        description="A session unused for this many minutes ends: sign in again.",
    )
    session_max_hours: int = Field(
        default=8,
        ge=1,
        le=24 * 30,
        description="A session ends this many hours after signing in, however busy.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Engine of a full recompute (`dxplan compute --full`); see docs/spark.md.",
    )
    spark_master: str = Field(
        default="local[2]", description="Spark master URL when the engine is spark."
    )
    language: Literal["vi", "en", "bn"] | None = Field(
        default=None,
        description="Default language of pages; default: the plan's first language.",
    )
    as_of: date | None = Field(
        default=None,
        description="The day dxplan takes as today for evaluation and reporting deadlines; "
        "default: the real date. The demo sets 2025-11-08.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only (set it behind HTTPS).",
    )
    trust_proxy_headers: bool = Field(
        default=False,
        description="Believe X-Forwarded-Proto from the reverse proxy in front of dxplan: "
        "a request that reached the proxy over HTTPS then gets Secure cookies and HSTS.",
    )
    max_body_json: int = Field(
        default=1 << 20,
        ge=1024,
        description="Largest request body in bytes of the JSON API and of forms (1 MiB).",
    )
    max_body_upload: int = Field(
        default=10 << 20,
        ge=1024,
        description="Largest request body in bytes of an Excel upload (10 MiB).",
    )
    max_body_evidence: int = Field(
        default=64 << 20,
        ge=1024,
        description="Largest request body in bytes of a task's progress report with its "
        "evidence files (64 MiB; each file is also held to DXPLAN_MAX_EVIDENCE_BYTES).",
    )
    max_body_feed: int = Field(
        default=200 << 20,
        ge=1024,
        description="Largest request body in bytes of a dossier or catalog feed (200 MiB).",
    )
    max_json_depth: int = Field(
        default=32,
        ge=2,
        le=512,
        description="Deepest nesting of arrays and objects accepted in a JSON API body.",
    )
    max_evidence_bytes: int = Field(
        default=20 << 20,
        ge=1024,
        description="Largest evidence file of a task's progress report in bytes (20 MiB).",
    )
    open_data_licence: str = Field(
        default="CC-BY-4.0",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9.+-]*$",
        description="Licence of the open-data package: its Open Definition or SPDX id.",
    )
    open_data_licence_title: str = Field(
        default="Creative Commons Attribution 4.0",
        min_length=1,
        description="The open-data licence's name as people read it.",
    )

    national_url: str | None = Field(
        default=None,
        description="Base URL of the national reporting information system; packets go to "
        "POST <url>/packets. Unset: nothing is sent and `dxplan serve` delivers nothing.",
    )
    national_token: SecretStr | None = Field(
        default=None, description="Bearer token dxplan presents to the national system."
    )
    sender_code: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,32}$",
        description="The province's code as sender of packets to the national system.",
    )
    national_mapping_file: Path | None = Field(
        default=None,
        description="Mapping of dxplan's names to the national field names; default: the "
        "shipped file dxplan/national/mapping.yaml.",
    )
    national_packet_size: int = Field(
        default=500, ge=1, le=100_000, description="Most KPI data items in one packet."
    )
    national_attempts: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Attempts per packet in one delivery run (5xx, timeouts, refused or "
        "closed connections) before the run stops and leaves the packet queued.",
    )
    national_backoff_seconds: float = Field(
        default=2.0, ge=0, le=3600, description="Wait before the second attempt; doubles after."
    )
    national_backoff_max_seconds: float = Field(
        default=120.0, ge=0, le=86_400, description="Longest wait between two attempts."
    )
    national_timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="Timeout of each request to the national system."
    )
    national_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="`dxplan serve` looks for queued packets this often (seconds).",
    )
    receive: bool = Field(
        default=False,
        description="Receive the provinces' packets on POST /packets (a national dxplan); "
        "off: /packets answers 404.",
    )
    receive_mapping_file: Path | None = Field(
        default=None,
        description="The receiver's mapping file: each sender's own indicator and unit codes "
        "to the national ones; default: none, codes are taken as sent.",
    )
    receive_rate_per_minute: float = Field(
        default=600.0,
        gt=0,
        le=1_000_000,
        description="Packets a sender may send per minute, on average (token bucket); past "
        "it, 429 with Retry-After. Per server process.",
    )
    receive_burst: int = Field(
        default=120,
        ge=1,
        le=1_000_000,
        description="Packets a sender may send at once before the rate applies.",
    )
    max_body_packets: int = Field(
        default=16 << 20,
        ge=1024,
        description="Largest request body in bytes of a packet on POST /packets (16 MiB).",
    )
    soffice: str = Field(
        default="soffice",
        description="LibreOffice's command, which converts official reports to PDF.",
    )
    pdf_timeout: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="Seconds a PDF conversion of an official report may take at most.",
    )
    pdf_parallel: int = Field(
        default=2,
        ge=1,
        le=64,
        description="PDF conversions run at once by one server; others wait for a slot.",
    )

    remind_days: int = Field(
        default=5,
        ge=0,
        le=366,
        description="`dxplan notify` reminds of reports and tasks due within this many days.",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="The mail server of `dxplan notify`: smtp://[user:password@]host:port "
        "(STARTTLS when the server offers it) or smtps://... (TLS from the start). Unset: "
        "no e-mail is sent.",
    )
    mail_from: str | None = Field(
        default=None,
        description="The sender address of dxplan's e-mails, e.g. dxplan@sotttt.cantho.gov.vn.",
    )
    webhook_url: str | None = Field(
        default=None,
        description="Where `dxplan notify` posts each digest as signed JSON (a chat system or "
        "the city's gateway). Unset: no webhook.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Key of the webhook's HMAC-SHA256 signature (X-Dxplan-Signature); "
        "required with DXPLAN_WEBHOOK_URL.",
    )
    public_url: str | None = Field(
        default=None,
        description="The address people open dxplan at, e.g. https://dxplan.cantho.gov.vn: "
        "links in e-mails (the reports, the unsubscribe link). Unset: mails carry no links.",
    )
    notify_timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="Timeout of each SMTP or webhook exchange."
    )

    duckdb_memory_limit: str = Field(
        default="1GB",
        pattern=r"^[0-9]+(\.[0-9]+)?\s*(MB|GB|MiB|GiB)$",
        description="Memory each DuckDB query of the dossiers may use before spilling to "
        "disk (imports, computes, the web): e.g. 1GB, 3GB. The process's peak is about "
        "this plus 0.3 GB.",
    )
    dossier_delta_limit: int = Field(
        default=500_000,
        ge=0,
        le=100_000_000,
        description="Changed dossiers an import keeps in the operational store's delta "
        "before it writes their months again (0: always write the months).",
    )
    board_check_seconds: float = Field(
        default=1.0,
        ge=0,
        le=3600,
        description="How often the web checks, for readers not signed in, whether the store "
        "changed (at most once in this many seconds; 0: on every request). Meanwhile, and "
        "while a changed board is rebuilt, they are served the board they were served.",
    )

    def environment_variables(self) -> dict[str, str]:
        """These settings as DXPLAN_* variables, for processes that read them back (the
        workers of `dxplan serve --workers N`): the ones given explicitly, as text."""
        found: dict[str, str] = {}
        for name in sorted(self.model_fields_set):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                text = value.get_secret_value()
            elif isinstance(value, str | Path | date | int | float):
                text = str(value).lower() if isinstance(value, bool) else str(value)
            else:
                text = json.dumps(value)
            found[f"DXPLAN_{name.upper()}"] = text
        return found

    def now(self, zone: ZoneInfo) -> datetime:
        """The current instant, moved to `as_of` (keeping the time of day in `zone`, the
        plan's) when set."""
        real = datetime.now(zone)
        if self.as_of is None:
            return real
        return datetime.combine(self.as_of, real.timetz())

    @field_validator("national_url")
    @classmethod
    def _national_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/?#@]+(/[^\s?#]*)?$", value):
            raise ValueError(
                f"{value!r} is not a base URL such as https://host/path (http or https, "
                "no query, no user name)"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        found = value is not None and re.match(
            r"^smtps?://([^\s/@]+@)?[^\s/:@]+(?::([0-9]{1,5}))?/?$", value.get_secret_value()
        )
        # a port above 65535 passes the pattern, then breaks urlsplit() at the first send
        if value is not None and (not found or int(found.group(2) or 25) > 65535):
            raise ValueError(
                "not a mail server address such as smtp://host:587 or "
                "smtps://user:password@host:465"
            )
        return value

    @field_validator("webhook_url", "public_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/?#]+(/[^\s#]*)?$", value):
            raise ValueError(f"{value!r} is not an address such as https://host/path")
        return value

    @model_validator(mode="after")
    def _webhook_signed(self) -> Settings:
        if self.webhook_url is not None and self.webhook_secret is None:
            raise ValueError(
                "DXPLAN_WEBHOOK_URL needs DXPLAN_WEBHOOK_SECRET: the receiver checks each "
                "body's signature with it"
            )
        return self

    @model_validator(mode="after")
    def _no_short_secret(self) -> Settings:
        # a short secret can be guessed offline from one captured cookie: fail closed
        given = self.secret_key.get_secret_value() if self.secret_key is not None else None
        if given is not None and len(given.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(
                f"DXPLAN_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long; generate "
                "one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))' "
                "(or leave it unset: dxplan then keeps a random one in the data folder)"
            )
        return self

    @property
    def database(self) -> str:
        """The database URL in force: the configured one or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dxplan.sqlite3').resolve()}"

    @property
    def database_display(self) -> str:
        """The database URL with any password masked, for messages and logs."""
        return make_url(self.database).render_as_string(hide_password=True)

    @property
    def embedded(self) -> bool:
        """True when the store is the embedded SQLite file."""
        return self.database.startswith("sqlite")

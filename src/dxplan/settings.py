"""Every setting of dxplan, in one place; environment variables start with DXPLAN_."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from dxplan.domain.period import LOCAL_TZ
from dxplan.plans import DEFAULT_PLAN

DEVELOPMENT_SECRET: Final = "development-only-secret-change-me"


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
        default="development", description="'production' refuses the development secret."
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET), description="Signs session cookies."
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Engine of a full recompute (`dxplan compute --full`); see docs/spark.md.",
    )
    spark_master: str = Field(
        default="local[2]", description="Spark master URL when the engine is spark."
    )
    language: Literal["vi", "en", "bn"] = Field(
        default="vi", description="Default language of pages."
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

    def now(self) -> datetime:
        """The current instant, moved to `as_of` (keeping the time of day) when set."""
        real = datetime.now(LOCAL_TZ)
        if self.as_of is None:
            return real
        return datetime.combine(self.as_of, real.timetz())

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if (
            self.environment != "development"
            and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ValueError(
                "DXPLAN_SECRET_KEY must be set to a secret of your own outside development"
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

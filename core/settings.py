"""Settings read from environment variables (and an optional `.env` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "change-me-demo-only-secret-key-0000"  # noqa: S105 - refused outside demo mode


class Settings(BaseSettings):
    """Runtime configuration; every field maps to an upper-case environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'var' / 'grants.db'}")
    secret_key: str = DEFAULT_SECRET
    demo_mode: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    token_ttl_minutes: int = 8 * 60
    sqlite_busy_timeout_ms: int = 30_000
    seed_scale: str = "program"
    seed_number: int = 2021

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_secure(self) -> None:
        """Refuse to run outside demo mode with the default secret key."""
        if not self.demo_mode and self.secret_key == DEFAULT_SECRET:
            raise RuntimeError(
                "SECRET_KEY is the default demo key; set SECRET_KEY to a long random value "
                "or run with DEMO_MODE=true"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()

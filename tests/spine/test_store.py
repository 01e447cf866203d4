"""The store: migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from social_care.store import make_engine, upgrade
from social_care.store.tables import metadata


def test_migrations_match_the_models(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_bad_database_url_is_a_clear_config_error():
    import pytest

    from social_care.errors import ConfigError

    with pytest.raises(ConfigError, match="SOCIAL_CARE_DATABASE_URL"):
        make_engine("not a url at all")

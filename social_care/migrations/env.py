"""Alembic environment: runs on the connection handed in by ``social_care.store.engine.upgrade``."""

from __future__ import annotations

from alembic import context

import social_care.inbox.tables  # noqa: F401  (the inbox tools' tables)
import social_care.scale.tables  # noqa: F401  (the scaled-out service's leases and dead letters)
import social_care.web.tables  # noqa: F401  (registers the web app's session tables on the shared metadata)
from social_care.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise RuntimeError("run migrations with `social-care db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

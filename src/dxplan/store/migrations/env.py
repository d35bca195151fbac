"""Alembic environment: migrations run on the engine dxplan hands over."""

from alembic import context

from dxplan.store.tables import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

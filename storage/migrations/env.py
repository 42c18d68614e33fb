"""Alembic environment: runs on the connection that storage.db.upgrade hands over."""

from alembic import context

from storage.models import Base
from storage.search import include_name

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `nashra db upgrade` (storage.db.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # The search index differs by engine and is not in the models (storage/search.py).
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: online migrations on the connection handed over by chanyan.store.migrate."""

from __future__ import annotations

from alembic import context

from chanyan.store.models import Base
from chanyan.store.session import make_engine

# Tables that live in the same database but belong to someone else (Rasa's SQL tracker store).
FOREIGN_TABLES = {"events"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()

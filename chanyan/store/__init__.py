"""The requests database: SQLAlchemy models, sessions, Alembic migrations and query functions."""

"""Storage: the typed SQLAlchemy tables, the database connection (SQLite or PostgreSQL) and
the Alembic migrations that create and upgrade the schema."""

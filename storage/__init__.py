"""Storage: SQLAlchemy models, queries and migrations. Never commits on its own."""

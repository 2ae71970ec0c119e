"""Persistence: models, engine and sessions, queries and migrations."""

"""The database: models, engine and sessions, repositories, dialog-state storage, migrations."""

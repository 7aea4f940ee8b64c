"""The SQLite index: all SQL lives here."""

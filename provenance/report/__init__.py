"""Rendering results: terminal, JSON/CSV and HTML."""

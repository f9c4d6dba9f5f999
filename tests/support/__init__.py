"""Helpers shared by the tests (registers, seed data, LibreOffice round trips)."""

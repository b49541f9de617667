"""The transfers app's tables (assignments and their notices)."""

"""Call quality review."""

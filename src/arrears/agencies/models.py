"""Models of Collection agencies (built by issue 20)."""

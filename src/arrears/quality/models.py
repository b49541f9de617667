"""Models of Call quality review (built by issue 20)."""

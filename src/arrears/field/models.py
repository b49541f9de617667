"""Models of Field visits and skip tracing (built by issue 20)."""

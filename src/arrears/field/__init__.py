"""Field visits and skip tracing."""

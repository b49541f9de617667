"""The propensity-to-pay score: features in SQL (``features``), the model's arithmetic in
numpy (``matrix``), training with a time-based holdout (``training``), applying the active
version (``applying``) and reading scores and versions (``selectors``)."""

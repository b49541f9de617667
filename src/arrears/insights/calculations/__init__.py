"""Pure calculations of the insights app: no Django, no database."""

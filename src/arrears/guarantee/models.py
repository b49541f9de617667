"""The guarantee app's tables (pay-outs and their recourse claims)."""

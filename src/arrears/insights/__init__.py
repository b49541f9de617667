"""Insights: what the stored history says — aging, roll rates, vintages, recovery, team
results, experiment arms and the propensity-to-pay score (docs/insights.md)."""

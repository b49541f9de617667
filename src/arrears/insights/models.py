"""The insights app's own tables: the propensity model's versions and the cases' scores.

Everything else it shows is read from the tables of the apps below it; it writes nothing
of theirs (DESIGN rule 7).
"""

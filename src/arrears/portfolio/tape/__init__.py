"""Reading lenders' tape files (CSV in UTF-8 or GBK, XLSX) and validating their rows.

Pure package: no Django import, so every rule is tested without a database.
"""

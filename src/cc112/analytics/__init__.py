"""Measures for leaders, the monthly report and open data (one set of definitions)."""

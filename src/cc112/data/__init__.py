"""Reference data files."""

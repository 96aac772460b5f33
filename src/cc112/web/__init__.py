"""Pages: shell, login, templates, static files, translations."""

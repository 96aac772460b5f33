"""Open data: anonymised, aggregated exports and the public transparency page."""

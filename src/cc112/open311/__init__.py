"""Open311 GeoReport v2 (JSON and XML) with the servicerequestupdates extension."""

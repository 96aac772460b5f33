"""CAP 1.2 public alerts: authoring, two-person approval, XML and Atom feed."""

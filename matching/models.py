"""matching is a pure engine; it keeps no models."""

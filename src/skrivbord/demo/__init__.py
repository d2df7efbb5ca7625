"""Demo data: a pure generator and the loader that writes it through the services."""

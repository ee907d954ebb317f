"""One reader per format family; each returns a ``Draft`` that ``ingest.readers`` turns into a Document."""

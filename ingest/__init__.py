"""Ingestion: publications in, well-cut, tagged passages out (the first layer)."""

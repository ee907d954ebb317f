"""The command line (``cli.py``) and the web service (``app.py``, its routes in ``routes/``): thin
layers over search, index and ingest."""

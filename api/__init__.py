"""The command line and (later) the web service: thin layers over search, index and ingest."""

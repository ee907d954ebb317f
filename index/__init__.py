"""Index: FAISS vectors and a SQLite store in snapshots switched atomically (the second layer)."""

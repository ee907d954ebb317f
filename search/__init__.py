"""Search: questions in, ranked passages out (the third layer)."""

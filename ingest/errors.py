"""Errors the user can act on: one clear line each, with a stable code."""


class CatalyseError(Exception):
    code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class UnreadableDocument(CatalyseError):
    code = "unreadable_document"

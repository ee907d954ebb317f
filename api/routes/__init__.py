"""The web service's routes, one router per concern: health, search (and related resources, tags),
documents (and the editors' endpoints), pages (the search page, the editors' page, the widget)."""

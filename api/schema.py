"""The OpenAPI schema's view of our views (drf-spectacular), where its guesses differ from what DRF does."""
from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    def _get_paginator(self):
        # DRF paginates only what a list view answers to GET. A POST that answers with a list (e.g. the
        # consent requests it sent) answers the whole list, so its schema must not describe a page.
        return super()._get_paginator() if self.method == "GET" else None

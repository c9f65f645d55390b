"""Request body parsers of the API: DRF's, refusing text with NUL characters.

No text in recruit holds a NUL (\\u0000), and PostgreSQL can store one neither in text nor in JSON
columns; without this, a NUL in e.g. a quota's criteria or a campaign's filters would be a 500.
"""
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class _RefusesNul:
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        data = getattr(parsed, "data", parsed)  # multipart: fields and files
        if _holds_nul(dict(data.lists()) if hasattr(data, "lists") else data):
            raise ParseError("The request may not contain NUL (\\u0000) characters.")
        return parsed


class JSONParser(_RefusesNul, parsers.JSONParser):
    pass


class FormParser(_RefusesNul, parsers.FormParser):
    pass


class MultiPartParser(_RefusesNul, parsers.MultiPartParser):
    pass

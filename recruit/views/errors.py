"""Server errors: a database that is briefly unreachable (a restart, a failover) answers 503 with
Retry-After, in the visitor's language, instead of a bare 500.

Django calls handler500 inside the `except` block of the failed request, so the exception is at
hand. The page is rendered without the request's context processors: the session, the user and
the messages all live in the database that just failed.
"""
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def server_error_page(request, template_name="500.html"):
    if not database_unavailable(sys.exc_info()[1]):
        return server_error(request, template_name)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("The service is briefly unavailable. Try again in a minute.")},
                                status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response

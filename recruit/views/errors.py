"""Server errors: a database that is briefly unreachable (a restart, a failover) answers 503 with
Retry-After, in the visitor's language, instead of a bare 500 (or the 400 Django gives when the
session cannot be saved).

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
from django.views.defaults import bad_request, server_error

RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException | None) -> bool:
    return isinstance(error, (OperationalError, InterfaceError))


def _caused_by_database(error: BaseException | None) -> bool:
    while error is not None:
        if database_unavailable(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def server_error_page(request, template_name="500.html"):
    if not database_unavailable(sys.exc_info()[1]):
        return server_error(request, template_name)
    return _unavailable(request)


def bad_request_page(request, exception, template_name="400.html"):
    # Saving the session fails as "session interrupted" (a 400) when the database is gone.
    if not _caused_by_database(exception):
        return bad_request(request, exception, template_name)
    return _unavailable(request)


def _unavailable(request):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("The service is briefly unavailable. Try again in a minute.")},
                                status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response

"""The answer to a login while django-axes has locked the username at this address."""
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

STATUS = 429


def locked_out(request, original_response=None, credentials=None):
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    if request.path.startswith("/api/"):
        detail = _("Too many failed logins. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        return JsonResponse({"detail": detail}, status=STATUS)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=STATUS)

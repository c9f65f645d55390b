from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle


class TokenView(ObtainAuthToken):
    """Trade a username and password for an API token. Throttled ("token" rate) and behind the
    same login lockout as the sign-in page (django-axes checks the credentials first)."""

    throttle_classes = [ScopedRateThrottle, AnonRateThrottle]
    throttle_scope = "token"

    def handle_exception(self, exc):
        # django-axes marks the request it refused; answer 429 like the sign-in page, not 400.
        if getattr(self.request, "axes_locked_out", False):
            exc = Throttled(detail="Too many failed logins. Try again later.")
        return super().handle_exception(exc)

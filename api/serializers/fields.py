"""Serializer fields the API's serializers share."""
from django.contrib.auth import get_user_model
from rest_framework import serializers


class UsernameField(serializers.SlugRelatedField):
    """An active user, by user name. A name holding a NUL character is no user's name: it is refused
    as such instead of reaching PostgreSQL, which cannot compare text with NUL in it (a 500)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", queryset=get_user_model().objects.filter(is_active=True), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)

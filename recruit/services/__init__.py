"""Writes. Each service validates with full_clean(), runs in a transaction, writes its audit
event in the same transaction and raises ValidationError (with a code) or PermissionDenied."""

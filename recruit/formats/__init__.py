"""Date and time formats per language (settings.FORMAT_MODULE_PATH).

Templates name a format instead of spelling one (`{{ session.starts_at|date:"WEEKDAY_DATETIME_FORMAT" }}`), so bokmål
gets its ordinal dots ("torsdag 10. desember 2026") and English keeps "Thursday 10 December 2026". Every name here
must exist in both languages: django.utils.formats.get_format returns an unknown name as the format itself.
"""

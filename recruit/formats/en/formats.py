# English: day before month, 24-hour clock, as the bokmål pages. Names as in recruit/formats/nb/formats.py.
DATE_FORMAT = "j F Y"  # 23 November 2026
TIME_FORMAT = "H:i"  # 19:05
DATETIME_FORMAT = "j F Y H:i"  # 23 November 2026 19:05
YEAR_MONTH_FORMAT = "F Y"  # November 2026
MONTH_DAY_FORMAT = "j F"  # 23 November

# recruit's own names
ABBR_DATE_FORMAT = "j M Y"  # 23 Nov 2026
ABBR_DATETIME_FORMAT = "j M Y H:i"  # 23 Nov 2026 19:05
ABBR_MONTH_DAY_FORMAT = "j M"  # 23 Nov
ABBR_WEEKDAY_MONTH_DAY_FORMAT = "D j M"  # Mon 23 Nov
ABBR_WEEKDAY_DATETIME_FORMAT = "D j M Y, H:i"  # Mon 23 Nov 2026, 19:05
WEEKDAY_MONTH_DAY_FORMAT = "l j F"  # Monday 23 November
WEEKDAY_DATE_FORMAT = "l j F Y"  # Monday 23 November 2026
WEEKDAY_DATETIME_FORMAT = "l j F Y, H:i"  # Monday 23 November 2026, 19:05

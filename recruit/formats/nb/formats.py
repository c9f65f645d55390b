# Bokmål: an ordinal dot after the day number and after abbreviations ("man. 23. nov."); 'N' gives "nov.", "sept.",
# and "mai" whole. Names as in recruit/formats/en/formats.py.
DATE_FORMAT = "j. F Y"  # 23. november 2026
TIME_FORMAT = "H:i"  # 19:05
DATETIME_FORMAT = "j. F Y H:i"  # 23. november 2026 19:05
YEAR_MONTH_FORMAT = "F Y"  # november 2026
MONTH_DAY_FORMAT = "j. F"  # 23. november

# recruit's own names
ABBR_DATE_FORMAT = "j. N Y"  # 23. nov. 2026
ABBR_DATETIME_FORMAT = "j. N Y H:i"  # 23. nov. 2026 19:05
ABBR_MONTH_DAY_FORMAT = "j. N"  # 23. nov.
ABBR_WEEKDAY_MONTH_DAY_FORMAT = "D. j. N"  # man. 23. nov.
ABBR_WEEKDAY_DATETIME_FORMAT = "D. j. N Y, H:i"  # man. 23. nov. 2026, 19:05
WEEKDAY_MONTH_DAY_FORMAT = "l j. F"  # mandag 23. november
WEEKDAY_DATE_FORMAT = "l j. F Y"  # mandag 23. november 2026
WEEKDAY_DATETIME_FORMAT = "l j. F Y, H:i"  # mandag 23. november 2026, 19:05

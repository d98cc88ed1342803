"""The Jalali (Solar Hijri) calendar on the server: conversions, the labels of
grouped dates, and the SQL that cuts a date into Jalali months, seasons and
years.

Stored values stay Gregorian; these helpers only decide how a date is shown
or which Jalali period it belongs to. Leap years follow the 33-year rule of
jdatetime, the same rule as jalaali-js in the browser."""
import datetime
import logging

_logger = logging.getLogger(__name__)
try:
    import jdatetime
except ImportError:  # pragma: no cover - listed in the manifest
    _logger.debug("jdatetime is not installed")

MONTHS = {
    "fa": ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
           "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"),
    "en": ("Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
           "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"),
}
# Jalali seasons are the calendar's quarters: three months each from Nowruz.
SEASONS = {
    "fa": ("بهار", "تابستان", "پاییز", "زمستان"),
    "en": ("Spring", "Summer", "Autumn", "Winter"),
}
WEEK_OF = {"fa": "هفتهٔ %s", "en": "Week of %s"}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Gregorian years whose Nowruz (Farvardin 1st) the SQL below knows; outside
# them, grouping falls back to the Gregorian periods.
FIRST_YEAR, LAST_YEAR = 1800, 2299


def is_persian(lang):
    return bool(lang) and lang.startswith("fa")


def localize_digits(text, lang):
    text = str(text)
    return text.translate(PERSIAN_DIGITS) if is_persian(lang) else text


def to_jalali(value):
    """(year, month, day) of a Gregorian date or datetime (its date part)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    jdate = jdatetime.date.fromgregorian(date=value)
    return jdate.year, jdate.month, jdate.day


def to_gregorian(year, month, day):
    """The Gregorian date of a Jalali date; ValueError when there is no such
    day (e.g. Esfand 30th of a common year)."""
    return jdatetime.date(year, month, day).togregorian()


def is_leap(year):
    return jdatetime.date(year, 1, 1).isleap()


def month_length(year, month):
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if is_leap(year) else 29


def period_start(value, unit):
    """The first day of the Jalali month, season or year holding `value`."""
    year, month, _day = to_jalali(value)
    if unit == "year":
        month = 1
    elif unit == "quarter":
        month = month - (month - 1) % 3
    elif unit != "month":
        raise ValueError("unknown Jalali period %r" % unit)
    return to_gregorian(year, month, 1)


def next_period_start(value, unit):
    """The first day of the Jalali period after the one holding `value`."""
    year, month, _day = to_jalali(period_start(value, unit))
    step = {"month": 1, "quarter": 3, "year": 12}[unit]
    month += step
    if month > 12:
        year, month = year + 1, month - 12
    return to_gregorian(year, month, 1)


def year_bounds(value):
    """(first, last) Gregorian day of the Jalali year holding `value`."""
    first = period_start(value, "year")
    following = next_period_start(value, "year")
    return first, following - datetime.timedelta(days=1)


def format_date(value, lang):
    """e.g. ۱۴۰۵/۰۱/۰۱ for a Persian reader, 1405/01/01 for the others."""
    return localize_digits("%04d/%02d/%02d" % to_jalali(value), lang)


def group_label(value, unit, lang):
    """The label of a read_group bucket starting at `value`."""
    names = "fa" if is_persian(lang) else "en"
    year, month, day = to_jalali(value)
    if unit == "year":
        text = "%d" % year
    elif unit == "quarter":
        text = "%s %d" % (SEASONS[names][(month - 1) // 3], year)
    elif unit == "month":
        text = "%s %d" % (MONTHS[names][month - 1], year)
    else:
        text = "%d %s %d" % (day, MONTHS[names][month - 1], year)
        if unit == "week":
            text = WEEK_OF[names] % text
    return localize_digits(text, lang)


def _nowruz_days():
    """One character per Gregorian year from FIRST_YEAR: the day of March
    on which Nowruz falls, less 19 (Nowruz is March 19th-22nd)."""
    days = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        nowruz = to_gregorian(year - 621, 1, 1)
        assert nowruz.year == year and nowruz.month == 3
        days.append(str(nowruz.day - 19))
    return "".join(days)


_NOWRUZ_DAYS = None


def sql_period_start(expression, unit, timestamp_type="timestamp"):
    """SQL for the first day (at midnight, of `timestamp_type`: what Odoo's
    date_trunc() gives, timestamptz for a date column) of the Jalali period
    holding the date or timestamp `expression` (already in local time).

    Jalali months have fixed lengths from Nowruz (six of 31 days, five of
    30, then Esfand), so the month is found from the day of the Jalali year;
    Nowruz itself is looked up in a string of one digit per Gregorian year.
    """
    global _NOWRUZ_DAYS
    if _NOWRUZ_DAYS is None:
        _NOWRUZ_DAYS = _nowruz_days()
    date = "(%s)::date" % expression
    year = "EXTRACT(YEAR FROM %s)::int" % date

    def nowruz(year_sql):
        return ("make_date(%(y)s, 3, 19 + substr('%(days)s', %(y)s - %(first)d + 1, 1)::int)"
                % {"y": year_sql, "days": _NOWRUZ_DAYS, "first": FIRST_YEAR})

    start = "(CASE WHEN %(d)s >= %(this)s THEN %(this)s ELSE %(last)s END)" % {
        "d": date, "this": nowruz(year), "last": nowruz("(%s - 1)" % year)}
    day = "(%s - %s)" % (date, start)
    if unit == "year":
        offset = "0"
    elif unit == "quarter":
        offset = ("(CASE WHEN %(k)s < 93 THEN 0 WHEN %(k)s < 186 THEN 93 "
                  "WHEN %(k)s < 276 THEN 186 ELSE 276 END)" % {"k": day})
    elif unit == "month":
        offset = ("(CASE WHEN %(k)s < 186 THEN (%(k)s / 31) * 31 "
                  "ELSE 186 + ((%(k)s - 186) / 30) * 30 END)" % {"k": day})
    else:
        raise ValueError("unknown Jalali period %r" % unit)
    return ("(CASE WHEN %(y)s BETWEEN %(first)d AND %(last)d "
            "THEN (%(start)s + %(offset)s)::%(type)s "
            "ELSE date_trunc('%(unit)s', %(expr)s)::%(type)s END)" % {
                "y": year, "first": FIRST_YEAR + 1, "last": LAST_YEAR,
                "start": start, "offset": offset, "unit": unit,
                "expr": expression, "type": timestamp_type})


def sql_week_start(expression, timestamp_type="timestamp"):
    """SQL for the Saturday (at midnight) that starts the week of `expression`:
    Iranian weeks run from Saturday to Friday."""
    return ("(date_trunc('week', (%s)::timestamp + interval '2 days') "
            "- interval '2 days')::%s" % (expression, timestamp_type))


class JalaliInterval:
    """What read_group adds to a bucket's start to find its end: the next
    Jalali month, season or year (their lengths vary). `start + interval`
    keeps the start's kind (date or datetime) and time zone."""

    def __init__(self, unit, tz=None):
        self.unit = unit
        self.tz = tz

    def __radd__(self, start):
        following = next_period_start(start, self.unit)
        if not isinstance(start, datetime.datetime):
            return following
        naive = datetime.datetime.combine(following, datetime.time())
        if start.tzinfo is not None and self.tz is not None:
            return self.tz.localize(naive)
        return naive

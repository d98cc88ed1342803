"""Dates for Persian readers: Solar Hijri (Jalali) with Persian digits.

Stored dates stay Gregorian; only what is shown to a Persian reader changes."""
import datetime
import logging

import pytz

from odoo import fields

_logger = logging.getLogger(__name__)
try:
    import jdatetime
except ImportError:  # pragma: no cover - listed in the manifest
    _logger.debug("jdatetime is not installed")

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def is_persian(lang):
    return bool(lang) and lang.startswith("fa")


def persian_digits(text):
    return str(text).translate(PERSIAN_DIGITS)


def to_local(value, tz_name):
    """A stored UTC datetime (string or datetime) in the reader's time zone."""
    if isinstance(value, str):
        value = fields.Datetime.from_string(value)
    tz = pytz.timezone(tz_name or "Asia/Tehran")
    return pytz.utc.localize(value).astimezone(tz)


def format_date(value, lang, tz_name=None, with_time=False):
    """Format a date or datetime for a reader of `lang`.

    Persian readers get e.g. ۱۴۰۵/۰۹/۰۷ (and ۱۴:۳۰ with the time); everybody
    else gets the ISO form. Datetimes are shown in the reader's time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        value = (fields.Datetime.from_string(value) if len(value) > 10
                 else fields.Date.from_string(value))
    if isinstance(value, datetime.datetime):
        value = to_local(value, tz_name)
        date, time = value.date(), value.strftime("%H:%M")
    else:
        date, time = value, ""
    if is_persian(lang):
        text = jdatetime.date.fromgregorian(date=date).strftime("%Y/%m/%d")
        if with_time and time:
            text = "%s %s" % (text, time)
        return persian_digits(text)
    text = date.isoformat()
    return "%s %s" % (text, time) if with_time and time else text


# What a Persian keyboard, or a text pasted from an Arabic one, types for
# the digits and the two letters Persian writes otherwise.
TYPED_TO_STORED = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يك", "01234567890123456789یک")


def normalize_typed(text):
    """Latin digits and Persian letters in a searched text, as stored."""
    return str(text).translate(TYPED_TO_STORED).strip()

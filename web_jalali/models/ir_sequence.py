import datetime
import re

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import jalali

# %(jyear)s, %(range_jmonth)s, %(current_jday)s...
JALALI_PLACEHOLDER = re.compile(r"%\((range_|current_)?j(year|y|month|day)\)s")
# Where no time zone is known, a Jalali calendar's days are Iran's.
DEFAULT_TZ = "Asia/Tehran"


def now_in(tz):
    """The current time in `tz` (tests move it to a year's last minutes)."""
    return datetime.datetime.now(tz)


class IrSequence(models.Model):
    """Sequences in the Jalali calendar: `%(jyear)s`, `%(jy)s`,
    `%(jmonth)s` and `%(jday)s` (also with the `range_` and `current_`
    prefixes, as for the Gregorian placeholders) in the prefix or suffix,
    and date ranges that are Jalali years, so that numbering restarts at
    each Nowruz."""
    _inherit = "ir.sequence"

    date_range_calendar = fields.Selection(
        [("gregorian", "Gregorian years"), ("jalali", "Jalali years")],
        string="Date ranges by", required=True, default="gregorian",
        help="With 'Use subsequences per date_range', the calendar whose "
             "years the subsequences follow (Jalali years start at Nowruz, "
             "in the Iranian time zone unless the context gives another).")

    def _jalali_tz(self):
        return pytz.timezone(self._context.get("tz") or DEFAULT_TZ)

    def _jalali_today(self):
        """Today's date where the sequence is used, for Jalali sequences."""
        return now_in(self._jalali_tz()).date()

    def _uses_jalali_placeholders(self):
        return any(JALALI_PLACEHOLDER.search(text or "")
                   for text in (self.prefix, self.suffix))

    def _get_prefix_suffix(self):
        if not self._uses_jalali_placeholders():
            return super()._get_prefix_suffix()
        now = now_in(self._jalali_tz())
        effective = range_date = now
        if self._context.get("ir_sequence_date"):
            effective = fields.Datetime.from_string(self._context["ir_sequence_date"])
        if self._context.get("ir_sequence_date_range"):
            range_date = fields.Datetime.from_string(
                self._context["ir_sequence_date_range"])
        gregorian = {
            "year": "%Y", "month": "%m", "day": "%d", "y": "%y", "doy": "%j",
            "woy": "%W", "weekday": "%w", "h24": "%H", "h12": "%I", "min": "%M",
            "sec": "%S"}
        values = {}
        for prefix, moment in (("", effective), ("range_", range_date),
                               ("current_", now)):
            for key, code in gregorian.items():
                values[prefix + key] = moment.strftime(code)
            year, month, day = jalali.to_jalali(moment)
            values.update({
                prefix + "jyear": "%04d" % year, prefix + "jy": "%02d" % (year % 100),
                prefix + "jmonth": "%02d" % month, prefix + "jday": "%02d" % day})
        try:
            return tuple((text % values) if text else ""
                         for text in (self.prefix, self.suffix))
        except (ValueError, KeyError):
            raise UserError(_("Invalid prefix or suffix for sequence '%(name)s'")
                            % {"name": self.name})

    def _next(self):
        if not (self.use_date_range and self.date_range_calendar == "jalali"):
            return super()._next()
        # The Jalali year changes at midnight in Iran, not in UTC.
        today = self._context.get("ir_sequence_date") or \
            fields.Date.to_string(self._jalali_today())
        return super(IrSequence, self.with_context(ir_sequence_date=today))._next()

    def _create_date_range_seq(self, date):
        if self.date_range_calendar != "jalali":
            return super()._create_date_range_seq(date)
        first, last = jalali.year_bounds(fields.Date.from_string(date))
        date_from, date_to = fields.Date.to_string(first), fields.Date.to_string(last)
        # Like the Gregorian ranges: never overlap a range made by hand.
        DateRange = self.env["ir.sequence.date_range"]
        later = DateRange.search([
            ("sequence_id", "=", self.id), ("date_from", ">=", date),
            ("date_from", "<=", date_to)], order="date_from desc", limit=1)
        if later:
            date_to = fields.Date.to_string(
                fields.Date.from_string(later.date_from) - datetime.timedelta(days=1))
        earlier = DateRange.search([
            ("sequence_id", "=", self.id), ("date_to", ">=", date_from),
            ("date_to", "<=", date)], order="date_to desc", limit=1)
        if earlier:
            date_from = fields.Date.to_string(
                fields.Date.from_string(earlier.date_to) + datetime.timedelta(days=1))
        # sudo: like the Gregorian ranges, made for whoever draws a number.
        return DateRange.sudo().create({
            "date_from": date_from, "date_to": date_to, "sequence_id": self.id})

    @api.multi
    def _adopt_jalali_year(self, old_prefix, new_prefix):
        """Move sequences still on their shipped Gregorian-year prefix to a
        Jalali-year prefix numbered afresh each Jalali year. A prefix an
        administrator changed is left alone, so a module update may call
        this every time."""
        for sequence in self.filtered(lambda s: s.prefix == old_prefix):
            sequence.write({
                "prefix": new_prefix, "use_date_range": True,
                "date_range_calendar": "jalali"})
        return True

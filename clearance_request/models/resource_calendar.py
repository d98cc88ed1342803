"""The working calendar of the clearance offices, on Odoo's own working-time
model: attendances give the working hours of the week, calendar leaves the
official holidays. Deadlines are counted in working hours of this calendar
and shown in working days of `hours_per_day` hours."""
import datetime

import pytz

from odoo import _, api, fields, models, tools
from odoo.addons.resource.models.resource import to_tz
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

THURSDAY = "3"  # resource.calendar.attendance.dayofweek: Monday is "0"


def as_datetime(value):
    """A naive UTC datetime from the ORM's string or a datetime."""
    if isinstance(value, datetime.datetime):
        return value
    return fields.Datetime.from_string(value)


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    # The names of these three fields are those of later Odoo versions
    # (tz, hours_per_day appear in 12.0): a port keeps them.
    tz = fields.Selection(
        "_tz_get", string="Timezone", default="Asia/Tehran",
        help="The working hours and the holidays are read in this timezone.")
    hours_per_day = fields.Float(
        string="Hours of a working day", default=8.0,
        help="A deadline of one working day is this many working hours.")
    thursday_mode = fields.Selection([
        ("half", "Half a working day (morning)"),
        ("off", "Day off"),
    ], string="Thursday",
        help="Half a day gives Thursday morning's working hours (8:00 to "
             "12:00); off removes Thursday's working hours. Empty: the "
             "working hours below decide.")

    @api.model
    def _tz_get(self):
        return [(name, name) for name in pytz.all_timezones]

    @api.constrains("hours_per_day")
    def _check_hours_per_day(self):
        for calendar in self:
            if not 0 < calendar.hours_per_day <= 24:
                raise ValidationError(_(
                    "A working day has more than 0 and at most 24 hours "
                    "(%(hours)s given).") % {"hours": calendar.hours_per_day})

    @api.model
    def create(self, vals):
        calendar = super().create(vals)
        calendar._apply_thursday_mode()
        return calendar

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        if "thursday_mode" in vals:
            self._apply_thursday_mode()
        return result

    def _apply_thursday_mode(self):
        """Thursday's working hours follow the Thursday setting."""
        for calendar in self.filtered("thursday_mode"):
            thursday = calendar.attendance_ids.filtered(
                lambda a: a.dayofweek == THURSDAY)
            if calendar.thursday_mode == "off":
                thursday.unlink()
            elif calendar.thursday_mode == "half":
                thursday.unlink()
                self.env["resource.calendar.attendance"].create({
                    "name": _("Thursday morning"), "calendar_id": calendar.id,
                    "dayofweek": THURSDAY, "hour_from": 8.0, "hour_to": 12.0})

    # ------------------------------------------------------------------
    # working time, in naive UTC datetimes as the ORM stores them
    # ------------------------------------------------------------------
    def _in_tz(self, since):
        """The calendar in its timezone, with its holidays from `since` on:
        Odoo 11 searches the leaves again for every day it walks
        (_get_leave_intervals), a query per day of every deadline."""
        since = as_datetime(since)
        after = fields.Datetime.to_string(since - datetime.timedelta(days=1))
        return self.with_context(
            tz=self.tz or "Asia/Tehran",
            clearance_leaves_since=fields.Datetime.to_string(since),
            clearance_leaves=tuple(
                leave for leave in self._holidays() if leave[1] >= after))

    @tools.ormcache("self.id")
    def _holidays(self):
        """The calendar's holidays (its leaves of no resource), as tuples
        (date_from, date_to, tz, id), read once per server process until a
        leave changes: every step's clock reads them."""
        # sudo: the holidays are the same whoever's action starts a clock.
        leaves = self.env["resource.calendar.leaves"].sudo().search_read([
            ("calendar_id", "=", self.id), ("resource_id", "=", False)],
            ["date_from", "date_to", "tz"], order="date_from, id")
        return tuple(
            (leave["date_from"], leave["date_to"], leave["tz"], leave["id"])
            for leave in leaves)

    def _prepared(self, since):
        """This calendar ready to count from `since`: as it is when _in_tz
        prepared it already (for an earlier moment), else prepared now."""
        cached_since = self.env.context.get("clearance_leaves_since")
        if cached_since and \
                cached_since <= fields.Datetime.to_string(as_datetime(since)):
            return self
        return self._in_tz(since)

    @api.multi
    def _get_leave_intervals(self, resource_id=None, start_datetime=None,
                             end_datetime=None):
        """Odoo's leave intervals, from the holidays _in_tz read."""
        cached = self.env.context.get("clearance_leaves")
        if cached is None or resource_id:
            return super()._get_leave_intervals(
                resource_id=resource_id, start_datetime=start_datetime,
                end_datetime=end_datetime)
        self.ensure_one()
        Leaves = self.env["resource.calendar.leaves"]
        intervals = []
        for date_from, date_to, tz_name, leave_id in cached:
            start = to_tz(fields.Datetime.from_string(date_from), tz_name)
            end = to_tz(fields.Datetime.from_string(date_to), tz_name)
            if start_datetime and end < start_datetime:
                continue
            if end_datetime and start > end_datetime:
                continue
            intervals.append(self._interval_new(
                start, end, {"leaves": Leaves.browse(leave_id)}))
        return intervals

    @api.multi
    def clearance_plan(self, start, hours):
        """The moment `hours` working hours after `start` (naive UTC),
        holidays excluded, in the calendar's timezone.

        Odoo's plan_hours, except for one case: when the hours end exactly
        with a working day, plan_hours schedules a last empty interval at the
        start of the next working day and answers that; the end of the day
        is the right answer (a 2-day target from Saturday 8:00 is due on
        Sunday at 16:00, not on Monday at 8:00)."""
        self.ensure_one()
        start = as_datetime(start)
        if float_compare(hours, 0.0, precision_digits=2) <= 0:
            return fields.Datetime.to_string(start)
        intervals = [
            interval for interval in self._prepared(start)._schedule_hours(
                hours, start, compute_leaves=True)
            if interval[1] > interval[0]]
        return fields.Datetime.to_string(intervals[-1][1]) if intervals \
            else False

    @api.multi
    def clearance_work_hours(self, start, end):
        """Working hours between two naive UTC moments, holidays excluded.

        Odoo 11's get_work_hours_count misses the last day whenever `end`
        is earlier in its day than `start` (its daily rrule starts at the
        time of `start`), so the days are walked here, each through Odoo's
        own _get_day_work_intervals."""
        self.ensure_one()
        start = as_datetime(start)
        end = as_datetime(end)
        if not start or not end or end <= start:
            return 0.0
        calendar = self._prepared(start)
        tz = pytz.timezone(calendar.env.context["tz"])
        local_start = pytz.utc.localize(start).astimezone(tz).replace(tzinfo=None)
        local_end = pytz.utc.localize(end).astimezone(tz).replace(tzinfo=None)
        weekdays = set(calendar._get_weekdays())
        total = 0.0
        day = local_start.date()
        while day <= local_end.date():
            if day.weekday() in weekdays:
                start_time = (local_start.time() if day == local_start.date()
                              else datetime.time.min)
                end_time = (local_end.time() if day == local_end.date()
                            else datetime.time.max)
                for interval in calendar._get_day_work_intervals(
                        day, start_time=start_time, end_time=end_time,
                        compute_leaves=True):
                    total += (interval[1] - interval[0]).total_seconds() / 3600.0
            day += datetime.timedelta(days=1)
        return total


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    # The calendars' holidays are cached (ResourceCalendar._holidays): a
    # change of a leave empties the cache, in every server process. Once the
    # change is made: a refused one (a user without the right) empties
    # nothing.
    @api.model
    def create(self, vals):
        leave = super().create(vals)
        self.clear_caches()
        return leave

    @api.multi
    def write(self, vals):
        result = super().write(vals)
        self.clear_caches()
        return result

    @api.multi
    def unlink(self):
        result = super().unlink()
        self.clear_caches()
        return result

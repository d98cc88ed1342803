import datetime

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import UserError

from ..models.clearance_request import REASONS, STATES
from ..models.clearance_stage import STAGE_KINDS
from ..tools import jalali

# The steps still at their office, and those of them waiting for the student
# (an in-person visit asked, or returned for a correction).
OPEN_STEP_STATES = ("current", "hold", "returned")
HOLD_STEP_STATES = ("hold", "returned")
# The longest period the summary covers: ten years of weeks.
MAX_PERIOD_DAYS = 3660
# The period the summary shows when the manager has not chosen one: the
# last four weeks, today included.
DEFAULT_PERIOD_DAYS = 28
# The summary's days at the office are counted in hundredths of a day.
DAY_PARTS = 100


def _percentile(histogram, fraction):
    """The percentile of (value, count) pairs as PostgreSQL's
    percentile_cont gives it on the values one by one: interpolated between
    the two values around fraction * (count - 1); in days. None without
    values."""
    if not histogram:
        return None
    histogram = sorted(histogram)
    position = fraction * (sum(count for _value, count in histogram) - 1)
    low = int(position)

    def value_at(index):
        for value, count in histogram:
            if index < count:
                return value
            index -= count
        return histogram[-1][0]

    below = value_at(low)
    above = value_at(low + 1) if position > low else below
    return (below + (position - low) * (above - below)) / DAY_PARTS


class ClearanceStepReport(models.Model):
    """Each office's steps with the time they spent there, for the managers'
    ageing dashboards: a view over the steps, measured in days."""

    _name = "clearance.step.report"
    _description = "Clearance office ageing"
    _auto = False
    _rec_name = "request_id"
    _order = "date_start desc, id desc"

    request_id = fields.Many2one(
        "clearance.request", string="Request", readonly=True)
    stage_id = fields.Many2one(
        "clearance.stage", string="Stage", readonly=True)
    office_id = fields.Many2one("res.groups", string="Office", readonly=True)
    kind = fields.Selection(STAGE_KINDS, string="Form", readonly=True)
    state = fields.Selection([
        ("current", "At this office"),
        ("hold", "Waiting for the student's visit"),
        ("returned", "Returned to student"),
        ("done", "Cleared"),
        ("cancelled", "Cancelled"),
    ], string="Step status", readonly=True)
    request_state = fields.Selection(
        STATES, string="Request status", readonly=True)
    reason = fields.Selection(REASONS, readonly=True)
    student_shift = fields.Selection(
        [("day", "Day programme"), ("second", "Second shift (evening)")],
        string="Programme shift", readonly=True)
    officer_id = fields.Many2one("res.users", string="Officer", readonly=True)
    date_start = fields.Datetime(string="Reached", readonly=True)
    date_done = fields.Datetime(string="Cleared on", readonly=True)
    date_due = fields.Datetime(string="Due", readonly=True)
    days = fields.Float(
        string="Days at the office", readonly=True, digits=(16, 1),
        group_operator="avg",
        help="From the day the request reached the office to the day the "
             "office cleared it; for a step still open, up to now.")
    days_overdue = fields.Float(
        readonly=True, digits=(16, 1),
        group_operator="avg",
        help="How long the office has been past the step's due date (while "
             "the step waits for the office), or was past it when it cleared "
             "the step.")
    open_count = fields.Integer(
        string="Backlog", readonly=True,
        help="Steps at the office now, waiting for it or for the student.")
    hold_count = fields.Integer(
        string="Holds", readonly=True,
        help="Steps waiting for the student: an in-person visit asked, or "
             "returned for a correction.")
    overdue_count = fields.Integer(
        string="Overdue", readonly=True,
        help="Steps waiting for the office past their due date. The clock "
             "stops while the request waits for the student.")
    done_count = fields.Integer(string="Cleared steps", readonly=True)

    @api.model_cr
    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # Everything is measured against the database's clock in UTC, as
        # the steps' dates are stored.
        self.env.cr.execute("""
            CREATE VIEW clearance_step_report AS (
                SELECT line.id AS id,
                       line.request_id AS request_id,
                       line.stage_id AS stage_id,
                       line.group_id AS office_id,
                       line.kind AS kind,
                       line.state AS state,
                       request.state AS request_state,
                       request.reason AS reason,
                       request.student_shift AS student_shift,
                       line.officer_id AS officer_id,
                       line.date_start AS date_start,
                       line.date_done AS date_done,
                       line.date_due AS date_due,
                       EXTRACT(EPOCH FROM (CASE
                           WHEN line.state = 'done' THEN line.date_done
                           WHEN line.state IN %(open)s
                               THEN now() AT TIME ZONE 'UTC'
                       END) - line.date_start) / 86400.0 AS days,
                       GREATEST(EXTRACT(EPOCH FROM (CASE
                           WHEN line.state = 'done' THEN line.date_done
                           WHEN line.state = 'current'
                               THEN now() AT TIME ZONE 'UTC'
                       END) - line.date_due) / 86400.0, 0) AS days_overdue,
                       (line.state IN %(open)s)::integer AS open_count,
                       (line.state IN %(hold)s)::integer AS hold_count,
                       (line.state = 'current'
                        AND line.date_due < now() AT TIME ZONE 'UTC')::integer
                           AS overdue_count,
                       (line.state = 'done')::integer AS done_count
                FROM clearance_request_line line
                -- every step has its request: a left join, which the
                -- database leaves out of the queries that read no column
                -- of the request (the summary's)
                LEFT JOIN clearance_request request
                    ON request.id = line.request_id
                WHERE line.kind != 'create' AND line.date_start IS NOT NULL
            )""", {"open": OPEN_STEP_STATES, "hold": HOLD_STEP_STATES})
        # The summary reads the steps at each office and those cleared in a
        # period: each through its own index, whatever the number of
        # requests.
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_request_line_open_idx
            ON clearance_request_line (stage_id)
            WHERE state IN ('current', 'hold', 'returned')
        """)
        self.env.cr.execute("""
            CREATE INDEX IF NOT EXISTS clearance_request_line_done_idx
            ON clearance_request_line (date_done, stage_id)
            WHERE state = 'done'
        """)

    # ------------------------------------------------------------------
    # the summary page
    # ------------------------------------------------------------------
    @api.model
    def _period_bounds(self, date_from, date_to):
        """The period [date_from, date_to] (days in the user's time zone,
        both included) as UTC datetimes [start, stop), or a clear refusal."""
        try:
            first = fields.Date.from_string(date_from)
            last = fields.Date.from_string(date_to)
        except (TypeError, ValueError):
            first = last = None
        if not first or not last:
            raise UserError(_(
                "Choose the first and the last day of the period."))
        if last < first:
            raise UserError(_(
                "The period cannot end (%(last)s) before it starts "
                "(%(first)s).") % {"last": date_to, "first": date_from})
        if (last - first).days >= MAX_PERIOD_DAYS:
            raise UserError(_(
                "Choose a period of at most %(days)s days.")
                % {"days": MAX_PERIOD_DAYS})
        tz = pytz.timezone(
            self.env.context.get("tz") or self.env.user.tz or "Asia/Tehran")

        def utc(day):
            moment = tz.localize(datetime.datetime.combine(day, datetime.time()))
            return moment.astimezone(pytz.utc).replace(tzinfo=None)

        return (utc(first), utc(last + datetime.timedelta(days=1)),
                (last - first).days + 1)

    @api.model
    def office_summary(self, date_from, date_to):
        """Per office: the backlog, holds and overdue steps now; the median
        and 90th percentile of the days its steps took (to a hundredth of a
        day), and the steps it
        cleared per week, over the steps it cleared in the period (steps
        still open are left out of those: they are the backlog).

        One query on the view, under the user's access rights and record
        rules, whatever the number of requests."""
        self.check_access_rights("read")
        start, stop, days = self._period_bounds(date_from, date_to)
        query = self._where_calc([])
        self._apply_ir_rules(query, "read")
        from_clause, where_clause, where_params = query.get_sql()
        params = [DAY_PARTS, OPEN_STEP_STATES, HOLD_STEP_STATES] + \
            where_params + [OPEN_STEP_STATES, start, stop]
        # The cleared steps are counted by their days in hundredths of a day
        # (about a quarter of an hour): the database hashes them into a few
        # groups per office instead of sorting every step of the period for
        # the percentiles (at 100k requests, 0.4 s instead of 0.9 s).
        # The FROM and WHERE clauses are the ORM's own (the view's table and
        # the record rules' conditions); every value is a parameter.
        self.env.cr.execute(  # pylint: disable=sql-injection
            """
            SELECT stage_id,
                   CASE WHEN state = 'done' THEN round(days * %s)::integer END,
                   count(*) FILTER (WHERE state IN %s),
                   count(*) FILTER (WHERE state IN %s),
                   count(*) FILTER (WHERE overdue_count = 1),
                   count(*) FILTER (WHERE state = 'done')
            FROM """ + from_clause + """
            WHERE (""" + (where_clause or "TRUE") + """)
              AND (state IN %s
                   OR (state = 'done' AND date_done >= %s AND date_done < %s))
            GROUP BY 1, 2
        """, params)
        counts = {}
        histograms = {}
        for stage_id, parts, backlog, holds, overdue, cleared \
                in self.env.cr.fetchall():
            total = counts.setdefault(stage_id, [0, 0, 0, 0])
            for index, value in enumerate((backlog, holds, overdue, cleared)):
                total[index] += value
            if parts is not None:
                histograms.setdefault(stage_id, []).append((parts, cleared))
        figures = {
            stage_id: tuple(total) + tuple(
                _percentile(histograms.get(stage_id), fraction)
                for fraction in (0.5, 0.9))
            for stage_id, total in counts.items()}
        stages = self.env["clearance.stage"].with_context(
            active_test=False).search([
                "&", ("kind", "!=", "create"),
                "|", ("active", "=", True), ("id", "in", list(figures))])
        weeks = days / 7.0
        offices = []
        for stage in stages:
            backlog, holds, overdue, cleared, median, p90 = figures.get(
                stage.id, (0, 0, 0, 0, None, None))
            # no step cleared in the period: no figure (False over RPC)
            offices.append({
                "stage_id": stage.id,
                "stage": stage.name,
                "office": stage.group_id.name,
                "backlog": backlog,
                "holds": holds,
                "overdue": overdue,
                "cleared": cleared,
                "median_days": median if median is not None else False,
                "p90_days": p90 if p90 is not None else False,
                "cleared_per_week": cleared / weeks,
            })
        return {"date_from": date_from, "date_to": date_to, "days": days,
                "offices": offices}

    @api.model
    def render_summary(self, date_from=None, date_to=None):
        """The summary page's table of offices (HTML) for the period, by
        default the last four weeks; numbers and dates as the reader writes
        them (Persian digits and Jalali dates in Persian)."""
        if not date_to:
            date_to = fields.Date.context_today(self)
        if not date_from and isinstance(date_to, str) and len(date_to) == 10:
            try:
                date_from = fields.Date.to_string(
                    fields.Date.from_string(date_to)
                    - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1))
            except ValueError:
                date_from = None
        summary = self.office_summary(date_from, date_to)
        lang = self.env.lang or self.env.user.lang
        persian = jalali.is_persian(lang)

        def number(value, digits=0):
            if value is False or value is None:
                return "\u2013"
            text = "%.*f" % (digits, value)
            if persian:
                return jalali.persian_digits(text.replace(".", "\u066b"))
            return text

        def date(value):
            return self.env["clearance.request"].format_date(value, lang=lang)

        offices = [dict(
            office,
            backlog_text=number(office["backlog"]),
            holds_text=number(office["holds"]),
            overdue_text=number(office["overdue"]),
            cleared_text=number(office["cleared"]),
            median_text=number(office["median_days"], 1),
            p90_text=number(office["p90_days"], 1),
            per_week_text=number(office["cleared_per_week"], 1),
        ) for office in summary["offices"]]
        values = {
            "offices": offices,
            "title": _("Offices from %(first)s to %(last)s (%(days)s days)") % {
                "first": date(summary["date_from"]),
                "last": date(summary["date_to"]),
                "days": number(summary["days"])},
            "totals": {
                key: number(sum(office[key] for office in summary["offices"]))
                for key in ("backlog", "holds", "overdue", "cleared")},
        }
        return self.env["ir.ui.view"].render_template(
            "clearance_request.dashboard_summary", values)

"""The managers' ageing dashboard: each office's backlog, holds, overdue
steps, median and 90th-percentile days and steps cleared per week, against
figures computed by hand; and who may read them."""
import collections
import importlib.util
import os
import random
import xmlrpc.client

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import common as odoo_tests
from odoo.tests.common import HttpCase

from ..report.clearance_step_report import _percentile
from .common import (
    ClearanceCase, PortalRpcMixin, make_officer, make_student)

REPORT = "clearance.step.report"
# The period of the hand-computed figures: four weeks of January 2026 in
# Tehran (UTC+03:30), i.e. from 2026-01-02 20:30 to 2026-01-30 20:30 UTC.
PERIOD = ("2026-01-03", "2026-01-30")
FAR_FUTURE = "2099-01-01 00:00:00"


def url(path):
    # read at call time: the test session sets the port after collection
    return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)


def set_dates(request, office_stage, **dates):
    """Write the dates of a request's step at a stage, as the steps of
    weeks ago would have them."""
    line = request.sudo().line_ids.filtered(
        lambda l: l.stage_id == office_stage)
    assert len(line) == 1, line
    columns = sorted(dates)
    request.env.cr.execute(
        "UPDATE clearance_request_line SET %s WHERE id = %%s" % ", ".join(
            "%s = %%s" % column for column in columns),
        [dates[column] for column in columns] + [line.id])
    request.env.cache.invalidate()
    return line


class DashboardCase(ClearanceCase):
    """A few requests whose steps took known times: see the table in
    setUpClass."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager.tz = "Asia/Tehran"
        # The demo requests would add to the backlog: out of the way.
        demo = cls.Request.search([("state", "in", ("progress", "hold", "returned"))])
        demo.sudo(cls.manager).action_cancel()
        # the case's helpers, on the class's users
        case = cls.__new__(cls)
        dept, kharazmi, shirazi = (case.stages[key] for key in (
            "department", "library_kharazmi", "library_shirazi"))
        students = [make_student(case.env, "9400000%d" % n, "Student %d" % n)
                    for n in range(1, 9)]
        r = {}
        for n, student in enumerate(students, 1):
            r[n] = case.new_request(student)
        # where each request is now
        case.advance_to(r[1], "library_shirazi")
        case.advance_to(r[2], "library_kharazmi").sudo(
            case.officers["library_kharazmi"]).hold_for_visit("Bring the books.")
        case.advance_to(r[3], "library_kharazmi")
        case.advance_to(r[4], "library_kharazmi").sudo(
            case.officers["library_kharazmi"]).return_to_student("Wrong reason.")
        case.advance_to(r[5], "library_kharazmi")
        case.advance_to(r[7], "library_shirazi")
        case.advance_to(r[8], "library_kharazmi").sudo(students[7]).action_cancel()
        # the dates of their steps (UTC)
        set_dates(r[1], dept, date_start="2026-01-05 08:00:00",
                  date_done="2026-01-06 08:00:00")                 # 1 day
        set_dates(r[1], kharazmi, date_start="2026-01-06 08:00:00",
                  date_done="2026-01-06 20:00:00")                 # 0.5 day
        set_dates(r[1], shirazi, date_start="2026-01-06 20:00:00",
                  date_due="2026-01-10 00:00:00")                  # overdue
        case.late_line = set_dates(
            r[2], dept, date_start="2026-01-10 06:00:00",
            date_done="2026-01-12 06:00:00",                       # 2 days
            date_due="2026-01-11 06:00:00")                        # 1 day late
        set_dates(r[2], kharazmi, date_start="2026-01-12 06:00:00",
                  date_due="2026-01-13 00:00:00")  # held: the clock stops
        set_dates(r[3], dept, date_start="2026-01-10 00:00:00",
                  date_done="2026-01-13 00:00:00")                 # 3 days
        set_dates(r[3], kharazmi, date_start="2026-01-13 00:00:00",
                  date_due="2026-01-14 00:00:00")                  # overdue
        set_dates(r[4], dept, date_start="2026-01-01 00:00:00",
                  date_done="2026-01-11 00:00:00")                 # 10 days
        set_dates(r[4], kharazmi, date_start="2026-01-11 00:00:00",
                  date_due="2026-01-12 00:00:00")  # returned: not overdue
        set_dates(r[5], dept, date_start="2025-12-01 00:00:00",
                  date_done="2025-12-20 00:00:00")  # 19 days, in December
        set_dates(r[5], kharazmi, date_start="2025-12-20 00:00:00",
                  date_due=FAR_FUTURE)
        set_dates(r[6], dept, date_start="2026-01-20 00:00:00",
                  date_due="2026-01-21 00:00:00")                  # overdue
        # on the period's edges: 3 January 00:30 in Tehran is in it, 31
        # January 00:30 is not
        set_dates(r[7], dept, date_start="2026-01-01 21:00:00",
                  date_done="2026-01-02 21:00:00")                 # 1 day
        set_dates(r[7], kharazmi, date_start="2026-01-02 21:00:00",
                  date_done="2026-01-30 21:00:00")  # 28 days, after the period
        set_dates(r[7], shirazi, date_start="2026-01-30 21:00:00")
        cls.requests = r
        cls.late_line = case.late_line

    def summary(self, period=PERIOD, user=None):
        result = self.env[REPORT].sudo(user or self.manager).office_summary(*period)
        return {office["stage_id"]: office for office in result["offices"]}, result

    def figures(self, office, period=PERIOD):
        row = self.summary(period)[0][self.stages[office].id]
        return {key: (round(row[key], 4) if isinstance(row[key], float) else row[key])
                for key in ("backlog", "holds", "overdue", "cleared",
                            "median_days", "p90_days", "cleared_per_week")}


class TestDashboardFigures(DashboardCase):

    def test_department(self):
        # cleared in the period: 1, 2, 3, 10 and 1 days; sorted 1 1 2 3 10:
        # median 2; 90th percentile at 0.9 * 4 = 3.6: 3 + 0.6 * (10 - 3)
        self.assertEqual(self.figures("department"), {
            "backlog": 1, "holds": 0, "overdue": 1, "cleared": 5,
            "median_days": 2.0, "p90_days": 7.2, "cleared_per_week": 1.25})

    def test_kharazmi_library(self):
        # at the office: a hold, a return, two waiting for it (one overdue);
        # cleared in the period: one step of half a day
        self.assertEqual(self.figures("library_kharazmi"), {
            "backlog": 4, "holds": 2, "overdue": 1, "cleared": 1,
            "median_days": 0.5, "p90_days": 0.5, "cleared_per_week": 0.25})

    def test_shirazi_library_and_the_others(self):
        self.assertEqual(self.figures("library_shirazi"), {
            "backlog": 2, "holds": 0, "overdue": 1, "cleared": 0,
            "median_days": False, "p90_days": False, "cleared_per_week": 0.0})
        rows, result = self.summary()
        self.assertEqual(result["days"], 28)
        stages = self.env["clearance.stage"].search([("kind", "!=", "create")])
        self.assertEqual(list(rows), stages.ids, "every office, in stage order")
        for stage in stages - self.stages["department"] - self.stages[
                "library_kharazmi"] - self.stages["library_shirazi"]:
            self.assertEqual(
                (rows[stage.id]["backlog"], rows[stage.id]["cleared"]), (0, 0))

    def test_another_period(self):
        december = ("2025-12-01", "2025-12-31")
        figures = self.figures("department", december)
        self.assertEqual(figures["cleared"], 1)
        self.assertEqual((figures["median_days"], figures["p90_days"]), (19.0, 19.0))
        self.assertEqual(figures["cleared_per_week"], round(1 / (31 / 7), 4))
        # the backlog is that of now, whatever the period
        self.assertEqual((figures["backlog"], figures["overdue"]), (1, 1))
        # a period of one day: 3 January in Tehran holds the step cleared
        # at 00:30 that day, and only that one
        self.assertEqual(self.figures(
            "department", ("2026-01-03", "2026-01-03"))["cleared"], 1)
        self.assertEqual(self.figures(
            "library_kharazmi", ("2026-01-31", "2026-01-31"))["median_days"], 28.0)

    def test_percentiles_are_postgresqls(self):
        """The summary's percentiles, from counts of days in hundredths, are
        those PostgreSQL's percentile_cont gives on the days one by one."""
        rng = random.Random(11)
        for size in (1, 2, 3, 7, 10, 101):
            days = [rng.randrange(0, 3000) / 100.0 for _i in range(size)]
            days += days[:size // 3]  # the same day count more than once
            histogram = collections.Counter(
                int(round(value * 100)) for value in days)
            self.env.cr.execute(
                "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
                "(ORDER BY d) FROM unnest(%s::float8[]) d", [days])
            expected = self.env.cr.fetchone()[0]
            ours = [_percentile(list(histogram.items()), fraction)
                    for fraction in (0.5, 0.9)]
            for theirs, mine in zip(expected, ours):
                self.assertAlmostEqual(mine, theirs, places=9, msg=days)
        self.assertIsNone(_percentile([], 0.5))

    def test_bad_periods_are_refused(self):
        Report = self.env[REPORT].sudo(self.manager)
        for period, message in (
                (("2026-01-30", "2026-01-03"), "cannot end"),
                (("", "2026-01-03"), "first and the last day"),
                (("2026-13-45", "2026-01-03"), "first and the last day"),
                ((None, None), "first and the last day"),
                (("2000-01-01", "2026-01-03"), "at most 3660 days")):
            with self.assertRaises(UserError, msg=period) as caught:
                Report.office_summary(*period)
            self.assertIn(message, caught.exception.name)

    def test_graph_and_pivot_measures_in_days(self):
        Report = self.env[REPORT].sudo(self.manager)
        done_in_period = [("state", "=", "done"),
                          ("date_done", ">=", "2026-01-02 20:30:00"),
                          ("date_done", "<", "2026-01-30 20:30:00")]
        groups = {g["stage_id"][0]: g for g in Report.read_group(
            done_in_period, ["stage_id", "days", "done_count"], ["stage_id"])}
        department = groups[self.stages["department"].id]
        # the average days (1 + 2 + 3 + 10 + 1) / 5, the count of steps
        self.assertAlmostEqual(department["days"], 3.4)
        self.assertEqual(department["done_count"], 5)
        self.assertAlmostEqual(groups[self.stages["library_kharazmi"].id]["days"], 0.5)
        now = {g["stage_id"][0]: g for g in Report.read_group(
            [], ["stage_id", "open_count", "hold_count", "overdue_count"],
            ["stage_id"])}
        kharazmi = now[self.stages["library_kharazmi"].id]
        self.assertEqual((kharazmi["open_count"], kharazmi["hold_count"],
                          kharazmi["overdue_count"]), (4, 2, 1))
        # a step cleared a day after its due date is a day overdue
        late = Report.browse(self.late_line.id)
        self.assertAlmostEqual(late.days_overdue, 1.0)
        self.assertAlmostEqual(late.days, 2.0)
        # cleared per week, as the weekly graph groups them (Monday first)
        weeks = Report.with_context(tz="UTC").read_group(
            done_in_period + [("stage_id", "=", self.stages["department"].id)],
            ["date_done"], ["date_done:week"], lazy=False)
        self.assertEqual([w["__count"] for w in weeks], [1, 2, 2])

    def test_export_through_the_list(self):
        Report = self.env[REPORT].sudo(self.manager)
        records = Report.search([("request_id", "=", self.requests[3].id)])
        rows = records.export_data(
            ["stage_id/id", "state", "date_start", "date_done", "days"])["datas"]
        self.assertIn(["clearance_request.stage_department", "Cleared",
                       "2026-01-10 00:00:00", "2026-01-13 00:00:00", "3.0"],
                      [[str(v) for v in row] for row in rows])


class TestDashboardAccess(DashboardCase):

    def test_officers_and_students_cannot_read_it(self):
        student = self.requests[1].partner_id.user_ids
        for user in (self.officers["department"], self.employee, student):
            Report = self.env[REPORT].sudo(user)
            with self.assertRaises(AccessError, msg=user.login):
                Report.office_summary(*PERIOD)
            with self.assertRaises(AccessError, msg=user.login):
                Report.search_read([], ["days"])
            with self.assertRaises(AccessError, msg=user.login):
                Report.read_group([], ["days"], ["stage_id"])

    def test_the_managers_access_is_what_lets_them_read(self):
        self.assertTrue(self.summary()[0])
        self.env.ref("clearance_request.access_clearance_step_report_manager").unlink()
        with self.assertRaises(AccessError):
            self.summary()
        with self.assertRaises(AccessError):
            self.env[REPORT].sudo(self.manager).search_read([], ["days"])

    def test_menu_for_managers_only(self):
        menu = self.env.ref("clearance_request.clearance_menu_reporting")
        for user, visible in ((self.manager, True),
                              (self.officers["department"], False)):
            ids = self.env["ir.ui.menu"].sudo(user)._visible_menu_ids()
            self.assertEqual(menu.id in ids, visible, user.login)


class TestDashboardOverHttp(PortalRpcMixin, HttpCase):
    """The summary page and the report over HTTP and XML-RPC, as each user,
    on the test process's server (which works in the registry's test
    cursor: the data are built there)."""

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        self.manager = make_officer(
            self.env, "t.dash.manager", "clearance_request.group_clearance_manager")
        self.officer = make_officer(
            self.env, "t.dash.officer", "clearance_request.group_office_department")
        self.student = make_student(self.env, "94000101", "Dashboard Student")
        request = self.env["clearance.request"].sudo(self.student).create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        self.request = request

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def keep(self):
        """A failed request rolls the test cursor back to its last commit;
        this cursor's commit only moves a savepoint inside the test."""
        self.registry.test_cr.commit()

    def page(self, user, **params):
        self.keep()
        if user:
            self.authenticate(user.login, user.login)
        return self.opener.get(url("/clearance/dashboard/summary"),
                               params=params, timeout=60)

    def execute_as(self, user, method, *args):
        self.keep()
        return xmlrpc.client.ServerProxy(url("/xmlrpc/2/object")).execute_kw(
            self.env.cr.dbname, user.id, user.login, REPORT, method, list(args))

    def test_summary_page_for_the_manager_only(self):
        response = self.page(self.manager, date_from="2026-01-01",
                             date_to="2026-12-31")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Median days", response.text)
        department = self.env.ref("clearance_request.stage_department")
        backlog = self.env["clearance.request.line"].search_count([
            ("stage_id", "=", department.id),
            ("state", "in", ("current", "hold", "returned"))])
        self.assertGreaterEqual(backlog, 1)
        self.assertRegex(
            response.text, r'data-stage-id="%d">[\s\S]*?o_clearance_backlog">%d<'
            % (department.id, backlog))
        for user in (self.officer, self.student):
            response = self.page(user, date_from="2026-01-01", date_to="2026-12-31")
            self.assertEqual(response.status_code, 403, user.login)
            self.assertNotIn("Median days", response.text)
        self.opener.cookies.clear()
        response = self.page(None)
        self.assertIn("/web/login", response.url)

    def test_summary_page_defaults_and_bad_period(self):
        response = self.page(self.manager)
        self.assertEqual(response.status_code, 200)
        self.assertIn("(28 days)", response.text)
        response = self.page(self.manager, date_from="2026-02-01", date_to="2026-01-01")
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot end", response.text)

    def test_summary_page_in_persian(self):
        self.manager.lang = "fa_IR"
        response = self.page(self.manager, date_from="2026-01-03", date_to="2026-01-30")
        self.assertEqual(response.status_code, 200)
        self.assertIn("میانه روزها", response.text)
        self.assertIn("۱۴۰۴/۱۰/۱۳", response.text)  # 3 January 2026
        self.assertIn("(۲۸ روز)", response.text)
        self.assertIn("۰٫۰", response.text)  # Persian decimal separator

    def test_report_over_xmlrpc(self):
        rows = self.execute_as(self.manager, "search_read",
                               [("request_id", "=", self.request.id)], ["stage_id", "state"])
        self.assertEqual([r["state"] for r in rows], ["current"])
        summary = self.execute_as(self.manager, "office_summary", "2026-01-01", "2026-12-31")
        self.assertTrue(summary["offices"])
        self.allow_portal_rpc(REPORT, "search_read", "office_summary")
        for user in (self.officer, self.student):
            for method, args in (("search_read", ([], ["days"])),
                                 ("office_summary", ("2026-01-01", "2026-12-31"))):
                with self.assertRaises(xmlrpc.client.Fault, msg=(user.login, method)) as caught:
                    self.execute_as(user, method, *args)
                self.assertIn("not allowed to access", caught.exception.faultString)
                self.assertIn(REPORT, caught.exception.faultString)


class TestDashboardBenchmark(ClearanceCase):
    """The benchmark's measure of the summary page (benchmarks/dashboard.py)
    on this small database, in its own transactions as the demo manager."""

    def test_bench_dashboard(self):
        path = os.path.join(os.environ.get("CLEARANCE_ROOT", os.getcwd()),
                            "benchmarks", "dashboard.py")
        spec = importlib.util.spec_from_file_location("dashboard", path)
        dashboard = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(dashboard)
        manager = self.env.ref("clearance_request.user_manager_demo")
        result = dashboard.bench_dashboard(self.registry, manager.id, runs=3)
        self.assertEqual(set(result), {"queries", "seconds"})
        # the access check, SET LOCAL, the figures, the stages (names
        # and offices) and the template
        self.assertLessEqual(result["queries"], 10)
        self.assertGreater(result["queries"], 0)
        self.assertGreater(result["seconds"], 0)

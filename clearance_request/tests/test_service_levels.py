"""Service levels: deadlines in Iranian working days, the clock stopping
while the student is waited for, the daily digest and the escalation, and
the expected dates on the student's tracker."""
import contextlib
import datetime
from unittest import mock

import lxml.html

from odoo import fields
from odoo.exceptions import AccessError, ValidationError


from ..models.clearance_request import transition
from .common import ClearanceCase, make_officer, make_student
from .test_portal import PortalCase

TEHRAN = datetime.timedelta(hours=3, minutes=30)


def utc(tehran):
    """The stored (UTC) form of a moment in Tehran, 'YYYY-MM-DD HH:MM'."""
    moment = datetime.datetime.strptime(tehran, "%Y-%m-%d %H:%M") - TEHRAN
    return fields.Datetime.to_string(moment)


@contextlib.contextmanager
def at(tehran):
    """Run the workflow as if it were this moment in Tehran."""
    with mock.patch.object(fields.Datetime, "now", return_value=utc(tehran)):
        yield


class SlaCase(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env.ref(
            "clearance_request.resource_calendar_iranian_week")
        cls.head = make_officer(
            cls.env, "t.head.department",
            "clearance_request.group_office_department")
        cls.stages["department"].write({
            "sla_days": 2, "sla_escalate_days": 4,
            "head_user_id": cls.head.id})
        cls.stages["library_kharazmi"].write({
            "sla_days": 2, "sla_escalate_days": 4})

    def submit(self, tehran, student=None):
        with at(tehran):
            return self.new_request(student)

    def line(self, request, office):
        return request.line_ids.filtered(
            lambda l: l.stage_id == self.stages[office])

    def run_cron(self, tehran):
        with at(tehran):
            self.env["clearance.request.line"]._cron_service_levels()
        self.env.cache.invalidate()


class TestWorkingCalendar(SlaCase):

    def test_due_date_across_a_friday(self):
        # Wednesday 12 Azar 1405, 10:00: 6 hours on Wednesday, Thursday's
        # morning (4), Friday off, 6 hours on Saturday.
        request = self.submit("2026-12-02 10:00")
        self.assertEqual(self.line(request, "department").date_due,
                         utc("2026-12-05 14:00"))

    def test_a_holiday_added_or_moved_counts_at_once(self):
        # The holidays are read once per server process (ormcache): the
        # deadline before them fills that cache, and a holiday added or
        # moved by a manager must empty it.
        request = self.submit("2026-12-02 10:00")
        self.assertEqual(self.line(request, "department").date_due,
                         utc("2026-12-05 14:00"))
        leave = self.env["resource.calendar.leaves"].sudo(self.manager).create({
            "name": "Unofficial day off", "calendar_id": self.calendar.id,
            "date_from": utc("2026-12-05 00:00"),
            "date_to": utc("2026-12-05 23:59"), "tz": "Asia/Tehran"})
        request.sudo(self.student_day).action_cancel()
        # Saturday off: Wednesday (6), Thursday (4), Sunday until 14:00.
        other = self.submit("2026-12-02 10:00", self.student_other)
        self.assertEqual(self.line(other, "department").date_due,
                         utc("2026-12-06 14:00"))
        leave.write({"date_from": utc("2026-12-06 00:00"),
                     "date_to": utc("2026-12-06 23:59")})
        other.sudo(self.student_other).action_cancel()
        # the day off moved to Sunday: due on Saturday again
        again = self.submit("2026-12-02 10:00")
        self.assertEqual(self.line(again, "department").date_due,
                         utc("2026-12-05 14:00"))

    def holidays_cached(self):
        return any(key[0] == "resource.calendar"
                   and getattr(key[1], "__name__", "") == "_holidays"
                   for key in list(self.registry.cache.d))

    def test_a_refused_change_of_a_holiday_keeps_the_cache(self):
        # Emptying every cache of every server process is the manager's
        # change's consequence, not a refused caller's.
        self.submit("2026-12-02 10:00")
        self.assertTrue(self.holidays_cached())
        nowruz = self.env.ref(
            "clearance_request.resource_calendar_leave_1406_01_01")
        officer = self.officers["department"]
        Leaves = self.env["resource.calendar.leaves"]
        for attempt in (
                lambda: Leaves.sudo(officer).create({
                    "name": "Mine", "calendar_id": self.calendar.id,
                    "date_from": utc("2026-12-05 00:00"),
                    "date_to": utc("2026-12-05 23:59")}),
                lambda: nowruz.sudo(officer).write({"name": "Mine"}),
                lambda: nowruz.sudo(officer).unlink()):
            with self.assertRaises(AccessError), self.cr.savepoint():
                attempt()
            self.assertTrue(self.holidays_cached())

    def test_thursday_off_is_a_managers_setting(self):
        with self.assertRaises(AccessError):
            self.calendar.sudo(self.officers["department"]).write(
                {"thursday_mode": "off"})
        self.calendar.sudo(self.manager).write({"thursday_mode": "off"})
        # Wednesday (6), Saturday (8), Sunday until 10:00.
        request = self.submit("2026-12-02 10:00")
        self.assertEqual(self.line(request, "department").date_due,
                         utc("2026-12-06 10:00"))

    def test_due_date_across_a_holiday(self):
        # Wednesday 2 Dey 1405 (the birth of Imam Ali) is a holiday:
        # Tuesday (6), Thursday (4), Saturday until 14:00.
        request = self.submit("2026-12-22 10:00")
        self.assertEqual(self.line(request, "department").date_due,
                         utc("2026-12-26 14:00"))

    def test_due_date_across_the_nowruz_break(self):
        # Wednesday 26 Esfand 1405, a 7-day target: Wednesday (6), Thursday
        # (4), 29 Esfand and 1-4 Farvardin 1406 off, Thursday 5 Farvardin
        # (4), Saturday to Wednesday 7-11 Farvardin (8 each, 40), 12 and 13
        # Farvardin off: Saturday 14 Farvardin at 10:00.
        self.stages["department"].write({
            "sla_days": 7, "sla_escalate_days": 14})
        request = self.submit("2027-03-17 10:00")
        self.assertEqual(self.line(request, "department").date_due,
                         utc("2027-04-03 10:00"))
        # Without the holidays of 12 and 13 Farvardin it would be due on
        # Thursday 12 Farvardin: the manager's holidays count.
        self.env.ref(
            "clearance_request.resource_calendar_leave_1406_01_12"
        ).sudo(self.manager).unlink()
        request.sudo(self.student_day).action_cancel()
        other = self.submit("2027-03-17 10:00", self.student_other)
        self.assertEqual(self.line(other, "department").date_due,
                         utc("2027-04-01 10:00"))

    def test_holidays_are_changed_by_managers_only(self):
        Leaves = self.env["resource.calendar.leaves"]
        vals = {"name": "Unofficial day off", "calendar_id": self.calendar.id,
                "date_from": utc("2026-12-09 00:00"),
                "date_to": utc("2026-12-09 23:59"), "tz": "Asia/Tehran"}
        with self.assertRaises(AccessError):
            Leaves.sudo(self.officers["department"]).create(vals)
        nowruz = self.env.ref(
            "clearance_request.resource_calendar_leave_1406_01_01")
        with self.assertRaises(AccessError):
            nowruz.sudo(self.officers["department"]).unlink()
        # everyone reads them
        self.assertEqual(nowruz.sudo(self.officers["department"]).name,
                         nowruz.name)
        leave = Leaves.sudo(self.manager).create(vals)
        self.assertTrue(leave.exists())

    def test_bad_targets_are_refused(self):
        stage = self.stages["department"].sudo(self.manager)
        for vals in ({"sla_days": 5, "sla_escalate_days": 3},
                     {"sla_days": -1},
                     {"head_user_id": self.student_day.id},
                     {"head_user_id": self.employee.id}):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                stage.write(vals)
        with self.assertRaises(AccessError), self.cr.savepoint():
            self.stages["department"].sudo(
                self.officers["department"]).write({"sla_days": 30})
        stage.invalidate_cache()
        self.assertEqual(
            (stage.sla_days, stage.sla_escalate_days, stage.head_user_id),
            (2, 4, self.head))


class TestClock(SlaCase):

    def test_clock_stops_while_returned(self):
        # Saturday 14 Azar 08:00: due on Sunday at 16:00.
        request = self.submit("2026-12-05 08:00")
        line = self.line(request, "department")
        self.assertEqual(line.date_due, utc("2026-12-06 16:00"))
        with at("2026-12-05 12:00"):
            request.sudo(self.officers["department"]).return_to_student(
                "The faculty is missing.")
        self.assertEqual(line.date_paused, utc("2026-12-05 12:00"))
        # Not overdue while the student has it, even past the due date.
        self.run_cron("2026-12-07 10:00")
        self.assertFalse(line.sudo(self.officers["department"]).sla_level)
        with at("2026-12-07 12:00"):
            request.sudo(self.student_day).resubmit()
        # 16 working hours waited (Saturday 4, Sunday 8, Monday 4): due on
        # Tuesday at 16:00.
        self.assertEqual(line.wait_hours, 16.0)
        self.assertFalse(line.date_paused)
        self.assertEqual(line.date_due, utc("2026-12-08 16:00"))
        self.assertEqual(line.date_escalate, utc("2026-12-12 12:00"))

    def test_clock_stops_during_a_hold_and_a_return(self):
        request = self.submit("2026-12-05 08:00")
        with at("2026-12-05 08:00"):
            self.forward(request)
        line = self.line(request, "library_kharazmi")
        self.assertEqual(line.date_due, utc("2026-12-06 16:00"))
        with at("2026-12-05 10:00"):
            request.sudo(self.officers["library_kharazmi"]).hold_for_visit(
                "Bring the borrowed books.")
        self.assertEqual(line.date_paused, utc("2026-12-05 10:00"))
        self.run_cron("2026-12-08 09:00")
        self.assertFalse(
            line.sudo(self.officers["library_kharazmi"]).sla_level,
            "no breach while the office waits for the student's visit")
        with at("2026-12-08 09:00"):
            request.sudo(self.officers["library_kharazmi"]).return_to_student(
                "Bring the library card too.")
        with at("2026-12-08 12:00"):
            request.sudo(self.student_day).resubmit()
        # Waited from Saturday 10:00 to Tuesday 12:00: 6 + 8 + 8 + 4 = 26
        # working hours; due Sunday 16:00 + 26 h = Thursday 10:00.
        self.assertEqual(line.wait_hours, 26.0)
        self.assertEqual(line.date_due, utc("2026-12-10 10:00"))
        with at("2026-12-08 14:00"):
            request.sudo(self.officers["library_kharazmi"]).write(
                {"cur_visit_required": False})
            self.forward(request)
        # At the office: Saturday 8:00-10:00 and Tuesday 12:00-14:00.
        self.assertAlmostEqual(line.days_taken, 0.5)


class TestRemindersAndEscalation(SlaCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.department2 = make_officer(
            cls.env, "t.officer.department2",
            "clearance_request.group_office_department")
        cls.student_4 = make_student(cls.env, "91000004", "Fourth Student")

    def digests(self):
        return self.env["mail.mail"].search([
            ("subject", "like", "Overdue clearance requests at")])

    def test_one_digest_per_officer_with_the_offices_requests(self):
        first = self.submit("2026-12-05 08:00")
        second = self.submit("2026-12-05 08:30", self.student_other)
        third = self.submit("2026-12-05 08:00", self.student_4)
        with at("2026-12-05 08:30"):
            self.forward(third)   # at the Kharazmi library since 08:30
        fresh = self.submit("2026-12-07 08:00", self.student_second)
        self.run_cron("2026-12-07 09:00")
        mails = self.digests()
        by_partner = {}
        for mail in mails:
            for partner in mail.recipient_ids:
                by_partner.setdefault(partner, []).append(mail)
        department = (self.officers["department"] | self.department2
                      | self.head)
        for officer in department:
            self.assertEqual(len(by_partner.get(officer.partner_id, [])), 1,
                             "one digest for %s" % officer.login)
            body = by_partner[officer.partner_id][0].body_html
            self.assertIn(first.name, body)
            self.assertIn(second.name, body)
            self.assertNotIn(third.name, body)
            self.assertNotIn(fresh.name, body)
        kharazmi = by_partner[self.officers["library_kharazmi"].partner_id]
        self.assertEqual(len(kharazmi), 1)
        self.assertIn(third.name, kharazmi[0].body_html)
        self.assertNotIn(first.name, kharazmi[0].body_html)
        # No late request at the welfare office: no digest; none to students.
        self.assertNotIn(self.officers["welfare"].partner_id, by_partner)
        self.assertNotIn(self.student_day.partner_id, by_partner)

        # The breach is on the step and once in the history, not daily.
        line = self.line(first, "department").sudo(self.officers["department"])
        self.assertEqual(line.sla_level, "overdue")
        self.assertEqual(line.date_reminded, utc("2026-12-07 09:00"))
        overdue = self.env.ref("clearance_request.mt_request_overdue")
        self.assertEqual(len(first.message_ids.filtered(
            lambda m: m.subtype_id == overdue)), 1)
        self.run_cron("2026-12-08 09:00")
        self.assertEqual(len(first.message_ids.filtered(
            lambda m: m.subtype_id == overdue)), 1)
        self.assertEqual(line.date_reminded, utc("2026-12-07 09:00"))

    def test_steps_without_a_due_date_get_one(self):
        # Requests at an office before the service levels existed.
        current = self.submit("2026-12-05 08:00")
        returned = self.submit("2026-12-05 08:00", self.student_other)
        with at("2026-12-05 09:00"):
            returned.sudo(self.officers["department"]).return_to_student(
                "The faculty is missing.")
        lines = self.line(current, "department") | self.line(
            returned, "department")
        # as before the service levels: the workflow's own way past its guard
        transition(lines).sudo().write(
            {"date_due": False, "date_escalate": False, "date_paused": False})
        self.run_cron("2026-12-06 10:00")
        first, second = self.line(current, "department"), self.line(
            returned, "department")
        self.assertEqual(first.date_due, utc("2026-12-06 16:00"))
        self.assertFalse(first.date_paused)
        self.assertEqual(second.date_due, utc("2026-12-06 16:00"))
        self.assertEqual(second.date_paused, utc("2026-12-06 10:00"))

    def test_escalation_after_the_second_limit(self):
        request = self.submit("2026-12-05 08:00")
        line = self.line(request, "department")
        # due Sunday 16:00, escalated after Tuesday 16:00
        self.assertEqual(line.date_escalate, utc("2026-12-08 16:00"))
        escalated = self.env.ref("clearance_request.mt_request_escalated")

        def head_todos():
            return self.env["mail.activity"].search([
                ("res_model", "=", "clearance.request"),
                ("res_id", "=", request.id), ("user_id", "=", self.head.id),
                ("summary", "like", "Escalated")])

        def head_mails():
            return self.env["mail.mail"].search([
                ("recipient_ids", "in", self.head.partner_id.ids),
                ("subject", "like", "%s: late at" % request.name)])

        self.run_cron("2026-12-08 15:00")
        self.assertEqual(line.sudo(self.head).sla_level, "overdue")
        self.assertFalse(head_todos())
        self.assertFalse(head_mails())
        self.run_cron("2026-12-09 09:00")
        self.assertEqual(line.sudo(self.head).sla_level, "escalated")
        self.assertEqual(line.sudo(self.head).date_escalated,
                         utc("2026-12-09 09:00"))
        self.assertEqual(len(head_todos()), 1)
        self.assertEqual(len(head_mails()), 1)
        self.assertIn(request.name, head_mails().body_html)
        self.assertEqual(len(request.message_ids.filtered(
            lambda m: m.subtype_id == escalated)), 1)
        # the next day: nothing repeated
        self.run_cron("2026-12-10 09:00")
        self.assertEqual(len(head_todos()), 1)
        self.assertEqual(len(head_mails()), 1)
        self.assertEqual(len(request.message_ids.filtered(
            lambda m: m.subtype_id == escalated)), 1)

        # The student never sees the head's to-do nor the breach.
        student = self.student_day
        with self.assertRaises(AccessError):
            self.env["mail.activity"].sudo(student).search(
                [("res_id", "=", request.id)])
        with self.assertRaises(AccessError):
            line.sudo(student).read(["sla_level"])
        with self.assertRaises(AccessError):
            line.sudo(student).read(["date_escalated"])
        self.assertFalse(self.env["mail.message"].sudo(student).search([
            ("model", "=", "clearance.request"), ("res_id", "=", request.id),
            ("subtype_id", "=", escalated.id)]))
        # An officer of an office the request never reached cannot read the
        # step, its breach included.
        with self.assertRaises(AccessError):
            line.sudo(self.officers["counselling"]).read(["sla_level"])
        with self.assertRaises(AccessError):
            line.sudo(self.officers["counselling"]).read(["date_due"])


class TestExpectedDate(PortalCase):

    def test_the_students_expected_date_moves_with_the_request(self):
        student = make_student(self.env, "93000199", "Tracker Student",
                               lang="fa_IR", tz="Asia/Tehran")
        with at("2026-12-05 08:00"):
            record = self.new_request(student)
        kharazmi = self.env.ref("clearance_request.stage_library_kharazmi")
        department = self.env.ref("clearance_request.stage_department")
        self.login(student)

        # The department is due Sunday 15 Azar, the Kharazmi library two
        # working days later: Tuesday 17 Azar.
        with at("2026-12-05 09:00"):
            page = self.tracker(record)
        self.assertEqual(self._expected(page, department), "۱۴۰۵/۰۹/۱۵")
        self.assertEqual(self._expected(page, kharazmi), "۱۴۰۵/۰۹/۱۷")
        # The department clears the student late, on Tuesday 09:00: the
        # library is now expected on Thursday 19 Azar.
        with at("2026-12-08 09:00"):
            self.forward(record)
            page = self.tracker(record)
        self.assertIsNone(self._expected(page, department))
        self.assertEqual(self._expected(page, kharazmi), "۱۴۰۵/۰۹/۱۹")

    def test_expected_dates_cost_the_same_queries_for_3_or_11_offices(self):
        stages = self.env["clearance.stage"].search([])
        kept = stages[:3]
        (stages - kept).write({"active": False})
        short = self.forward(self.new_request())
        (stages - kept).write({"active": True})
        self.other.partner_id.student_shift = "second"
        long_ = self.forward(self.new_request(self.other))
        self.assertEqual((len(short.line_ids), len(long_.line_ids)), (3, 11))
        counts = []
        for student, record in ((self.student, short), (self.other, long_)):
            self.login(student)
            url = "/my/clearance/%d" % record.id
            for _i in range(2):  # the first pages of a session fill caches
                self.open(url)
            before = self.cr.sql_log_count
            page = self.open(url)
            counts.append(self.cr.sql_log_count - before)
            self.assertIn("o_clearance_step_expected", page.text)
        self.assertEqual(counts[0], counts[1], "tracker queries: %d for 3 "
                         "offices, %d for 11" % tuple(counts))

    def _expected(self, page, stage):
        """The expected date shown on the tracker for a stage, or None."""
        tree = lxml.html.fromstring(page.text)
        name = stage.with_context(lang="fa_IR").name
        for item in tree.xpath(
                "//li[contains(@class, 'o_clearance_step ')]"):
            title = item.xpath(
                ".//*[contains(@class, 'o_clearance_step_name')]")
            if title[0].text_content().strip() != name:
                continue
            found = item.xpath(
                ".//*[contains(@class, 'o_clearance_step_expected')]")
            if not found:
                return None
            return found[0].text_content().split()[-1]
        self.fail("no step %s on the tracker" % name)

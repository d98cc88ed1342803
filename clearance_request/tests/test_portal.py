import json
import re

from odoo.tests import common as odoo_tests

from ..models.clearance_request import transition
from .common import HttpCursorCase, fill_form, make_officer, make_student

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE_CSRF_RE = re.compile(r'csrf_token: "([^"]+)"')


class PortalCase(HttpCursorCase):
    """Students in the portal, served by the test process's HTTP server."""

    def setUp(self):
        super().setUp()
        self.Request = self.env["clearance.request"]
        self.make_people("portal", "930001", ("Portal Student", "Other Student"))

    # helpers -----------------------------------------------------------
    def open(self, url, data=None, redirects=True, headers=None):
        self.keep()
        method = self.opener.post if data is not None else self.opener.get
        response = method(self.url(url), data=data, timeout=30,
                          allow_redirects=redirects, headers=headers)
        self.env.cache.invalidate()
        return response

    def json_call(self, url, **params):
        self.keep()
        response = self.opener.post(self.url(url), timeout=30, json={
            "jsonrpc": "2.0", "method": "call", "params": params})
        self.env.cache.invalidate()
        return response.json()

    @staticmethod
    def url(path):
        # the port is read at call time: the test session sets it late
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def login(self, user):
        self.authenticate(user.login, user.login)

    def csrf(self, response):
        match = CSRF_RE.search(response.text) or PAGE_CSRF_RE.search(
            response.text)
        self.assertTrue(match, "the page carries a CSRF token")
        return match.group(1)

    def new_request(self, student=None, reason="withdrawal"):
        student = student or self.student
        record = self.Request.sudo(student).create({
            "partner_id": student.partner_id.id, "reason": reason})
        record.action_submit()
        return record.sudo()

    def forward(self, record):
        """Send the request on as a manager acting for the current office."""
        record = record.sudo()
        fill_form(record).action_forward()
        record.invalidate_cache()
        return record

    def past_requests(self, count):
        """A student's history of cancelled requests, written directly (in
        the workflow's transition, the one way past its guard)."""
        department = self.env.ref("clearance_request.stage_department")
        Request = transition(self.Request)
        return self.Request.concat(*[Request.create({
            "partner_id": self.student.partner_id.id, "reason": "withdrawal",
            "state": "cancelled", "stage_id": department.id,
            "submit_date": "2026-03-%02d 08:00:00" % (day % 28 + 1),
        }) for day in range(count)])

    def tracker(self, record):
        response = self.open("/my/clearance/%d" % record.id)
        self.assertEqual(response.status_code, 200)
        return response

    def returned_request(self, student=None):
        record = self.new_request(student)
        record.sudo(self.department).return_to_student(
            "Your faculty is missing from the file.")
        record.invalidate_cache()
        self.assertEqual(record.state, "returned")
        return record


class TestPortalPages(PortalCase):

    def test_home_and_list_show_the_students_own_requests(self):
        old = self.new_request(reason="expulsion")
        old.sudo(self.student).action_cancel()
        current = self.new_request()
        foreign = self.new_request(self.other)
        self.login(self.student)
        response = self.open("/my")
        self.assertEqual(response.status_code, 200)
        entry = re.search(
            r'o_clearance_home">\s*<span class="badge">(\d+)</span>\s*'
            r'<a href="/my/clearance">Clearance requests</a>', response.text)
        self.assertTrue(entry, "the /my page links the clearance requests")
        self.assertEqual(int(entry.group(1)), 2)

        response = self.open("/my/clearance")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("table-responsive", page)
        for record in (old, current):
            self.assertIn('href="/my/clearance/%d"' % record.id, page)
            self.assertIn(record.name, page)
        self.assertNotIn(foreign.name, page)
        self.assertNotIn("/my/clearance/%d" % foreign.id, page)
        for text in ("Expulsion", "Withdrawal", "Cancelled", "In progress",
                     current.stage_id.name):
            self.assertIn(text, page)
        self.assertLess(page.index(current.name), page.index(old.name),
                        "newest first")
        self.assertEqual(self.Request.search_count(
            [("partner_id", "=", self.student.partner_id.id)]), 2)
        self.assertEqual((old.state, current.state), ("cancelled", "progress"))

    def test_list_pages_cost_the_same_queries_for_1_or_20_requests(self):
        first = self.past_requests(1)
        self.login(self.student)
        one = self.count_queries("/my/clearance")
        history = first | self.past_requests(20)
        twenty = self.count_queries("/my/clearance")
        self.assertEqual(one, twenty, "list queries: %d for 1 request, %d "
                         "for 20" % (one, twenty))
        page = self.open("/my/clearance").text
        self.assertEqual(page.count('<tr>'), 20)
        self.assertIn('href="/my/clearance/page/2"', page)
        self.assertNotIn('/my/clearance/%d"' % history[0].id, page)
        page = self.open("/my/clearance/page/2").text
        self.assertEqual(page.count('<tr>'), 1)
        self.assertIn('/my/clearance/%d"' % history[0].id, page)
        self.assertEqual(len(history), 21)

    def test_tracker_costs_the_same_queries_for_3_or_11_offices(self):
        stages = self.env["clearance.stage"].search([])
        kept = stages[:3]
        (stages - kept).write({"active": False})
        short = self.forward(self.new_request())
        short.sudo(self.student).action_cancel()
        (stages - kept).write({"active": True})
        self.student.partner_id.student_shift = "second"
        long_ = self.forward(self.new_request())
        long_.sudo(self.student).action_cancel()
        self.assertEqual((len(short.line_ids), len(long_.line_ids)), (3, 11))
        self.login(self.student)
        short_count = self.count_queries("/my/clearance/%d" % short.id)
        long_count = self.count_queries("/my/clearance/%d" % long_.id)
        self.assertEqual(short_count, long_count, "tracker queries: %d for 3 "
                         "offices, %d for 11" % (short_count, long_count))

    def count_queries(self, url):
        for _i in range(2):  # the first pages of a session fill caches
            self.open(url)
        before = self.cr.sql_log_count
        response = self.open(url)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - before

    def test_persian_pages_read_right_to_left(self):
        record = self.new_request()
        self.login(self.student)
        html = re.search(r"<html[^>]*>", self.tracker(record).text).group(0)
        self.assertIn('dir="ltr"', html)
        self.assertIn('lang="en-US"', html)

        self.student.lang = "fa_IR"
        # the page language follows the user, unless the browser chose one
        del self.opener.cookies["frontend_lang"]
        self.assertEqual(self.env["res.lang"]._lang_get("fa_IR").direction,
                         "rtl")
        self.login(self.student)
        response = self.tracker(record)
        html = re.search(r"<html[^>]*>", response.text).group(0)
        self.assertIn('dir="rtl"', html)
        self.assertIn('lang="fa-IR"', html)
        # the page shows the day in the student's time zone
        submitted = record.sudo(self.student).format_date(
            record.submit_date, lang="fa_IR")
        self.assertTrue(submitted.startswith("۱۴"))
        self.assertIn(submitted, response.text)
        # the stylesheet that mirrors the pages is compiled into the bundle
        bundle = re.search(r'href="(/web/content/[^"]*assets_frontend[^"]*'
                           r'\.css)"', response.text).group(1)
        css = self.open(bundle).text
        self.assertIn('html[dir="rtl"] .o_clearance_portal th', css)
        self.assertEqual(self.student.lang, "fa_IR")


class TestPortalNewRequest(PortalCase):

    def test_student_creates_and_submits_a_request(self):
        self.student.partner_id.write({
            "student_faculty": "Faculty of E-Learning",
            "student_dormitory": True, "student_degree": "master"})
        self.login(self.student)
        response = self.open("/my/clearance/new")
        self.assertEqual(response.status_code, 200)
        for text in ("93000101", "Faculty of E-Learning", "Day programme",
                     "Master", "Expulsion", "Withdrawal", "Non-registration",
                     'value="non_registration"', "o_clearance_new_form"):
            self.assertIn(text, response.text)
        token = self.csrf(response)
        response = self.open("/my/clearance/new", data={
            "csrf_token": token, "reason": "non_registration"})
        record = self.Request.search(
            [("partner_id", "=", self.student.partner_id.id)])
        self.assertEqual(len(record), 1)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my/clearance/%d" % record.id))
        self.assertIn(record.name, response.text)
        self.assertEqual(record.create_uid, self.student)
        self.assertEqual(record.reason, "non_registration")
        self.assertEqual(record.state, "progress")
        self.assertEqual(
            record.stage_id,
            self.env.ref("clearance_request.stage_department"))

        # a second open request is refused, on the form and on a post
        response = self.open("/my/clearance/new")
        self.assertIn("o_clearance_open", response.text)
        self.assertNotIn("o_clearance_new_form", response.text)
        response = self.open("/my/clearance/new", data={
            "csrf_token": token, "reason": "expulsion"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("You already have an open clearance request, %s"
                      % record.name, response.text)
        self.assertEqual(self.Request.search_count(
            [("partner_id", "=", self.student.partner_id.id)]), 1)

    def test_refused_requests_create_nothing(self):
        self.login(self.student)
        token = self.csrf(self.open("/my/clearance/new"))
        for data in ({}, {"reason": ""}, {"reason": "graduation"}):
            data["csrf_token"] = token
            response = self.open("/my/clearance/new", data=data)
            self.assertEqual(response.status_code, 200)
            self.assertIn("Choose the reason for your clearance request.",
                          response.text)
            self.assertIn("o_clearance_new_form", response.text)
        response = self.open("/my/clearance/new", data={
            "reason": "withdrawal"})
        self.assertEqual(response.status_code, 400, "no CSRF token")
        self.assertFalse(self.Request.search(
            [("partner_id", "=", self.student.partner_id.id)]))

        portal_user = make_student(
            self.env, "93000109", "Not A Student", lang="en_US")
        portal_user.partner_id.student_number = False
        self.login(portal_user)
        response = self.open("/my/clearance/new")
        self.assertNotIn("o_clearance_new_form", response.text)
        response = self.open("/my/clearance/new", data={
            "csrf_token": self.csrf(response), "reason": "withdrawal"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your account has no student number", response.text)
        self.assertFalse(self.Request.search(
            [("partner_id", "=", portal_user.partner_id.id)]))


class TestPortalTracker(PortalCase):

    def test_tracker_and_cancel(self):
        record = self.forward(self.new_request())
        self.login(self.student)
        response = self.tracker(record)
        page = response.text
        lines = record.line_ids
        self.assertEqual(len(lines), 10)
        positions = [page.index(line.stage_id.name) for line in lines]
        self.assertEqual(positions, sorted(positions), "offices in order")
        steps = re.findall(r"o_clearance_step o_clearance_step_(\w+)\"", page)
        self.assertEqual(steps, lines.mapped("state"))
        self.assertEqual(steps[:4], ["done", "done", "current", "waiting"])
        department = lines.filtered(lambda l: l.kind == "card")
        # the day in the student's time zone
        self.assertIn("Done on %s" % record.sudo(self.student).format_date(
            department.date_done, lang="en_US"), page)
        self.assertIn("At this office now", page)
        self.assertNotIn("o_clearance_certificate", page)
        self.assertIn('data-res_model="clearance.request"', page)
        self.assertIn('data-res_id="%d"' % record.id, page)
        self.assertIn("o_clearance_cancel_form", page)

        token = self.csrf(response)
        response = self.open("/my/clearance/%d/cancel" % record.id,
                             data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my/clearance/%d" % record.id))
        self.assertIn("This request was cancelled.", response.text)
        self.assertNotIn("o_clearance_cancel_form", response.text)
        self.assertEqual(record.state, "cancelled")
        self.assertEqual(record.current_line_id.state, "cancelled")
        # pressing again: a message, not an error page
        response = self.open("/my/clearance/%d/cancel" % record.id,
                             data={"csrf_token": token})
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_clearance_error", response.text)
        self.assertIn("nothing more can be done", response.text)
        self.assertEqual(record.state, "cancelled")

    def test_hold_shows_the_visit_instructions(self):
        record = self.forward(self.new_request())
        record.sudo(self.kharazmi).hold_for_visit(
            "Bring back the two books on loan to the front desk.")
        self.login(self.student)
        page = self.tracker(record).text
        self.assertIn("o_clearance_hold", page)
        self.assertIn("Bring back the two books on loan to the front desk.",
                      page)
        self.assertIn("Your in-person visit is required at: %s"
                      % record.stage_id.name, page)
        self.assertIn("Waiting for your visit", page)
        self.assertEqual(record.state, "hold")
        listing = self.open("/my/clearance").text
        self.assertIn("In-person visit required", listing)
        self.assertIn(record.stage_id.name, listing)

    def test_student_resubmits_a_returned_request(self):
        record = self.returned_request()
        stage = record.stage_id
        self.login(self.student)
        response = self.tracker(record)
        self.assertIn("Your faculty is missing from the file.", response.text)
        self.assertIn("o_clearance_resubmit_form", response.text)
        self.assertIn('name="note"', response.text)
        token = self.csrf(response)
        # an invalid reason is refused by the model and shown
        response = self.open("/my/clearance/%d/resubmit" % record.id, data={
            "csrf_token": token, "reason": "graduation", "note": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Choose one of the listed reasons.", response.text)
        self.assertEqual(record.state, "returned")
        self.assertFalse(record.student_note)
        response = self.open("/my/clearance/%d/resubmit" % record.id, data={
            "csrf_token": token, "reason": "expulsion",
            "note": "  My faculty is E-Learning.  "})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("/my/clearance/%d" % record.id))
        self.assertNotIn("o_clearance_resubmit_form", response.text)
        self.assertEqual(record.state, "progress")
        self.assertEqual(record.reason, "expulsion")
        self.assertEqual(record.student_note, "My faculty is E-Learning.")
        self.assertEqual(record.stage_id, stage)
        # only a returned request can be sent again
        response = self.open("/my/clearance/%d/resubmit" % record.id, data={
            "csrf_token": token, "reason": "withdrawal"})
        self.assertIn("Only a returned request can be sent again.",
                      response.text)
        self.assertEqual(record.reason, "expulsion")

    def test_cleared_request_offers_the_certificate(self):
        record = self.new_request()
        while record.state == "progress":
            self.forward(record)
        self.assertEqual(record.state, "cleared")
        self.login(self.student)
        page = self.tracker(record).text
        self.assertIn('href="/my/clearance/%d/certificate"' % record.id, page)
        self.assertIn("Download the clearance certificate", page)
        self.assertNotIn("o_clearance_cancel_form", page)
        self.assertEqual(set(re.findall(
            r"o_clearance_step o_clearance_step_(\w+)\"", page)), {"done"})


class TestPortalAccess(PortalCase):

    def test_other_students_request_is_not_found(self):
        victim = self.returned_request(self.other)
        office_words = "Your card is missing."
        victim.sudo(self.department).message_post(
            body=office_words, message_type="comment",
            subtype="mail.mt_comment")
        self.new_request()
        self.login(self.student)
        token = self.csrf(self.open("/my/clearance"))
        missing = self.Request.search([], order="id desc", limit=1).id + 1000
        for request_id in (victim.id, missing):
            response = self.open("/my/clearance/%d" % request_id)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(victim.name, response.text)
            self.assertNotIn("Your faculty is missing", response.text)
        for action, data in (("cancel", {}),
                             ("resubmit", {"reason": "expulsion"})):
            data["csrf_token"] = token
            response = self.open("/my/clearance/%d/%s" % (victim.id, action),
                                 data=data)
            self.assertEqual(response.status_code, 404, action)
            self.assertNotIn(victim.name, response.text)
        self.assertNotIn(victim.name, self.open("/my/clearance").text)
        # nor through the chatter
        count = len(victim.message_ids)
        response = self.open("/mail/chatter_post", data={
            "csrf_token": token, "res_model": "clearance.request",
            "res_id": victim.id, "message": "Hello"}, headers={
                "Referer": self.url("/my")})
        self.assertEqual(response.status_code, 404)
        response = self.json_call(
            "/mail/chatter_init", res_model="clearance.request",
            res_id=victim.id, allow_composer=True)
        self.assertEqual(response["error"]["code"], 404)
        self.assertNotIn(office_words, json.dumps(response))
        self.assertEqual(len(victim.message_ids), count)
        self.assertTrue(victim.message_ids.filtered(
            lambda m: office_words in m.body))
        self.assertEqual((victim.state, victim.reason),
                         ("returned", "withdrawal"))

    def test_anonymous_visitors_go_to_login(self):
        record = self.new_request()
        for url in ("/my/clearance", "/my/clearance/new",
                    "/my/clearance/%d" % record.id):
            response = self.open(url, redirects=False)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/web/login", response.headers["Location"], url)
        response = self.open("/my/clearance/%d/cancel" % record.id, data={},
                             redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(record.state, "progress")
        # an employee outside the clearance offices keeps a working /my
        employee = make_officer(self.env, "t.portal.employee")
        self.assertFalse(self.Request.sudo(employee).check_access_rights(
            "read", raise_exception=False))
        self.login(employee)
        response = self.open("/my")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("o_clearance_home", response.text)

    def test_student_message_reaches_the_office(self):
        record = self.new_request()
        note = "Internal: check the card"
        record.sudo(self.department).message_post(
            body=note, message_type="comment", subtype="mail.mt_note")
        self.login(self.student)
        url = "/my/clearance/%d" % record.id
        token = self.csrf(self.open(url))
        response = self.open("/mail/chatter_post", data={
            "csrf_token": token, "res_model": "clearance.request",
            "res_id": record.id,
            "message": "I will bring my card on Monday."}, headers={
                "Referer": self.url(url)})
        self.assertEqual(response.status_code, 200)
        self.assertIn(record.name, response.text)
        message = record.message_ids.filtered(
            lambda m: "I will bring my card on Monday." in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.student.partner_id)
        # the office reads it in the backend chatter
        seen = self.env["mail.message"].sudo(self.department).search([
            ("model", "=", "clearance.request"), ("res_id", "=", record.id)])
        self.assertIn(message, seen)
        # the student's portal chatter shows it, not the office's notes
        result = self.json_call(
            "/mail/chatter_init", res_model="clearance.request",
            res_id=record.id, allow_composer=True)
        self.assertNotIn("error", result)
        bodies = " ".join(m["body"] for m in result["result"]["messages"])
        self.assertIn("I will bring my card on Monday.", bodies)
        self.assertNotIn(note, bodies)
        self.assertTrue(result["result"]["options"]["display_composer"])

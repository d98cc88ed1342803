"""End to end in real Chromium: a student and the eleven offices, in Persian."""
import time

from .browser import BrowserCase
from .harness import DEMO_OFFICER_LOGINS


class TestBrowserEndToEnd(BrowserCase):

    def setUp(self):
        super().setUp()
        self.student = self.env.ref("clearance_request.user_student_9821004_demo")
        self.assertEqual(self.student.lang, "fa_IR")
        # read once: the server's threads share this cursor's records later
        self.student_login = self.student.login
        self.stage_office = {
            self.env.ref("clearance_request.stage_%s" % key): key
            for key in DEMO_OFFICER_LOGINS}

    def request_of_student(self):
        return self.on_server(lambda: self.env["clearance.request"].search(
            [("partner_id", "=", self.student.partner_id.id)]))

    def wait_for(self, request, predicate, message):
        self.browser.wait(lambda: self.on_server(lambda: predicate(request)), 30, message)

    def officer_acts(self, request, office, hold_first=False):
        browser = self.browser
        browser.login(DEMO_OFFICER_LOGINS[office], "demo")
        # a full page load, not a change of the address's fragment
        browser.get("/web?clearance=%d#model=clearance.request&id=%d&view_type=form"
                    % (request.id, request.id))
        browser.find(".o_form_button_edit").click()
        kind = self.on_server(lambda: request.current_line_id.kind)
        if kind == "card":
            browser.find("div[name=cur_card_received] input").click()
        elif kind in ("debt", "installments"):
            browser.driver.execute_script(
                "var s = document.querySelector('select[name=cur_debt_status]');"
                "s.value = JSON.stringify('none');"
                "s.dispatchEvent(new Event('change', {bubbles: true}));")
        if hold_first:
            browser.find("div[name=cur_visit_required] input").click()
            browser.find("textarea[name=cur_visit_instructions]").send_keys(
                "کارت کتابخانه را همراه بیاورید.")
            self.assertEqual(browser.direction(), "rtl")
            browser.screenshot("fa_officer_form")
            browser.find("button.o_clearance_hold").click()
            self.wait_for(request, lambda r: r.state == "hold",
                          "the hold did not reach the database")
            return
        stage = self.on_server(lambda: request.stage_id)
        browser.find("button.o_clearance_forward").click()
        self.wait_for(request, lambda r: r.stage_id != stage or r.state == "cleared",
                      "%s could not forward" % office)

    def test_student_and_every_office_in_persian(self):
        browser = self.browser
        # The student creates the request in the portal.
        browser.login(self.student_login, "demo")
        browser.get("/my/clearance/new")
        self.assertEqual(browser.direction(), "rtl")
        browser.find("input[name=reason][value=withdrawal]").click()
        browser.screenshot("fa_portal_new")
        browser.find("form.o_clearance_new_form button[type=submit]").click()
        browser.wait(lambda: self.request_of_student(), 30,
                     "the request was not created")
        request = self.request_of_student()
        self.assertEqual(self.on_server(lambda: (request.state, request.reason)),
                         ("progress", "withdrawal"))
        browser.wait(lambda: "/my/clearance/%d" % request.id in browser.driver.current_url)

        # Every office acts; the Kharazmi library holds first.
        visited = []
        while self.on_server(lambda: request.state) != "cleared":
            office, state = self.on_server(
                lambda: (self.stage_office[request.stage_id], request.state))
            if office == "library_kharazmi" and state == "progress":
                self.officer_acts(request, office, hold_first=True)
                browser.login(self.student_login, "demo")
                browser.get("/my/clearance/%d" % request.id)
                body = browser.text()
                self.assertIn("کارت کتابخانه را همراه بیاورید.", body)
                self.assertEqual(browser.direction(), "rtl")
                browser.screenshot("fa_portal_tracker_hold")
                continue
            visited.append(office)
            self.officer_acts(request, office)
        self.assertEqual(visited, list(DEMO_OFFICER_LOGINS))
        lines = self.on_server(lambda: [
            (line.state, line.officer_id.login, self.stage_office[line.stage_id],
             request.with_context(lang="fa_IR", tz=request.partner_id.tz)
             .format_date(line.date_done))
            for line in request.line_ids if line.kind != "create"])
        for state, login, office, _date in lines:
            self.assertEqual((state, login), ("done", DEMO_OFFICER_LOGINS[office]))

        # The student sees every step and the cleared state.
        browser.login(self.student_login, "demo")
        browser.get("/my/clearance")
        self.assertEqual(browser.direction(), "rtl")
        self.assertIn(self.on_server(lambda: request.name), browser.text())
        browser.screenshot("fa_portal_list")
        browser.get("/my/clearance/%d" % request.id)
        body = browser.text()
        for _state, _login, _office, date in lines:
            self.assertIn(date, body)
        browser.find("a[href='/my/clearance/%d/certificate']" % request.id)
        browser.screenshot("fa_portal_tracker_cleared")
        # at phone width the tracker still fits the screen
        browser.driver.set_window_size(390, 844)
        time.sleep(0.5)
        width = browser.driver.execute_script(
            "return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 400)
        browser.screenshot("fa_portal_tracker_phone")

"""The managers' office dashboard in real Chromium, in Persian: the summary
page and the ageing graph, right to left (artifacts/dashboard-fa.png)."""
import datetime
import os

from PIL import Image

from odoo import fields
from odoo.tests.common import HttpCase

from .browser import ARTIFACTS, Browser
from odoo.addons.clearance_request.tests.common import make_student


class TestDashboardBrowser(HttpCase):

    def setUp(self):
        super().setUp()
        # The HTTP server works in the registry's test cursor: the data the
        # browser shows are built there.
        self.env = self.env(cr=self.registry.test_cr)
        self.manager = self.env.ref("clearance_request.user_manager_demo")
        self.assertEqual(self.manager.lang, "fa_IR")
        self.history()
        self.registry.test_cr.commit()
        # read now: once the browser is there, the server's threads share
        # this cursor
        self.dashboard_action = self.env.ref(
            "clearance_request.clearance_dashboard_action").id
        self.ageing_action = self.env.ref(
            "clearance_request.clearance_step_report_action").id
        self.department = self.env.ref("clearance_request.stage_department").id
        self.browser = Browser(width=1400, height=900)
        self.addCleanup(self.browser.quit)

    def forward(self, request):
        kind = request.current_line_id.kind
        if kind == "card":
            request.write({"cur_card_received": True})
        elif kind in ("debt", "installments"):
            request.write({"cur_debt_status": "none"})
        request.action_forward()
        request.invalidate_cache()

    def history(self):
        """Fourteen second-shift students' requests of the last weeks, at
        every office, with steps of known lengths (beside the demo's)."""
        now = fields.Datetime.from_string(fields.Datetime.now())
        for index in range(14):
            student = make_student(
                self.env, "9521%04d" % index, "دانشجوی %d" % (index + 1),
                shift="second", lang="fa_IR")
            request = self.env["clearance.request"].sudo(student).create({
                "partner_id": student.partner_id.id, "reason": "withdrawal"})
            request.action_submit()
            request = request.sudo(self.manager)
            for _step in range(index % 11):
                self.forward(request)
            if index in (3, 5) and request.current_line_id.stage_id.allow_hold:
                request.hold_for_visit("کتاب‌ها را بیاورید.")
            lines = request.sudo().line_ids.filtered(
                lambda l: l.kind != "create" and l.date_start).sorted(lambda l: (l.sequence, l.id))
            days = [0.3 + ((line.sequence * 7 + index * 3) % 10) / 3.0
                    for line in lines]
            moment = now - datetime.timedelta(days=sum(days) + index % 5 + 0.5)
            for line, length in zip(lines, days):
                vals = {"date_start": moment}
                if line.state == "done":
                    moment += datetime.timedelta(days=length)
                    vals["date_done"] = moment
                else:
                    vals["date_due"] = moment + datetime.timedelta(days=2)
                self.env.cr.execute(
                    "UPDATE clearance_request_line SET date_start = %s, "
                    "date_done = %s, date_due = %s WHERE id = %s",
                    [vals["date_start"], vals.get("date_done"),
                     vals.get("date_due"), line.id])
        self.env.cache.invalidate()

    def test_dashboard_in_persian(self):
        browser = self.browser
        browser.login("manager", "demo")
        browser.get("/web#action=%d" % self.dashboard_action)
        browser.find(".o_clearance_dashboard_table", timeout=60)
        self.assertEqual(browser.direction(), "rtl")
        # the history above is on the page: fourteen more steps cleared by
        # the department in the last four weeks than the demo's
        cleared = browser.find(
            "tr[data-stage-id='%d'] .o_clearance_cleared" % self.department).text
        self.assertGreaterEqual(int(cleared.translate(str.maketrans(
            "۰۱۲۳۴۵۶۷۸۹", "0123456789"))), 10)
        text = browser.text()
        for label in ("پیشخوان دفترها", "میانه روزها", "صدک ۹۰ روزها",
                      "مانده در دفتر", "گذشته از موعد", "تسویه در هفته",
                      "نمایش"):
            self.assertIn(label, text)
        # the period's pickers show Jalali dates
        value = browser.find(".o_clearance_dashboard_from input").get_attribute("value")
        self.assertRegex(value, "^(14|۱۴)")
        table = browser.find(".o_clearance_dashboard_table")
        self.assertEqual(browser.driver.execute_script(
            "return getComputedStyle(arguments[0]).direction", table), "rtl")
        summary = browser.screenshot("dashboard-fa-summary")
        browser.get("/web#action=%d&view_type=graph" % self.ageing_action)
        browser.find(".o_graph_svg_container svg .nv-bar", timeout=60)
        self.assertIn("روزهای ماندن در دفتر", browser.text())
        self.assertEqual(browser.direction(), "rtl")
        graph = browser.screenshot("dashboard-fa-graph")
        # one picture: the summary page above the graph
        images = [Image.open(path) for path in (summary, graph)]
        combined = Image.new("RGB", (max(i.width for i in images),
                                     sum(i.height for i in images)), "white")
        combined.paste(images[0], (0, 0))
        combined.paste(images[1], (0, images[0].height))
        combined.save(os.path.join(ARTIFACTS, "dashboard-fa.png"))
        for path in (summary, graph):
            os.remove(path)

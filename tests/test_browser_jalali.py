"""The welfare officer, in Persian, in real Chromium: the backend shows,
takes and offers Jalali dates that are stored Gregorian."""
import datetime
import re
import xmlrpc.client

import pytz
from selenium.webdriver.common.by import By

import odoo
from odoo.addons.web_jalali.tools import jalali

from .browser import BrowserCase
from .harness import DEMO_OFFICER_LOGINS, fill_form

JALALI_DATETIME = re.compile(r"^۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2} [۰-۹]{2}:[۰-۹]{2}:[۰-۹]{2}$")
CLOCK = re.compile(r"[0-9۰-۹]{2}:[0-9۰-۹]{2}")
GREGORIAN_DATETIME = re.compile(r"^\d{2}/\d{2}/20\d{2} \d{2}:\d{2}:\d{2}$")


class TestJalaliBackend(BrowserCase):
    """The welfare officer, in Persian, in Chromium."""

    def setUp(self):
        super().setUp()
        self.welfare = self.env.ref("clearance_request.user_officer_welfare_demo")
        self.assertEqual((self.welfare.lang, self.welfare.tz), ("fa_IR", "Asia/Tehran"))
        self.request = self.on_server(self.request_at_welfare)
        self.request_name = self.on_server(lambda: self.request.name)

    def request_at_welfare(self):
        student = self.env.ref("clearance_request.user_student_9811001_demo")
        request = self.env["clearance.request"].sudo(student).create(
            {"partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        welfare = self.env.ref("clearance_request.stage_welfare")
        Users = self.env["res.users"]
        while request.stage_id != welfare:
            officer = Users.search([
                ("login", "in", list(DEMO_OFFICER_LOGINS.values())),
                ("groups_id", "in", request.stage_id.group_id.ids)], limit=1)
            fill_form(request.sudo(officer)).action_forward()
            request.invalidate_cache()
        return request.sudo()

    def edit_installments(self):
        """The request's form in edit mode, no debt, a loan ticked: its
        instalment dates are shown."""
        self.browser.get("/web?clearance=%d#model=clearance.request&id=%d&view_type=form"
                         % (self.request.id, self.request.id))
        self.browser.find(".o_form_button_edit").click()
        self.js("var s = document.querySelector('select[name=cur_debt_status]');"
                "s.value = JSON.stringify('none');"
                "s.dispatchEvent(new Event('change', {bubbles: true}));")
        self.browser.find("div[name=cur_has_loan] input").click()

    def js(self, script, *args):
        return self.browser.driver.execute_script(script, *args)

    def queue_dates(self):
        """The datetime cells (a time in them) of the request's row in the list."""
        cells = self.js(
            "var name = arguments[0];"
            "var row = Array.from(document.querySelectorAll('.o_data_row')).find("
            "  function (r) { return r.textContent.indexOf(name) >= 0; });"
            "return row ? Array.from(row.querySelectorAll('td.o_data_cell')).map("
            "  function (c) { return c.textContent.trim(); }) : null;",
            self.request_name)
        return cells and [cell for cell in cells if CLOCK.search(cell)]

    def test_welfare_officer_types_and_picks_jalali_dates(self):
        browser = self.browser
        browser.login("welfare", "demo")
        # The officer lands on My queue, in Jalali.
        browser.wait(lambda: self.queue_dates(), 30, "My queue did not open at login")
        self.assertIn("کارتابل من", browser.find(".breadcrumb").text)
        dates = self.queue_dates()
        self.assertTrue(dates and all(JALALI_DATETIME.match(d) for d in dates), dates)
        browser.screenshot("jalali_my_queue")
        # Grouped by month, as the pivot and graph views ask: a Jalali month.
        labels = browser.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "odoo.__DEBUG__.services['web.rpc'].query({model: 'clearance.request',"
            "  method: 'read_group', args: [[['id', '=', arguments[0]]], ['stage_date'],"
            "  ['stage_date:month']], kwargs: {context:"
            "  odoo.__DEBUG__.services['web.session'].user_context}}).then(function (groups) {"
            "  done(groups.map(function (g) { return g['stage_date:month']; })); });",
            self.request.id)
        tehran_now = datetime.datetime.now(pytz.timezone("Asia/Tehran"))
        self.assertEqual(labels, [jalali.group_label(tehran_now, "month", "fa_IR")])

        # The calendar in the browser: Esfand 30th only in leap years, and
        # datetimes in Tehran's time, whatever the browser's zone.
        checks = self.js(
            "var c = odoo.__DEBUG__.services['web_jalali.calendar'];"
            "var fu = odoo.__DEBUG__.services['web.field_utils'];"
            "var dt = {type: 'datetime'};"
            "var iso = function (m) { return m && m.locale('en').format('YYYY-MM-DD'); };"
            "return [iso(c.parse('۱۴۰۳/۱۲/۳۰')), c.parse('1404/12/30'),"
            "  iso(c.parse('۱۴۰۴/۱۲/۲۹')), iso(c.parse('1405-1-1')),"
            "  fu.format.datetime(moment.utc('2026-03-20 20:15:00'), dt),"
            "  fu.format.datetime(moment.utc('2026-03-20 20:45:00'), dt),"
            "  fu.parse.datetime('۱۴۰۵/۰۱/۰۱ ۰۰:۱۵', dt, {timezone: true}).toJSON(),"
            "  fu.format.date(moment.utc('2026-03-21'), {type: 'date'})];")
        self.assertEqual(checks, [
            "2025-03-20", False, "2026-03-20", "2026-03-21",
            "۱۴۰۴/۱۲/۲۹ ۲۳:۴۵:۰۰", "۱۴۰۵/۰۱/۰۱ ۰۰:۱۵:۰۰", "2026-03-20 20:45:00",
            "۱۴۰۵/۰۱/۰۱"])

        # The request, at the welfare stage.
        self.edit_installments()
        # A Jalali date that does not exist is refused, and nothing is saved...
        start = browser.find("div[name=cur_installment_start] input")
        start.click()
        start.send_keys("۱۴۰۴/۱۲/۳۰")
        browser.find("textarea[name=cur_note]").click()
        browser.wait(lambda: not browser._visible("jdp-container"), 10,
                     "the picker stayed open")
        browser.find(".o_form_button_save").click()
        browser.wait(lambda: "o_field_invalid" in browser.find(
            "div[name=cur_installment_start]").get_attribute("class"),
            10, "Esfand 30th 1404 was accepted")
        self.assertIn("تاریخ شروع اقساط", browser.find(".o_notification").text)
        self.assertFalse(self.on_server(lambda: self.request.cur_installment_start))
        # ...and a real one (Esfand 30th of the leap year 1403) typed.
        start = browser.find("div[name=cur_installment_start] input")
        start.clear()
        start.send_keys("۱۴۰۳/۱۲/۳۰")
        browser.find("textarea[name=cur_note]").click()
        browser.wait(lambda: "o_field_invalid" not in browser.find(
            "div[name=cur_installment_start]").get_attribute("class"), 10,
            "the typed date was not read")

        # (the warning of the refused save sits over the buttons)
        self.js("document.querySelectorAll('.o_notification .o_close')"
                ".forEach(function (button) { button.click(); });")
        browser.wait(lambda: not browser._visible(".o_notification"), 10)

        # The end date is picked: Nowruz 1405, in the Jalali picker.
        browser.find("div[name=cur_installment_end] input").click()
        picker = browser.find("jdp-container")
        # Saturday first, Friday marked as the weekend
        day_names = [e.text for e in picker.find_elements(By.CSS_SELECTOR, ".jdp-day-name")]
        self.assertEqual((day_names[0], day_names[-1]), ("ش", "ج"))
        friday = picker.find_elements(By.CSS_SELECTOR, ".jdp-day-name")[-1]
        self.assertIn("holly-day", friday.get_attribute("class"))
        self.js("var pick = function (css, value) {"
                "  var s = document.querySelector(css); s.value = value;"
                "  s.dispatchEvent(new Event('change', {bubbles: true})); };"
                "pick('jdp-container .jdp-year select', '1405');"
                "pick('jdp-container .jdp-month select', '1');")
        browser.wait(lambda: "فروردین" in browser.find(
            "jdp-container .jdp-month select").get_attribute("textContent") and
            self.js("return document.querySelector('jdp-container .jdp-month select')"
                    ".value") == "1", 10, "the picker did not show Farvardin")
        browser.screenshot("jalali_picker")
        days = browser.driver.find_elements(
            By.CSS_SELECTOR, "jdp-container .jdp-day:not(.not-in-month)")
        day_one = next(day for day in days if day.text == "۱")
        day_one.click()
        end = browser.find("div[name=cur_installment_end] input")
        browser.wait(lambda: end.get_attribute("value") == "۱۴۰۵/۰۱/۰۱", 10,
                     "the picked date is not in the input")
        browser.screenshot("jalali_form")
        browser.find(".o_form_button_save").click()
        browser.find(".o_form_button_edit")

        # Stored Gregorian, as an RPC client reads them.
        url = "http://127.0.0.1:%s/xmlrpc/2/" % odoo.tools.config["http_port"]
        uid = xmlrpc.client.ServerProxy(url + "common").authenticate(
            self.env.cr.dbname, "welfare", "demo", {})
        record, = xmlrpc.client.ServerProxy(url + "object").execute_kw(
            self.env.cr.dbname, uid, "demo", "clearance.request", "read",
            [[self.request.id]], {"fields": ["cur_installment_start", "cur_installment_end"]})
        self.assertEqual((record["cur_installment_start"], record["cur_installment_end"]),
                         ("2025-03-20", "2026-03-21"))
        # and shown in Jalali once saved
        self.assertEqual(browser.find("span[name=cur_installment_start]").text, "۱۴۰۳/۱۲/۳۰")
        self.assertEqual(browser.find("span[name=cur_installment_end]").text, "۱۴۰۵/۰۱/۰۱")
        browser.screenshot("jalali_form_saved")
        # The queue's list still in Jalali after the save.
        browser.get("/web")
        browser.wait(lambda: self.queue_dates(), 30, "My queue did not open")
        self.assertTrue(all(JALALI_DATETIME.match(d) for d in self.queue_dates()))
        # and the kanban view
        browser.find("button.o_cp_switch_kanban").click()
        card = browser.wait(lambda: self.js(
            "var name = arguments[0];"
            "var card = Array.from(document.querySelectorAll('.o_kanban_record')).find("
            "  function (c) { return c.textContent.indexOf(name) >= 0; });"
            "return card && card.textContent;", self.request_name), 20, "no kanban card")
        self.assertTrue(re.search(r"۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}", card), card)

    def test_english_officer_backend_stays_gregorian(self):
        self.on_server(lambda: (
            setattr(self.env.ref("base.lang_en"), "active", True),
            self.welfare.write({"lang": "en_US"})))
        browser = self.browser
        browser.login("welfare", "demo")
        browser.wait(lambda: self.queue_dates(), 30, "My queue did not open at login")
        self.assertEqual(self.js(
            "return odoo.__DEBUG__.services['web.session'].calendar_system"), "gregorian")
        dates = self.queue_dates()
        self.assertTrue(dates and all(GREGORIAN_DATETIME.match(d) for d in dates), dates)
        self.assertEqual(self.js(
            "var fu = odoo.__DEBUG__.services['web.field_utils'];"
            "return [fu.format.date(moment.utc('2026-03-21'), {type: 'date'}),"
            "  fu.parse.date('03/21/2026').toJSON()];"), ["03/21/2026", "2026-03-21"])
        # Odoo's own Gregorian picker
        self.edit_installments()
        browser.find("div[name=cur_installment_start] input").click()
        browser.find(".bootstrap-datetimepicker-widget")
        self.assertFalse(self.js("return !!document.querySelector('jdp-container')"
                                 " && document.querySelector('jdp-container')"
                                 ".offsetParent !== null"))
        browser.screenshot("gregorian_picker_en")

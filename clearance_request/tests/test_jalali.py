"""The officers' backend in the Iranian calendar: references numbered by
Jalali year and officers landing on their queue. The welfare officer typing
and picking Jalali dates in real Chromium is tests/test_browser_jalali.py."""
import datetime
from unittest.mock import patch

import pytz
from odoo.tools import convert_file

from .common import DEMO_OFFICER_LOGINS, ClearanceCase

NOW = "odoo.addons.web_jalali.models.ir_sequence.now_in"


def at(*utc):
    """A stand-in for the clock: the UTC instant `utc` in the asked zone."""
    instant = pytz.utc.localize(datetime.datetime(*utc))
    return lambda tz: instant.astimezone(tz)


class TestJalaliReference(ClearanceCase):

    def test_reference_restarts_at_nowruz_in_tehran(self):
        # 20:29 UTC on 2027-03-20 is 23:59 on Esfand 29th 1405 in Tehran
        with patch(NOW, at(2027, 3, 20, 20, 29)):
            last = self.new_request(self.student_day, submit=False)
        # a minute later it is Nowruz 1406 there (still the 20th in UTC)
        with patch(NOW, at(2027, 3, 20, 20, 30)):
            first = self.new_request(self.student_second, submit=False)
            second = self.new_request(self.student_other, submit=False)
        self.assertRegex(last.name, r"^CLR/1405/\d{5}$")
        self.assertEqual((first.name, second.name), ("CLR/1406/00001", "CLR/1406/00002"))

    def test_existing_databases_move_to_the_jalali_year(self):
        sequence = self.env.ref("clearance_request.seq_clearance_request")
        self.assertEqual((sequence.prefix, sequence.use_date_range,
                          sequence.date_range_calendar),
                         ("CLR/%(jyear)s/", True, "jalali"))
        # a database made before the Jalali numbering
        sequence.write({"prefix": "CLR/%(year)s/", "use_date_range": False,
                        "date_range_calendar": "gregorian"})
        convert_file(self.cr, "clearance_request", "data/ir_sequence_data.xml",
                     {}, "update", False, "data")
        sequence.invalidate_cache()
        self.assertEqual((sequence.prefix, sequence.use_date_range,
                          sequence.date_range_calendar),
                         ("CLR/%(jyear)s/", True, "jalali"))
        with patch(NOW, at(2026, 12, 1, 9, 0)):
            self.assertRegex(self.new_request(submit=False).name, r"^CLR/1405/\d{5}$")
        # a prefix an administrator chose survives the module's updates
        sequence.prefix = "TS/%(jy)s/"
        convert_file(self.cr, "clearance_request", "data/ir_sequence_data.xml",
                     {}, "update", False, "data")
        sequence.invalidate_cache()
        self.assertEqual(sequence.prefix, "TS/%(jy)s/")

    def test_demo_officers_land_on_my_queue(self):
        queue = self.env.ref("clearance_request.clearance_request_action_my_queue")
        officers = self.env["res.users"].search(
            [("login", "in", list(DEMO_OFFICER_LOGINS.values()))])
        self.assertEqual(len(officers), len(DEMO_OFFICER_LOGINS))
        self.assertEqual(set(officers.mapped("action_id.id")), {queue.id})

    def test_demo_university(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "دانشگاه نمونه")
        self.assertTrue(company.logo)
        self.assertNotIn("YourCompany", company.partner_id.name)

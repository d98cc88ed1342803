"""The calendar's edge cases: Esfand 29th and 30th, Nowruz, and the SQL that
cuts dates into Jalali periods checked day by day against jdatetime."""
import datetime

import pytz

from odoo.tests.common import TransactionCase, at_install, post_install

from ..tools import jalali

D = datetime.date


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestConversions(TransactionCase):

    def test_esfand_in_leap_and_common_years(self):
        # 1403 is a leap year: Esfand has 30 days.
        self.assertTrue(jalali.is_leap(1403))
        self.assertEqual(jalali.to_gregorian(1403, 12, 29), D(2025, 3, 19))
        self.assertEqual(jalali.to_gregorian(1403, 12, 30), D(2025, 3, 20))
        self.assertEqual(jalali.to_jalali(D(2025, 3, 20)), (1403, 12, 30))
        self.assertEqual(jalali.month_length(1403, 12), 30)
        # 1404 is common: Esfand 29th is the year's last day, the 30th is no date.
        self.assertFalse(jalali.is_leap(1404))
        self.assertEqual(jalali.to_gregorian(1404, 12, 29), D(2026, 3, 20))
        self.assertEqual(jalali.to_jalali(D(2026, 3, 20)), (1404, 12, 29))
        self.assertEqual(jalali.month_length(1404, 12), 29)
        with self.assertRaises(ValueError):
            jalali.to_gregorian(1404, 12, 30)
        # the next leap year is five years on (the 33-year rule), not four
        self.assertEqual([y for y in range(1404, 1413) if jalali.is_leap(y)],
                         [1408, 1412])

    def test_nowruz(self):
        self.assertEqual(jalali.to_gregorian(1404, 1, 1), D(2025, 3, 21))
        self.assertEqual(jalali.to_gregorian(1405, 1, 1), D(2026, 3, 21))
        self.assertEqual(jalali.to_jalali(D(2026, 3, 21)), (1405, 1, 1))
        self.assertEqual(jalali.year_bounds(D(2026, 3, 21)),
                         (D(2026, 3, 21), D(2027, 3, 20)))
        self.assertEqual(jalali.year_bounds(D(2026, 3, 20)),
                         (D(2025, 3, 21), D(2026, 3, 20)))
        # after Esfand 30th of a leap year comes Nowruz
        self.assertEqual(jalali.next_period_start(D(2025, 3, 20), "month"),
                         D(2025, 3, 21))

    def test_periods(self):
        # Mehr 1404 (the 7th month, 30 days) starts on 2025-09-23
        self.assertEqual(jalali.period_start(D(2025, 10, 5), "month"), D(2025, 9, 23))
        self.assertEqual(jalali.next_period_start(D(2025, 10, 5), "month"),
                         D(2025, 10, 23))
        # autumn (Mehr to Azar) and winter (Dey to Esfand)
        self.assertEqual(jalali.period_start(D(2025, 12, 1), "quarter"), D(2025, 9, 23))
        self.assertEqual(jalali.next_period_start(D(2025, 12, 1), "quarter"),
                         D(2025, 12, 22))
        self.assertEqual(jalali.next_period_start(D(2026, 3, 1), "quarter"),
                         D(2026, 3, 21))

    def test_labels(self):
        self.assertEqual(jalali.group_label(D(2026, 3, 21), "month", "fa_IR"),
                         "فروردین ۱۴۰۵")
        self.assertEqual(jalali.group_label(D(2026, 3, 20), "day", "fa_IR"),
                         "۲۹ اسفند ۱۴۰۴")
        self.assertEqual(jalali.group_label(D(2026, 3, 21), "quarter", "en_US"),
                         "Spring 1405")
        self.assertEqual(jalali.group_label(D(2026, 3, 21), "year", "fa_IR"), "۱۴۰۵")
        self.assertEqual(jalali.group_label(D(2026, 3, 14), "week", "en_US"),
                         "Week of 23 Esfand 1404")
        self.assertEqual(jalali.format_date(D(2026, 3, 21), "fa_IR"), "۱۴۰۵/۰۱/۰۱")

    def test_interval_keeps_the_time_zone(self):
        tehran = pytz.timezone("Asia/Tehran")
        # Tehran still kept summer time in 1399: it began on Farvardin 2nd.
        start = tehran.localize(datetime.datetime(2020, 2, 20))  # Esfand 1st 1398
        end = start + jalali.JalaliInterval("month", tehran)
        self.assertEqual(end, tehran.localize(datetime.datetime(2020, 3, 20)))
        self.assertEqual(end.astimezone(pytz.utc),
                         pytz.utc.localize(datetime.datetime(2020, 3, 19, 20, 30)))
        end = tehran.localize(datetime.datetime(2020, 3, 20)) + \
            jalali.JalaliInterval("month", tehran)
        self.assertEqual(end.astimezone(pytz.utc),  # Ordibehesht 1st, in summer time
                         pytz.utc.localize(datetime.datetime(2020, 4, 19, 19, 30)))
        self.assertEqual(D(2026, 3, 21) + jalali.JalaliInterval("year"), D(2027, 3, 21))

    def test_sql_matches_jdatetime_every_day(self):
        """The SQL periods of every day from 2019 to 2031 are jdatetime's."""
        for unit in ("month", "quarter", "year"):
            # (the SQL is the module's own, built without any input)
            query = ("SELECT day::date, %s::date FROM generate_series("
                     "'2019-01-01'::date, '2031-12-31'::date, '1 day') AS day"
                     % jalali.sql_period_start("day", unit))
            self.env.cr.execute(query)  # pylint: disable=sql-injection
            rows = self.env.cr.fetchall()
            self.assertEqual(len(rows), 4748)
            wrong = [(day, start) for day, start in rows
                     if start != str(jalali.period_start(D(*map(int, day.split("-"))), unit))]
            self.assertFalse(wrong[:5], "%s starts differ" % unit)
        # 2026-03-20 is a Friday: its week began on Saturday the 14th
        query = "SELECT %s::date" % jalali.sql_week_start("'2026-03-20'::date")
        self.env.cr.execute(query)  # pylint: disable=sql-injection
        self.assertEqual(self.env.cr.fetchone()[0], "2026-03-14")

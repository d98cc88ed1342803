"""Reference numbers in the Jalali calendar, across Nowruz."""
import datetime
from unittest.mock import patch

import pytz

from odoo.exceptions import UserError
from odoo.tests.common import SavepointCase, at_install, post_install

NOW = "odoo.addons.web_jalali.models.ir_sequence.now_in"


def at(utc):
    """A stand-in for the clock: `utc` seen from the asked time zone."""
    instant = pytz.utc.localize(datetime.datetime(*utc))
    return lambda tz: instant.astimezone(tz)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestJalaliSequence(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sequence = cls.env["ir.sequence"].create({
            "name": "Jalali test", "code": "test.jalali",
            "prefix": "T/%(jyear)s/", "padding": 4,
            "use_date_range": True, "date_range_calendar": "jalali"})

    def draw(self, day=None):
        sequence = self.sequence
        if day:
            sequence = sequence.with_context(ir_sequence_date=day)
        return sequence.next_by_id()

    def test_numbering_restarts_at_nowruz(self):
        self.assertEqual(self.draw("2026-03-20"), "T/1404/0001")  # Esfand 29th 1404
        self.assertEqual(self.draw("2026-03-21"), "T/1405/0001")  # Nowruz 1405
        self.assertEqual(self.draw("2026-03-20"), "T/1404/0002")
        self.assertEqual(self.draw("2027-03-20"), "T/1405/0002")  # Esfand 29th 1405
        self.assertEqual(self.draw("2027-03-21"), "T/1406/0001")
        # 1403 is a leap year: its Esfand 30th still belongs to it
        self.assertEqual(self.draw("2025-03-20"), "T/1403/0001")
        self.assertEqual(
            [(r.date_from, r.date_to) for r in self.sequence.date_range_ids.sorted("date_from")],
            [("2024-03-20", "2025-03-20"), ("2025-03-21", "2026-03-20"),
             ("2026-03-21", "2027-03-20"), ("2027-03-21", "2028-03-19")])

    def test_year_changes_at_midnight_in_tehran(self):
        """At 20:29 UTC on 2026-03-20 it is still Esfand 29th in Tehran; at
        20:30 UTC it is Nowruz there (while still the 20th in UTC)."""
        with patch(NOW, at((2026, 3, 20, 20, 29))):
            self.assertEqual(self.draw(), "T/1404/0001")
        with patch(NOW, at((2026, 3, 20, 20, 30))):
            self.assertEqual(self.draw(), "T/1405/0001")
        with patch(NOW, at((2026, 3, 20, 20, 31))):
            # a reader in another time zone draws from that zone's day
            sequence = self.sequence.with_context(tz="Europe/London")
            self.assertEqual(sequence.next_by_id(), "T/1404/0002")

    def test_jalali_placeholders(self):
        self.sequence.write({
            "prefix": "%(jy)s%(jmonth)s%(jday)s-%(year)s-", "suffix": "/%(range_jyear)s",
            "use_date_range": False})
        with patch(NOW, at((2026, 4, 4, 8, 0))):  # Farvardin 15th 1405
            self.assertEqual(self.draw(), "050115-2026-0001/1405")

    def test_hand_made_range_is_respected(self):
        self.env["ir.sequence.date_range"].create({
            "sequence_id": self.sequence.id, "date_from": "2026-03-21",
            "date_to": "2026-09-22"})  # the first half of 1405, made by hand
        self.assertEqual(self.draw("2026-10-01"), "T/1405/0001")
        second = self.sequence.date_range_ids.filtered(
            lambda r: r.date_from == "2026-09-23")
        self.assertEqual(second.date_to, "2027-03-20")

    def test_gregorian_sequences_unchanged(self):
        sequence = self.env["ir.sequence"].create({
            "name": "Gregorian test", "prefix": "G/%(year)s/", "padding": 3,
            "use_date_range": True})
        self.assertEqual(sequence.with_context(ir_sequence_date="2026-03-21")
                         .next_by_id(), "G/2026/001")
        self.assertEqual(sequence.date_range_ids.date_from, "2026-01-01")

    def test_bad_placeholder_is_refused(self):
        self.sequence.prefix = "T/%(jyear)s/%(nonsense)s"
        with self.assertRaises(UserError):
            self.draw("2026-03-21")

    def test_adopt_jalali_year_leaves_changed_prefixes(self):
        shipped = self.env["ir.sequence"].create({
            "name": "Shipped", "prefix": "S/%(year)s/", "padding": 2})
        changed = self.env["ir.sequence"].create({
            "name": "Changed", "prefix": "X/", "padding": 2})
        (shipped | changed)._adopt_jalali_year("S/%(year)s/", "S/%(jyear)s/")
        self.assertEqual((shipped.prefix, shipped.use_date_range,
                          shipped.date_range_calendar),
                         ("S/%(jyear)s/", True, "jalali"))
        self.assertEqual((changed.prefix, changed.use_date_range), ("X/", False))
        self.assertEqual(shipped.with_context(ir_sequence_date="2026-03-21")
                         .next_by_id(), "S/1405/01")

"""Substitutes: an officer names a colleague for a date range; during it the
colleague sees and acts on the officer's offices' queue, on their behalf."""
from datetime import datetime, timedelta

import pytz

from odoo import fields
from odoo.exceptions import AccessError, ValidationError

from ..models.clearance_substitution import UNIVERSITY_TZ
from .common import ClearanceCase, make_officer


def post(record, text, subtype="mail.mt_comment"):
    """Post `text` on `record`'s thread as the chatter does."""
    return record.message_post(body=text, message_type="comment",
                               subtype=subtype)


def day(offset):
    """The day `offset` days from today in the university's time zone, the
    substitutes' here (they have none of their own): from 20:30 UTC Tehran
    is already on the next day."""
    today = datetime.now(pytz.timezone(UNIVERSITY_TZ)).date()
    return fields.Date.to_string(today + timedelta(days=offset))


class TestSubstitution(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Substitution = cls.env["clearance.substitution"]
        cls.away = cls.officers["library_kharazmi"]
        # the colleague who stands in: the counselling centre's officer
        cls.substitute = cls.officers["counselling"]

    def name_substitute(self, date_from=0, date_to=6, officer=None,
                        substitute=None, **vals):
        officer = officer or self.away
        return self.Substitution.sudo(officer).create(dict(
            vals, substitute_id=(substitute or self.substitute).id,
            date_from=day(date_from), date_to=day(date_to)))

    def test_substitute_acts_on_day_one_on_the_officers_behalf(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        as_substitute = request.sudo(self.substitute)
        # before the substitution: not theirs
        self.assertFalse(self.Request.sudo(self.substitute).search(
            [("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            as_substitute.action_forward()

        sub = self.name_substitute(date_from=0)
        self.assertEqual(sub.officer_id, self.away)
        # day 1: in the substitute's queue, readable and theirs to act on
        queue = self.Request.sudo(self.substitute).search(
            [("is_my_turn", "=", True)])
        self.assertIn(request, queue)
        self.assertTrue(as_substitute.can_act)
        self.assertEqual(as_substitute.read(["name"])[0]["name"], request.name)
        as_substitute.write({"cur_note": "Checked the loans desk"})
        as_substitute.action_forward()

        request.invalidate_cache()
        line = request.line_ids.filtered(
            lambda l: l.stage_id == self.stages["library_kharazmi"])
        self.assertEqual(line.state, "done")
        self.assertEqual(line.officer_id, self.substitute)
        self.assertEqual(line.on_behalf_of_id, self.away)
        self.assertEqual(line.note, "Checked the loans desk")
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        message = request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids and "on behalf of" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertIn("By %s on behalf of %s." % (
            self.substitute.name, self.away.name), message.body)
        # the office's own officer's decisions name no one
        self.forward(request)
        shirazi = request.line_ids.filtered(
            lambda l: l.stage_id == self.stages["library_shirazi"])
        self.assertFalse(shirazi.on_behalf_of_id)

    def test_substitute_visit_and_return_say_on_whose_behalf(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        self.name_substitute()
        as_substitute = request.sudo(self.substitute)
        as_substitute.return_to_student("Your library card is missing.")
        self.assertEqual(request.state, "returned")
        self.assertEqual(request.current_line_id.on_behalf_of_id, self.away)
        returned = request.sudo().message_ids.filtered(
            lambda m: m.tracking_value_ids
            and "Your library card is missing." in (m.body or ""))
        self.assertEqual(len(returned), 1)
        self.assertIn("on behalf of %s" % self.away.name, returned.body)

    def test_refused_the_day_after_the_range(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        sub = self.name_substitute(date_from=0, date_to=0)
        Request = self.Request.sudo(self.substitute)
        self.assertIn(request, Request.search([("is_my_turn", "=", True)]))
        self.assertTrue(request.sudo(self.substitute).can_act)
        # "today" moves to the day after the range: the range ended yesterday
        sub.sudo(self.manager).write(
            {"date_from": day(-3), "date_to": day(-1)})
        # (the substitute, a counselling officer, still has their own queue)
        self.assertNotIn(request, Request.search([("is_my_turn", "=", True)]))
        self.assertFalse(Request.search([("id", "=", request.id)]))
        self.assertFalse(self.Substitution.sudo(
            self.substitute)._delegations())
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).read(["name"])
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).action_forward()
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).write({"cur_note": "late"})
        # nor before it starts
        sub.sudo(self.manager).write({"date_from": day(1), "date_to": day(3)})
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).action_forward()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        self.assertFalse(request.current_line_id.officer_id)

    def test_substitute_reaches_the_thread_only_during_the_range(self):
        """Odoo's mail models carry the request's data: its messages,
        to-dos and followers follow the substitute's rights on the request,
        over the range and not after it."""
        request = self.advance_to(self.new_request(), "library_kharazmi")
        post(request, "Loans desk: two books out.", "mail.mt_note")
        as_substitute = request.sudo(self.substitute)
        Message = self.env["mail.message"].sudo(self.substitute)
        Activity = self.env["mail.activity"].sudo(self.substitute)
        Followers = self.env["mail.followers"].sudo(self.substitute)
        on_request = [("model", "=", request._name),
                      ("res_id", "=", request.id)]
        todos = [("res_model", "=", request._name),
                 ("res_id", "=", request.id)]
        self.assertTrue(request.sudo().activity_ids)
        self.assertTrue(request.sudo().message_follower_ids)

        def reaches():
            return (bool(Message.search(on_request)),
                    bool(Activity.search(todos)),
                    bool(Followers.search(todos)))

        # before the substitution: nothing of the request's thread
        self.assertEqual(reaches(), (False, False, False))
        with self.assertRaises(AccessError):
            post(as_substitute, "Not yet")
        with self.assertRaises(AccessError):
            Message.browse(request.message_ids.ids).read(["body"])

        sub = self.name_substitute()
        # during the range: the thread, the office's to-dos and followers
        self.assertEqual(reaches(), (True, True, True))
        self.assertIn("Loans desk: two books out.",
                      " ".join(Message.search(on_request).mapped("body")))
        post(as_substitute, "Standing in for the library.")

        # posting made them a follower, as Odoo does
        partner = self.substitute.partner_id
        self.assertIn(partner, request.sudo().message_partner_ids)

        # the range over: only what is their own (their message, their
        # follower entry), and nothing posted
        sub.sudo(self.manager).write({"date_from": day(-3), "date_to": day(-1)})
        self.assertEqual(
            [m.body for m in Message.search(on_request)],
            ["<p>Standing in for the library.</p>"])
        self.assertEqual(Followers.search(todos).mapped("partner_id"), partner)
        self.assertFalse(Activity.search(todos))
        office_note = request.sudo().message_ids.filtered(
            lambda m: "Loans desk" in (m.body or ""))
        with self.assertRaises(AccessError):
            Message.browse(office_note.ids).read(["body"])
        with self.assertRaises(AccessError):
            post(as_substitute, "Too late")
        with self.assertRaises(AccessError):
            Activity.browse(request.sudo().activity_ids.ids).read(["summary"])
        self.assertNotIn("Too late", " ".join(
            request.sudo().message_ids.mapped("body")))
        # the request's next step tells them nothing: they stop following
        # a request they may no longer read before its message goes out
        since = self.env["mail.message"].search([], order="id desc",
                                                limit=1).id
        self.forward(request, self.away)
        post(request.sudo(self.away), "The books came back.")
        told = self.env["mail.message"].search([
            ("id", ">", since), ("model", "=", request._name),
            ("res_id", "=", request.id)])
        self.assertTrue(told)
        self.assertNotIn(partner, told.mapped("needaction_partner_ids"))
        self.assertNotIn(partner, told.mapped("partner_ids"))
        self.assertNotIn(partner, request.sudo().message_partner_ids)
        self.assertFalse(self.env["mail.mail"].search([
            ("mail_message_id", "in", told.ids),
            ("recipient_ids", "in", partner.ids)]))

    def test_cancelled_substitution_ends_the_rights(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        sub = self.name_substitute()
        self.assertTrue(request.sudo(self.substitute).can_act)
        sub.sudo(self.away).action_cancel()
        self.assertEqual(sub.state, "cancelled")
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).action_forward()

    def test_substitute_cannot_act_on_offices_not_delegated(self):
        # an officer of two libraries hands over only one of them
        officer = make_officer(
            self.env, "t.two.libraries",
            "clearance_request.group_office_library_kharazmi",
            "clearance_request.group_office_library_shirazi")
        self.name_substitute(officer=officer, group_ids=[(6, 0, [
            self.env.ref("clearance_request.group_office_library_kharazmi").id])])
        request = self.advance_to(self.new_request(), "library_kharazmi")
        request.sudo(self.substitute).action_forward()
        request.invalidate_cache()
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])
        self.assertEqual(request.line_ids.filtered(
            lambda l: l.stage_id == self.stages["library_kharazmi"]
        ).on_behalf_of_id, officer)
        # Shirazi was not handed over
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).action_forward()
        self.assertFalse(request.sudo(self.substitute).can_act)
        # nor any office the officer does not serve
        other = self.new_request(self.student_other)
        with self.assertRaises(AccessError):
            other.sudo(self.substitute).action_forward()
        self.assertFalse(self.Request.sudo(self.substitute).search(
            [("id", "=", other.id)]))

    def test_offices_must_be_the_officers_own(self):
        with self.assertRaises(ValidationError):
            self.name_substitute(group_ids=[(6, 0, [self.env.ref(
                "clearance_request.group_office_dormitories").id])])

    def test_substitute_must_be_an_active_internal_officer(self):
        inactive = make_officer(self.env, "t.gone",
                                "clearance_request.group_clearance_officer")
        inactive.active = False
        for user, message in [
                (self.student_day, "only an active internal user"),
                (inactive, "only an active internal user"),
                (self.employee, "clearance officer role"),
                (self.away, "their own substitute")]:
            with self.assertRaisesRegex(ValidationError, message):
                self.name_substitute(substitute=user)
        with self.assertRaisesRegex(ValidationError, "before it starts"):
            self.name_substitute(date_from=3, date_to=1)

    def test_officer_cannot_name_a_substitute_for_someone_else(self):
        other = self.officers["dormitories"]
        with self.assertRaisesRegex(AccessError, "only for themself"):
            self.Substitution.sudo(other).create({
                "officer_id": self.away.id,
                "substitute_id": other.id,
                "date_from": day(0), "date_to": day(3)})
        # nor turn their own into someone else's
        sub = self.name_substitute(officer=other)
        with self.assertRaisesRegex(AccessError, "only for themself"):
            sub.sudo(other).write({"officer_id": self.away.id})
        self.assertEqual(sub.officer_id, other)
        # nor touch another officer's substitution
        mine = self.name_substitute()
        with self.assertRaises(AccessError):
            mine.sudo(other).action_cancel()
        with self.assertRaises(AccessError):
            mine.sudo(other).write({"date_to": day(30)})
        self.assertEqual(mine.state, "active")

    def test_student_cannot_name_a_substitute(self):
        with self.assertRaises(AccessError):
            self.Substitution.sudo(self.student_day).create({
                "officer_id": self.student_day.id,
                "substitute_id": self.substitute.id,
                "date_from": day(0), "date_to": day(3)})
        sub = self.name_substitute()
        with self.assertRaises(AccessError):
            sub.sudo(self.student_day).read(["substitute_id"])

    def test_state_changes_only_by_cancel(self):
        sub = self.name_substitute()
        with self.assertRaises(AccessError):
            sub.sudo(self.away).write({"state": "cancelled"})
        self.assertEqual(sub.state, "active")

    def test_who_sees_and_cancels_substitutions(self):
        mine = self.name_substitute()
        other = self.name_substitute(
            officer=self.officers["welfare"],
            substitute=self.officers["dormitories"])
        Substitution = self.Substitution.sudo(self.away)
        self.assertEqual(Substitution.search([]), mine)
        # the substitute sees the substitution naming them
        self.assertEqual(self.Substitution.sudo(self.substitute).search([]),
                         mine)
        with self.assertRaises(AccessError):
            mine.sudo(self.substitute).action_cancel()
        # a manager sees and cancels every one
        self.assertEqual(self.Substitution.sudo(self.manager).search([]),
                         mine | other)
        other.sudo(self.manager).action_cancel()
        self.assertEqual(other.state, "cancelled")
        # and names one for an officer
        made = self.Substitution.sudo(self.manager).create({
            "officer_id": self.away.id, "substitute_id": self.substitute.id,
            "date_from": day(0), "date_to": day(1)})
        self.assertEqual(made.officer_id, self.away)
        # the officer cancels their own
        mine.sudo(self.away).action_cancel()
        self.assertEqual(mine.state, "cancelled")

    def test_refused_error_is_translated(self):
        with self.assertRaisesRegex(ValidationError, "کاربر داخلی فعال"):
            self.Substitution.sudo(self.away).with_context(lang="fa_IR").create({
                "substitute_id": self.student_day.id,
                "date_from": day(0), "date_to": day(3)})
        with self.assertRaises(ValidationError):
            self.name_substitute(date_from=2, date_to=0)


class TestSubstitutionDays(ClearanceCase):
    """Issue #21: a substitution's days are the university's; a substitute
    who sets their own time zone does not move their range."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Substitution = cls.env["clearance.substitution"]
        cls.away = cls.officers["library_kharazmi"]
        cls.substitute = cls.officers["counselling"]

    name_substitute = TestSubstitution.name_substitute

    @staticmethod
    def other_day_zone():
        """A time zone whose date is not the university's right now, and
        that date: Kiritimati (UTC+14) is on the next day from 13:30 in
        Tehran, Etc/GMT+12 (UTC-12) on the day before until 15:30."""
        now = datetime.now(pytz.utc)
        tehran = now.astimezone(pytz.timezone(UNIVERSITY_TZ)).date()
        for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
            date = now.astimezone(pytz.timezone(zone)).date()
            if date != tehran:
                return zone, fields.Date.to_string(date)
        raise AssertionError("no zone on another day")  # pragma: no cover

    def test_own_time_zone_does_not_move_the_range(self):
        request = self.advance_to(self.new_request(), "library_kharazmi")
        zone, other_day = self.other_day_zone()
        # the range is one day: the one the substitute's zone would make
        # today, not the university's today
        self.Substitution.sudo(self.away).create({
            "substitute_id": self.substitute.id,
            "date_from": other_day, "date_to": other_day})
        # the substitute sets their own zone, as in their preferences
        self.substitute.sudo(self.substitute).write({"tz": zone})
        self.substitute.invalidate_cache()
        self.assertEqual(self.substitute.tz, zone)
        self.assertFalse(self.Substitution.sudo(
            self.substitute)._delegations())
        Request = self.Request.sudo(self.substitute)
        self.assertNotIn(request, Request.search([("is_my_turn", "=", True)]))
        self.assertFalse(Request.search([("id", "=", request.id)]))
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).read(["name"])
        with self.assertRaises(AccessError):
            request.sudo(self.substitute).action_forward()
        self.assertEqual(request.stage_id, self.stages["library_kharazmi"])
        # an officer changing their own zone does not move it either
        self.away.sudo(self.away).write({"tz": zone})
        self.assertFalse(self.Substitution.sudo(
            self.substitute)._delegations())

    def test_range_of_today_holds_whatever_the_zone(self):
        """The legitimate use: a range of the university's today holds, in
        any zone the substitute sets."""
        request = self.advance_to(self.new_request(), "library_kharazmi")
        sub = self.name_substitute(date_from=0, date_to=0)
        self.assertEqual(sub.date_from, day(0))
        zone, _other = self.other_day_zone()
        self.substitute.sudo(self.substitute).write({"tz": zone})
        self.assertTrue(self.Substitution.sudo(
            self.substitute)._delegations())
        self.assertIn(request, self.Request.sudo(self.substitute).search(
            [("is_my_turn", "=", True)]))
        request.sudo(self.substitute).action_forward()
        self.assertEqual(request.stage_id, self.stages["library_shirazi"])

"""Attacks around the clearance workflow through Odoo's mail, as a student,
an officer or an employee makes them: RPC as that user (`sudo(user)` calls
the methods JSON-RPC would call) and JSON-RPC over HTTP (issue 10, items 2,
3, 4, 6 and 7)."""
import re

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError
from odoo.tests import common as odoo_tests

from .common import ClearanceCase, HttpCursorCase, make_officer

HASH_PREFIX = "$pbkdf2%"
SPOOFED_SENDER = "Kharazmi Library <library.kharazmi@university.test>"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class MailAttackCase(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mails of posted messages stay in the queue (in test mode they
        # would be sent and deleted at once), so that they can be counted.
        cls.env = cls.env(context=dict(
            cls.env.context, mail_notify_force_send=False))
        cls.Request = cls.env["clearance.request"]
        cls.Mail = cls.env["mail.mail"]
        cls.admin_partner = cls.env.ref("base.partner_root")
        cls.settings_admin = make_officer(
            cls.env, "t.settings.admin", "base.group_system")

    @staticmethod
    def comment(record, text, **kwargs):
        """Post `text` as a comment on `record`'s thread, as the chatter's
        "Send message" does."""
        return record.message_post(
            body=text, message_type="comment", subtype="mail.mt_comment",
            **kwargs)

    def mails_to(self, partner, since=0):
        return self.Mail.search([
            ("id", ">", since), ("recipient_ids", "in", partner.ids)])

    def last_mail_id(self):
        return self.Mail.search([], order="id desc", limit=1).id or 0

    def follows(self, request, partner):
        return bool(self.env["mail.followers"].search([
            ("res_model", "=", request._name), ("res_id", "=", request.id),
            ("partner_id", "=", partner.id)]))


class TestQueuedMails(MailAttackCase):
    """Item 2: queued and failed mails are read by nobody but their
    recipients, who queued them, and the Settings administrators."""

    def test_student_cannot_read_queued_mails(self):
        victim = self.new_request(self.student_other)
        mails = self.Mail.search([("model", "=", "clearance.request"),
                                  ("res_id", "=", victim.id)])
        self.assertEqual(len(mails), 2, "the student's and the office's mail")
        # one of them failed: it stays in the queue for good
        mails[0].write({"state": "exception",
                        "failure_reason": "SMTP refused"})
        own = self.new_request(self.student_day)
        Mail = self.Mail.sudo(self.student_day)
        seen = Mail.search([])
        self.assertFalse(seen & mails)
        self.assertFalse(Mail.search([("state", "=", "exception")]) & mails)
        self.assertFalse(Mail.search_read(
            [("res_id", "=", victim.id)], ["body_html"]))
        self.assertFalse(Mail.read_group(
            [("res_id", "=", victim.id)], ["state"], ["state"]))
        for mail in mails:
            with self.assertRaises(AccessError):
                Mail.browse(mail.id).read(["body_html", "email_to"])
            # nor redirect it to themself
            with self.assertRaises(AccessError):
                Mail.browse(mail.id).write({"email_to": "me@evil.test"})
        # the mail addressed to them stays theirs to read
        mine = self.mails_to(self.student_day.partner_id).filtered(
            lambda m: m.res_id == own.id)
        self.assertEqual(len(mine), 1)
        self.assertEqual(Mail.search([("res_id", "=", own.id)]), mine)
        self.assertTrue(Mail.browse(mine.id).read(["subject"]))
        # nor can a student queue a mail of their own to anyone
        with self.assertRaises(AccessError):
            Mail.create({"email_to": "anyone@world.test", "subject": "Hi",
                         "body_html": "<p>Spam</p>"})

    def test_officer_cannot_read_queued_mails(self):
        request = self.new_request(self.student_other)
        mails = self.Mail.search([("model", "=", "clearance.request"),
                                  ("res_id", "=", request.id)])
        to_office = mails.filtered(
            lambda m: self.officers["department"].partner_id in m.recipient_ids)
        to_student = mails - to_office
        self.assertEqual((len(to_office), len(to_student)), (1, 1))
        to_student.state = "exception"
        # an officer of another office reads none of them
        kharazmi = self.Mail.sudo(self.officers["library_kharazmi"])
        self.assertFalse(kharazmi.search([]) & mails)
        with self.assertRaises(AccessError):
            kharazmi.browse(to_student.id).read(["body_html"])
        # the department reads the mail addressed to it, not the student's
        department = self.Mail.sudo(self.officers["department"])
        self.assertEqual(department.search([("id", "in", mails.ids)]),
                         to_office)
        with self.assertRaises(AccessError):
            department.browse(to_student.id).read(["body_html"])
        with self.assertRaises(AccessError):
            department.browse(to_office.id).write({"email_to": "x@evil.test"})
        # nor does a clearance manager: mails are the Settings' business
        manager = self.Mail.sudo(self.manager)
        self.assertFalse(manager.search([("id", "in", to_student.ids)]))

    def test_settings_admin_still_reads_every_mail(self):
        request = self.new_request(self.student_other)
        mails = self.Mail.search([("res_id", "=", request.id),
                                  ("model", "=", "clearance.request")])
        mails[0].state = "exception"
        admin = self.Mail.sudo(self.settings_admin)
        self.assertEqual(admin.search([("id", "in", mails.ids)]), mails)
        self.assertTrue(admin.browse(mails.ids).read(["body_html"]))
        admin.browse(mails[0].id).write({"state": "outgoing"})
        self.assertEqual(mails[0].state, "outgoing")
        # the superuser (admin) too
        self.assertEqual(self.Mail.sudo(SUPERUSER_ID).search(
            [("id", "in", mails.ids)]), mails)

    def test_users_posting_still_mail_the_followers(self):
        request = self.new_request(self.student_day)
        since = self.last_mail_id()
        # an officer's comment mails the student, who follows comments
        self.comment(request.sudo(self.officers["department"]),
                     "Bring your card, please.")
        mail = self.mails_to(self.student_day.partner_id, since)
        self.assertEqual(len(mail), 1)
        self.assertIn("Bring your card", mail.body_html)
        # the student's comment mails the office the request waits for
        since = self.last_mail_id()
        self.comment(request.sudo(self.student_day), "I will come on Monday.")
        mail = self.mails_to(self.officers["department"].partner_id, since)
        self.assertEqual(len(mail), 1)
        self.assertIn("I will come on Monday.", mail.body_html)
        # an employee who queues a mail (the composer's mass mailing)
        # still sends it and reads it
        composer = self.env["mail.compose.message"].sudo(
            self.officers["department"]).with_context(
                active_ids=request.ids, active_model=request._name).create({
                    "composition_mode": "mass_mail",
                    "model": request._name, "res_id": request.id,
                    "subject": "Your card", "body": "<p>Card</p>",
                    "partner_ids": [(4, self.student_day.partner_id.id)]})
        since = self.last_mail_id()
        composer.send_mail()
        queued = self.Mail.search([("id", ">", since)])
        self.assertEqual(len(queued), 1)
        self.assertTrue(self.Mail.sudo(self.officers["department"]).browse(
            queued.id).read(["subject"]))


class TestFollowingOthersRequests(MailAttackCase):
    """Item 3: following, subscribing and posting need the right to read
    the request; students cannot forge the author or the sender."""

    def test_student_cannot_follow_another_students_request(self):
        victim = self.new_request(self.student_other)
        attacker = self.student_day
        Followers = self.env["mail.followers"].sudo(attacker)
        with self.assertRaises(AccessError):
            Followers.create({
                "res_model": "clearance.request", "res_id": victim.id,
                "partner_id": attacker.partner_id.id})
        as_attacker = victim.sudo(attacker)
        with self.assertRaises(AccessError):
            as_attacker.message_subscribe(partner_ids=attacker.partner_id.ids)
        with self.assertRaises(AccessError):
            as_attacker.message_subscribe_users()
        # nor by moving their own follower entry onto the victim's request
        own = self.new_request(attacker)
        entry = self.env["mail.followers"].search([
            ("res_model", "=", own._name), ("res_id", "=", own.id),
            ("partner_id", "=", attacker.partner_id.id)])
        self.assertTrue(entry)
        with self.assertRaises(AccessError):
            entry.sudo(attacker).write({"res_id": victim.id})
        self.assertFalse(self.follows(victim, attacker.partner_id))
        # so the office's messages to the victim do not reach them
        since = self.last_mail_id()
        self.comment(victim.sudo(self.officers["department"]),
                     "Your debt is 1,200,000 rial.")
        self.assertFalse(self.mails_to(attacker.partner_id, since))
        self.assertFalse(self.env["mail.message"].sudo(attacker).search([
            ("model", "=", victim._name), ("res_id", "=", victim.id)]))

    def test_student_cannot_post_in_another_students_request(self):
        victim = self.new_request(self.student_other)
        attacker = self.student_day
        count = len(victim.message_ids)
        with self.assertRaises(AccessError):
            self.comment(victim.sudo(attacker),
                         "Your request is rejected, come to room 13.",
                         email_from=SPOOFED_SENDER)
        with self.assertRaises(AccessError):
            self.env["mail.message"].sudo(attacker).create({
                "model": victim._name, "res_id": victim.id,
                "message_type": "comment", "body": "Rejected.",
                "subtype_id": self.env.ref("mail.mt_comment").id})
        # a follower entry made before this was closed gives no way in
        self.env["mail.followers"].create({
            "res_model": victim._name, "res_id": victim.id,
            "partner_id": attacker.partner_id.id})
        with self.assertRaises(AccessError):
            self.comment(victim.sudo(attacker), "Rejected.")
        with self.assertRaises(AccessError):
            self.env["mail.message"].sudo(attacker).create({
                "model": victim._name, "res_id": victim.id,
                "message_type": "comment", "body": "Rejected.",
                "subtype_id": self.env.ref("mail.mt_comment").id})
        victim.invalidate_cache()
        self.assertEqual(len(victim.message_ids), count)

    def test_officer_cannot_follow_or_post_before_their_turn(self):
        request = self.new_request(self.student_other)
        kharazmi = self.officers["library_kharazmi"]
        with self.assertRaises(AccessError):
            self.env["mail.followers"].sudo(kharazmi).create({
                "res_model": request._name, "res_id": request.id,
                "partner_id": kharazmi.partner_id.id})
        with self.assertRaises(AccessError):
            request.sudo(kharazmi).message_subscribe_users()
        with self.assertRaises(AccessError):
            self.comment(request.sudo(kharazmi), "Cleared by the library.")
        self.assertFalse(self.follows(request, kharazmi.partner_id))
        # once the request is at their office, they may
        self.forward(request)
        request.sudo(kharazmi).message_subscribe_users()
        self.assertTrue(self.follows(request, kharazmi.partner_id))
        self.comment(request.sudo(kharazmi), "Bring the borrowed books.")
        self.assertIn("Bring the borrowed books.",
                      request.message_ids[0].body)

    def test_student_cannot_forge_author_or_sender(self):
        request = self.new_request(self.student_day)
        as_student = request.sudo(self.student_day)
        office = self.officers["department"].partner_id
        count = len(request.message_ids)
        forged = [
            {"author_id": office.id},
            {"author_id": False, "email_from": SPOOFED_SENDER},
            {"email_from": SPOOFED_SENDER},
            {"reply_to": "attacker@evil.test"},
        ]
        for kwargs in forged:
            with self.assertRaises(AccessError, msg=str(kwargs)):
                self.comment(as_student, "Your request is cleared.", **kwargs)
            with self.assertRaises(AccessError, msg=str(kwargs)):
                self.env["mail.message"].sudo(self.student_day).create(dict(
                    kwargs, model=request._name, res_id=request.id,
                    message_type="comment", body="Cleared."))
        # nor by changing their own message afterwards
        message = self.comment(as_student, "A question.")
        self.assertEqual(message.author_id, self.student_day.partner_id)
        other = self.new_request(self.student_other)
        for vals in ({"author_id": office.id},
                     {"email_from": SPOOFED_SENDER},
                     {"res_id": other.id}):
            with self.assertRaises(AccessError, msg=str(vals)):
                message.sudo(self.student_day).write(vals)
        request.invalidate_cache()
        self.assertEqual(len(request.message_ids), count + 1)
        self.assertEqual(request.message_ids[0].author_id,
                         self.student_day.partner_id)


class TestPasswordSearches(MailAttackCase):
    """Item 4: no domain reaches a password field, from whatever model."""

    def assert_refused(self, call):
        with self.assertRaises(AccessError):
            call()

    def test_employee_cannot_test_password_hash_characters(self):
        self.assertTrue(self.env["res.partner"].search_count(
            [("user_ids.password_crypt", "=like", HASH_PREFIX)]),
            "the superuser's search works: the hashes are there")
        for user in (self.employee, self.officers["department"],
                     self.manager):
            Partner = self.env["res.partner"].sudo(user)
            Users = self.env["res.users"].sudo(user)
            for field in ("password_crypt", "password"):
                path = "user_ids.%s" % field
                self.assert_refused(lambda: Partner.search_count(
                    [(path, "=like", HASH_PREFIX)]))
                self.assert_refused(lambda: Partner.search(
                    ["|", ("id", "=", 0), (path, "=like", HASH_PREFIX)]))
                self.assert_refused(lambda: Partner.name_search(
                    "", args=[(path, "=like", HASH_PREFIX)]))
                self.assert_refused(lambda: Partner.read_group(
                    [(path, "=like", HASH_PREFIX)], ["name"], ["name"]))
                self.assert_refused(lambda: Users.search_count(
                    [("partner_id.user_ids.%s" % field, "=like",
                      HASH_PREFIX)]))
                # res.users' own read_group skipped Odoo's guard as well
                self.assert_refused(lambda: Users.read_group(
                    [(field, "=like", HASH_PREFIX)], ["login"], ["login"]))
                self.assert_refused(lambda: Users.search(
                    [], order="%s desc" % field))
        # other paths through the same relation still work
        Partner = self.env["res.partner"].sudo(self.employee)
        self.assertEqual(Partner.search(
            [("user_ids.login", "=", self.student_day.login)]),
            self.student_day.partner_id)

    def test_officer_cannot_test_password_hash_through_requests(self):
        request = self.new_request(self.student_day)
        path = "partner_id.user_ids.password_crypt"
        self.assertEqual(self.Request.search_count(
            [("id", "=", request.id), (path, "=like", HASH_PREFIX)]), 1)
        for user in (self.officers["department"], self.manager,
                     self.student_day):
            Request = self.Request.sudo(user)
            self.assert_refused(lambda: Request.search_count(
                [(path, "=like", HASH_PREFIX)]))
            self.assert_refused(lambda: Request.read_group(
                [(path, "=like", HASH_PREFIX)], ["reason"], ["reason"]))
            self.assert_refused(lambda: Request.name_search(
                "", args=[("user_id.password", "!=", False)]))
            # the student number, a related field, leads nowhere secret
            self.assertEqual(Request.search(
                [("id", "=", request.id),
                 ("partner_id.user_ids.login", "=", self.student_day.login)]),
                request)


class TestMailingAnyone(MailAttackCase):
    """Item 6: a student addresses only the office their request waits
    for."""

    def test_student_cannot_make_the_system_mail_anyone(self):
        request = self.new_request(self.student_day)
        as_student = request.sudo(self.student_day)
        others = (self.admin_partner | self.student_other.partner_id
                  | self.officers["library_kharazmi"].partner_id)
        channel = self.env.ref("mail.channel_all_employees")
        since = self.last_mail_id()
        for partner in others:
            for value in ([partner.id], [(4, partner.id)],
                          [(6, 0, [partner.id])]):
                with self.assertRaises(AccessError):
                    self.comment(as_student, "Free exam answers!",
                                 partner_ids=value)
            with self.assertRaises(AccessError):
                as_student.message_subscribe(partner_ids=partner.ids)
        for user in (self.manager, self.officers["library_kharazmi"],
                     self.student_other):
            with self.assertRaises(AccessError):
                as_student.message_subscribe_users(user_ids=user.ids)
        with self.assertRaises(AccessError):
            self.comment(as_student, "Free exam answers!",
                         channel_ids=[(4, channel.id)])
        with self.assertRaises(AccessError):
            as_student.message_subscribe(channel_ids=channel.ids)
        with self.assertRaises(AccessError):
            self.env["mail.message"].sudo(self.student_day).create({
                "model": request._name, "res_id": request.id,
                "message_type": "comment", "body": "Free exam answers!",
                "subtype_id": self.env.ref("mail.mt_comment").id,
                "partner_ids": [(6, 0, others.ids)]})
        with self.assertRaises(AccessError):
            self.env["mail.followers"].sudo(self.student_day).create({
                "res_model": request._name, "res_id": request.id,
                "partner_id": self.student_other.partner_id.id})
        with self.assertRaises(AccessError):
            self.env["mail.compose.message"].sudo(
                self.student_day).with_context(
                    active_ids=request.ids,
                    active_model=request._name).create({
                        "composition_mode": "mass_mail",
                        "model": request._name, "res_id": request.id,
                        "subject": "Free exam answers", "body": "<p>!</p>",
                        "partner_ids": [(6, 0, others.ids)]}).send_mail()
        for partner in others:
            self.assertFalse(self.mails_to(partner, since), partner.name)
            self.assertFalse(self.follows(request, partner), partner.name)
        self.assertFalse(self.env["mail.followers"].search([
            ("res_model", "=", request._name), ("res_id", "=", request.id),
            ("channel_id", "=", channel.id)]))

    def test_student_still_reaches_the_office_their_request_waits_for(self):
        request = self.new_request(self.student_day)
        as_student = request.sudo(self.student_day)
        office = self.officers["department"].partner_id
        since = self.last_mail_id()
        message = self.comment(as_student, "I handed in my card.")
        self.assertIn(office, message.sudo().partner_ids)
        self.assertEqual(len(self.mails_to(office, since)), 1)
        # naming the office's officers themselves is allowed too
        message = self.comment(as_student, "Again.", partner_ids=office.ids)
        self.assertIn(office, message.sudo().partner_ids)
        # and they may stop and start following their own request
        as_student.message_unsubscribe(self.student_day.partner_id.ids)
        self.assertFalse(self.follows(request, self.student_day.partner_id))
        as_student.message_subscribe(self.student_day.partner_id.ids)
        self.assertTrue(self.follows(request, self.student_day.partner_id))
        # but not make the office stop following
        request.message_subscribe(office.ids)
        with self.assertRaises(AccessError):
            as_student.message_unsubscribe(office.ids)
        self.assertTrue(self.follows(request, office))


class TestReadingOthersMailRecords(MailAttackCase):
    """Item 7: to-dos, followers and notifications are read only by those
    they concern."""

    def test_officer_cannot_read_other_offices_todos(self):
        at_department = self.new_request(self.student_other)
        todo = at_department.sudo().activity_ids
        self.assertEqual(todo.mapped("user_id") & self.officers["department"],
                         self.officers["department"])
        kharazmi = self.officers["library_kharazmi"]
        Activity = self.env["mail.activity"].sudo(kharazmi)
        self.assertFalse(Activity.search([("id", "in", todo.ids)]))
        self.assertFalse(Activity.search([
            ("res_model", "=", "clearance.request"),
            ("res_id", "=", at_department.id)]))
        self.assertNotIn(at_department.name, str(Activity.search_read(
            [], ["summary", "res_name"])))
        self.assertFalse(Activity.read_group(
            [("id", "in", todo.ids)], ["res_model"], ["res_model"]))
        with self.assertRaises(AccessError):
            Activity.browse(todo.ids).read(["summary", "res_name"])
        # the department reads the to-dos of the request it may read
        mine = self.env["mail.activity"].sudo(self.officers["department"])
        self.assertEqual(mine.search([("id", "in", todo.ids)]), todo)
        # once the request is at Kharazmi, its officer reads the to-do of
        # Kharazmi there; the department, who cleared the request and still
        # reads it, reads the to-dos on it (the document's right)
        self.forward(at_department)
        todo = at_department.sudo().activity_ids
        self.assertTrue(todo)
        self.assertEqual(Activity.search([("id", "in", todo.ids)]), todo)
        self.assertEqual(mine.search([("id", "in", todo.ids)]), todo)
        self.assertTrue(at_department.sudo(kharazmi).activity_ids)
        # an employee of no office reads none
        self.assertFalse(self.env["mail.activity"].sudo(self.employee).search(
            [("id", "in", todo.ids)]))

    def test_officer_cannot_list_who_follows_other_offices_requests(self):
        """Who follows a request names its student: an officer reads the
        followers of the requests they may read, not those of others."""
        at_department = self.new_request(self.student_other)
        followers = self.env["mail.followers"].search([
            ("res_model", "=", at_department._name),
            ("res_id", "=", at_department.id)])
        self.assertIn(self.student_other.partner_id,
                      followers.mapped("partner_id"))
        kharazmi = self.officers["library_kharazmi"]
        Followers = self.env["mail.followers"].sudo(kharazmi)
        self.assertFalse(Followers.search([("id", "in", followers.ids)]))
        self.assertFalse(Followers.search([
            ("partner_id", "=", self.student_other.partner_id.id),
            ("res_model", "=", at_department._name)]))
        with self.assertRaises(AccessError):
            Followers.browse(followers.ids).read(["partner_id", "res_id"])
        # the department, whose queue has it, reads them
        self.assertEqual(self.env["mail.followers"].sudo(
            self.officers["department"]).search([("id", "in", followers.ids)]),
            followers)
        # and once the request reaches Kharazmi, so does its officer
        self.forward(at_department)
        self.assertEqual(Followers.search([("id", "in", followers.ids)]),
                         followers)
        # the followers of other documents keep Odoo's own rights
        partner = self.env["res.partner"].create({"name": "A supplier"})
        partner.message_subscribe([self.officers["department"].partner_id.id])
        self.assertTrue(Followers.search([
            ("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]))

    def test_reader_fields_refuse_other_searches(self):
        """The fields of readers the rules search answer only "is this user
        a reader", with a translated refusal for anything else."""
        officer = self.officers["department"]
        cases = [("mail.followers", "request_reader_ids"),
                 ("mail.followers", "document_reader_ids"),
                 ("mail.activity", "document_reader_ids")]
        for model, field in cases:
            records = self.env[model].sudo(officer).with_context(lang="fa_IR")
            for domain in ([(field, "=", officer.id)],
                           [(field, "in", [officer.id, self.manager.id])]):
                with self.assertRaises(UserError) as refused:
                    records.search(domain)
                self.assertNotIn("Unsupported", str(refused.exception))
                self.assertIn("پشتیبانی", str(refused.exception))

    def test_student_cannot_read_followers_or_notifications_of_others(self):
        victim = self.new_request(self.student_other)
        own = self.new_request(self.student_day)
        for request in (victim, own):
            self.comment(request.sudo(self.officers["department"]),
                         "Bring your card.")
        Followers = self.env["mail.followers"].sudo(self.student_day)
        theirs = self.env["mail.followers"].search([
            ("res_model", "=", victim._name), ("res_id", "=", victim.id)])
        self.assertTrue(theirs)
        self.assertFalse(Followers.search([("id", "in", theirs.ids)]))
        with self.assertRaises(AccessError):
            Followers.browse(theirs.ids).read(["partner_id", "res_id"])
        self.assertFalse(Followers.search(
            [("partner_id", "=", self.student_other.partner_id.id)]))
        # the followers of their own request are theirs to read
        followers = self.env["mail.followers"].search([
            ("res_model", "=", own._name), ("res_id", "=", own.id)])
        self.assertEqual(Followers.search([("id", "in", followers.ids)]),
                         followers)
        self.assertTrue(own.sudo(self.student_day).message_follower_ids)
        # notifications: their own only
        Notification = self.env["mail.notification"]
        others = Notification.search([
            ("res_partner_id", "=", self.student_other.partner_id.id)])
        self.assertTrue(others)
        as_student = Notification.sudo(self.student_day)
        self.assertFalse(as_student.search([("id", "in", others.ids)]))
        with self.assertRaises(AccessError):
            as_student.browse(others.ids).read(["mail_message_id"])
        mine = Notification.search([
            ("res_partner_id", "=", self.student_day.partner_id.id)])
        self.assertTrue(mine)
        self.assertEqual(as_student.search([]), mine)


class TestMailAttacksOverRpc(HttpCursorCase):
    """The same attacks as JSON-RPC calls of a logged-in user, through the
    web client's /web/dataset/call_kw."""

    context = {"mail_notify_force_send": False}

    def setUp(self):
        super().setUp()
        self.make_people("rpc", "940001", ("Rpc Student", "Rpc Victim"))
        self.employee = make_officer(self.env, "t.rpc.employee")

    def new_request(self, student):
        request = self.env["clearance.request"].sudo(student).create({
            "partner_id": student.partner_id.id, "reason": "withdrawal"})
        request.action_submit()
        return request.sudo()

    def login(self, user):
        self.authenticate(user.login, user.login)

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def call_kw(self, model, method, *args, **kwargs):
        """A JSON-RPC call as the web client makes it; the answer's
        result, or its error's data."""
        # A failed call rolls the test cursor back to its last commit,
        # which only moves a savepoint inside this test.
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=30, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs}})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def assert_access_error(self, call_result):
        result, error = call_result
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertEqual(error["name"], "odoo.exceptions.AccessError",
                         error.get("message"))

    def test_student_cannot_read_queued_mails_over_json_rpc(self):
        victim = self.new_request(self.other)
        mails = self.env["mail.mail"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", victim.id)])
        self.assertEqual(len(mails), 2)
        self.login(self.student)
        # students reach no model over RPC unless it is on the allowlist
        # (base_rpc_allowlist): queued mails are not
        self.assert_access_error(self.call_kw(
            "mail.mail", "search_read", [("res_id", "=", victim.id)],
            ["subject", "body_html", "email_to"]))
        self.assert_access_error(self.call_kw(
            "mail.mail", "read", mails.ids, ["body_html"]))
        self.login(self.kharazmi)
        result, error = self.call_kw(
            "mail.mail", "search_read", [("res_id", "=", victim.id)],
            ["subject"])
        self.assertEqual((result, error), ([], None))

    def test_student_cannot_follow_and_post_in_another_request_over_json_rpc(
            self):
        victim = self.new_request(self.other)
        count = len(victim.message_ids)
        self.login(self.student)
        self.assert_access_error(self.call_kw(
            "mail.followers", "create", {
                "res_model": "clearance.request", "res_id": victim.id,
                "partner_id": self.student.partner_id.id}))
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_post", [victim.id],
            body="Rejected: come to room 13.", message_type="comment",
            subtype="mail.mt_comment", email_from=SPOOFED_SENDER))
        self.assertFalse(self.env["mail.followers"].search([
            ("res_model", "=", "clearance.request"),
            ("res_id", "=", victim.id),
            ("partner_id", "=", self.student.partner_id.id)]))
        # on their own request, not under an office's name either
        own = self.new_request(self.student)
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_post", [own.id],
            body="Cleared.", message_type="comment",
            subtype="mail.mt_comment", email_from=SPOOFED_SENDER))
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_post", [own.id],
            body="Cleared.", message_type="comment",
            subtype="mail.mt_comment",
            author_id=self.department.partner_id.id))
        # nor through the portal chatter's form with an extra field
        page = self.url("/my/clearance/%d" % own.id)
        token = CSRF_RE.search(self.opener.get(page).text).group(1)
        self.registry.test_cr.commit()
        response = self.opener.post(self.url("/mail/chatter_post"), data={
            "csrf_token": token, "res_model": "clearance.request",
            "res_id": own.id, "message": "Cleared.",
            "email_from": SPOOFED_SENDER}, headers={"Referer": page})
        self.env.cache.invalidate()
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("Traceback", response.text)
        victim.invalidate_cache()
        self.assertEqual(len(victim.message_ids), count)
        self.assertFalse(self.env["mail.message"].search([
            ("email_from", "=", SPOOFED_SENDER)]))

    def test_employee_cannot_test_password_hash_over_json_rpc(self):
        self.login(self.employee)
        self.assert_access_error(self.call_kw(
            "res.partner", "search_count",
            [("user_ids.password_crypt", "=like", HASH_PREFIX)]))
        self.assert_access_error(self.call_kw(
            "res.users", "read_group",
            [("password_crypt", "=like", HASH_PREFIX)], ["login"], ["login"]))
        self.login(self.department)
        self.assert_access_error(self.call_kw(
            "clearance.request", "search_count",
            [("partner_id.user_ids.password_crypt", "=like", HASH_PREFIX)]))
        result, error = self.call_kw(
            "res.partner", "search_count",
            [("user_ids.login", "=", self.student.login)])
        self.assertEqual((result, error), (1, None))

    def test_student_cannot_mail_anyone_over_json_rpc(self):
        own = self.new_request(self.student)
        admin = self.env.ref("base.partner_root")
        since = self.env["mail.mail"].search(
            [], order="id desc", limit=1).id or 0
        self.login(self.student)
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_post", [own.id],
            body="Free exam answers!", message_type="comment",
            subtype="mail.mt_comment",
            partner_ids=[admin.id, self.other.partner_id.id]))
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_subscribe", [own.id],
            partner_ids=[self.other.partner_id.id]))
        self.assert_access_error(self.call_kw(
            "clearance.request", "message_subscribe_users", [own.id],
            user_ids=[self.kharazmi.id]))
        self.assert_access_error(self.call_kw(
            "mail.mail", "create", {
                "email_to": "anyone@world.test", "subject": "Hi",
                "body_html": "<p>Spam</p>"}))
        self.assertFalse(self.env["mail.mail"].search([
            ("id", ">", since), "|", "|",
            ("recipient_ids", "in", (admin | self.other.partner_id).ids),
            ("email_to", "=", "anyone@world.test"),
            ("recipient_ids", "in", self.kharazmi.partner_id.ids)]))
        # the office the request waits for is reached, through the portal's
        # chatter (RPC is closed to students: base_rpc_allowlist)
        page = self.url("/my/clearance/%d" % own.id)
        token = CSRF_RE.search(self.opener.get(page).text).group(1)
        self.registry.test_cr.commit()
        response = self.opener.post(self.url("/mail/chatter_post"), data={
            "csrf_token": token, "res_model": "clearance.request",
            "res_id": own.id, "message": "I handed in my card."},
            headers={"Referer": page})
        self.env.cache.invalidate()
        self.assertLess(response.status_code, 400)
        message = self.env["mail.message"].search([
            ("model", "=", "clearance.request"), ("res_id", "=", own.id),
            ("body", "like", "I handed in my card.")])
        self.assertEqual(len(message), 1)
        self.assertIn(self.department.partner_id, message.partner_ids)

    def test_officer_cannot_read_other_offices_todos_over_json_rpc(self):
        request = self.new_request(self.other)
        todos = request.activity_ids
        self.assertIn(self.department, todos.mapped("user_id"))
        self.login(self.kharazmi)
        result, error = self.call_kw(
            "mail.activity", "search_read",
            [("res_model", "=", "clearance.request")],
            ["summary", "res_name"])
        self.assertFalse(error)
        self.assertFalse([r for r in result if r["id"] in todos.ids])
        self.assert_access_error(self.call_kw(
            "mail.activity", "read", todos.ids, ["summary", "res_name"]))
        self.login(self.department)
        result, error = self.call_kw(
            "mail.activity", "search_read", [("id", "in", todos.ids)],
            ["summary"])
        self.assertFalse(error)
        self.assertEqual(sorted(r["id"] for r in result), sorted(todos.ids))

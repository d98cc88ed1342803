"""Attacks on a clearance request's attachments and messages, as a student
makes them over JSON-RPC, through the portal's chatter and /web/content
(issue 21: items 2 and 8 for attachments and mail, and the findings on the
bus, followers and channel members). The guards are the technical addons
`attachment_security` and `mail_security`."""
import base64
import re

from odoo.tests import common as odoo_tests

from .common import HttpCursorCase

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
OFFICE_NOTE = "Internal: the student owes the library two books"
STUDENT_FILE = b"Victim's scanned national card"


def b64(data):
    return base64.b64encode(data).decode()


class ClearanceAttackCase(HttpCursorCase):

    context = {"mail_notify_force_send": False}

    def setUp(self):
        super().setUp()
        self.make_people("att", "950001", ("Att Student", "Att Victim"))
        self.victim_request = self.new_request(self.other)
        # the victim's file on their request, the office's internal note
        self.victim_file = self.env["ir.attachment"].create({
            "name": "victim-national-card.txt", "datas": b64(STUDENT_FILE),
            "datas_fname": "card.txt", "res_model": "clearance.request",
            "res_id": self.victim_request.id})
        self.victim_request.sudo(self.department).message_post(
            body=OFFICE_NOTE, message_type="comment", subtype="mail.mt_note")
        self.own_request = self.new_request(self.student)

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
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=60, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs}})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def assert_refused(self, call_result, error_name="AccessError"):
        result, error = call_result
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertEqual(error["name"], "odoo.exceptions.%s" % error_name,
                         error.get("message"))
        return error["message"]

    def student_attachments(self):
        return self.env["ir.attachment"].search(
            [("create_uid", "=", self.student.id)])


class TestAttachmentAttacks(ClearanceAttackCase):

    def test_student_cannot_read_a_file_through_its_stored_name(self):
        """A student's attachment naming another attachment's store_fname
        served that file through /web/content/<own id>."""
        self.allow_portal_rpc("ir.attachment", "create")
        self.login(self.student)
        before = self.student_attachments()
        stolen = self.victim_file.store_fname
        self.assert_refused(self.call_kw("ir.attachment", "create", {
            "name": "mine.txt", "store_fname": stolen,
            "res_model": "clearance.request",
            "res_id": self.own_request.id}))
        self.assert_refused(self.call_kw(
            "ir.attachment", "create", {"name": "mine.txt"},
            context={"default_store_fname": stolen}))
        self.assertEqual(self.student_attachments(), before)
        # the student's own file serves the student's bytes only
        own, error = self.call_kw("ir.attachment", "create", {
            "name": "my-card.txt", "datas": b64(b"My own card")})
        self.assertFalse(error)
        self.registry.test_cr.commit()
        response = self.opener.get(
            self.url("/web/content/%s?download=true" % own), timeout=30)
        self.assertEqual(response.content, b"My own card")
        self.assertNotIn(STUDENT_FILE, response.content)

    def test_student_groups_no_other_request_attachment(self):
        """read_group gave another student's attachment names, contents
        (index_content) and stored file names."""
        self.allow_portal_rpc("ir.attachment", "read_group")
        self.login(self.student)
        result, error = self.call_kw(
            "ir.attachment", "read_group", [], ["name"], ["name"])
        self.assertFalse(error)
        self.assertNotIn(self.victim_file.name,
                         [group["name"] for group in result])
        for field in ("index_content", "store_fname"):
            self.assert_refused(self.call_kw(
                "ir.attachment", "read_group", [], [field], [field]))

    def test_student_makes_no_link_or_public_file(self):
        """A student's URL attachment redirected an officer's /web/content
        to any site; a student published a file to anonymous visitors."""
        self.login(self.student)
        before = self.student_attachments()
        self.assert_refused(self.call_kw("ir.attachment", "create", {
            "name": "Your certificate", "type": "url",
            "url": "https://evil.test/phish"}))
        self.assert_refused(self.call_kw("ir.attachment", "create", {
            "name": "leak.txt", "datas": b64(b"leak"), "public": True}))
        self.assertEqual(self.student_attachments(), before)

    def test_upload_over_the_cap_refused(self):
        """A 26 MB upload was accepted, with no quota."""
        self.env["ir.config_parameter"].set_param(
            "attachment_security.max_size_mb", "1")
        self.allow_portal_rpc("ir.attachment", "create")
        self.login(self.student)
        message = self.assert_refused(self.call_kw(
            "ir.attachment", "create", {
                "name": "big.bin", "datas": b64(b"x" * (1024 * 1024 + 1))}),
            "UserError")
        self.assertIn("at most 1 MB", message)


class TestMessageAttacks(ClearanceAttackCase):

    def test_student_groups_no_other_thread(self):
        """mail.message.read_group grouped by body gave another student's
        whole thread, the office's internal notes included."""
        self.allow_portal_rpc("mail.message", "read_group")
        self.login(self.student)
        result, error = self.call_kw(
            "mail.message", "read_group", [("body", "!=", False)], ["body"],
            ["body"], lazy=False)
        self.assertFalse(error)
        bodies = " ".join(group["body"] or "" for group in result)
        self.assertNotIn(OFFICE_NOTE, bodies)
        result, error = self.call_kw(
            "mail.message", "read_group",
            [("model", "=", "clearance.request"),
             ("res_id", "=", self.victim_request.id)], ["res_id"], ["res_id"])
        self.assertEqual(result, [])

    def test_student_cannot_author_as_officer_through_defaults(self):
        """default_author_id (an officer) and default_partner_ids (another
        student, the manager) on mail.message.create: the officer showed as
        author and mails were queued to both."""
        victims = self.other.partner_id | self.env.ref(
            "base.partner_root")
        Mail = self.env["mail.mail"]
        mails = Mail.search([("recipient_ids", "in", victims.ids)])
        self.login(self.student)
        self.assert_refused(self.call_kw(
            "mail.message", "create", {
                "body": "Your request is cleared", "message_type": "comment",
                "model": "clearance.request", "res_id": self.own_request.id,
                "subtype_id": self.env.ref("mail.mt_comment").id},
            context={"default_author_id": self.department.partner_id.id,
                     "default_partner_ids": victims.ids}))
        self.assertFalse(self.env["mail.message"].search(
            [("body", "ilike", "Your request is cleared")]))
        self.assertEqual(Mail.search([("recipient_ids", "in", victims.ids)]),
                         mails)

    def test_student_posts_rate_limited_on_the_portal(self):
        """A student posted 40 messages in 2.7 s, all accepted."""
        self.env["ir.config_parameter"].set_param(
            "mail_security.posts_per_minute", "2")
        self.login(self.student)
        page = self.url("/my/clearance/%d" % self.own_request.id)
        token = CSRF_RE.search(self.opener.get(page).text).group(1)
        statuses = []
        for index in range(3):
            self.registry.test_cr.commit()
            response = self.opener.post(
                self.url("/mail/chatter_post"), allow_redirects=False,
                timeout=60, headers={"Referer": page}, data={
                    "csrf_token": token, "res_model": "clearance.request",
                    "res_id": self.own_request.id,
                    "message": "Please hurry %d" % index})
            statuses.append(response.status_code)
        self.env.cache.invalidate()
        self.assertEqual(statuses, [302, 302, 429])
        self.assertEqual(len(self.env["mail.message"].search(
            [("body", "ilike", "Please hurry")])), 2)

    def test_student_sends_no_bus_notification(self):
        """bus.bus.sendmany sent fake Inbox notifications "from
        Administrator" to other students and officers."""
        channel = [self.cr.dbname, "res.partner", self.department.partner_id.id]
        self.login(self.student)
        self.assert_refused(self.call_kw("bus.bus", "sendmany", [[channel, {
            "info": "Fake", "body": "Your clearance was cancelled"}]]))
        self.assertFalse(self.env["bus.bus"].search(
            [("message", "ilike", "Your clearance was cancelled")]))

    def test_student_reads_no_other_followers_nor_staff_channels(self):
        """/mail/read_followers with another res_model gave other documents'
        followers; mail.channel.partner listed the staff."""
        followers = self.env["mail.followers"].search([
            ("res_model", "=", "clearance.request"),
            ("res_id", "=", self.victim_request.id)])
        self.assertTrue(followers)
        self.allow_portal_rpc("mail.channel.partner", "search_read")
        self.login(self.student)
        self.registry.test_cr.commit()
        answer = self.opener.post(
            self.url("/mail/read_followers"), timeout=30, json={
                "jsonrpc": "2.0", "method": "call", "params": {
                    "follower_ids": followers.ids,
                    "res_model": "res.country"}}).json()
        names = [f["name"] for f in answer.get("result", {}).get(
            "followers", [])]
        self.assertNotIn(self.other.name, names)
        result, error = self.call_kw(
            "mail.channel.partner", "search_read", [], ["partner_id"])
        self.assertFalse(error)
        self.assertLessEqual({row["partner_id"][0] for row in result},
                             {self.student.partner_id.id})

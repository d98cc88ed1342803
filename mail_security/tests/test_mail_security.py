"""Attacks on messages, the bus, followers and channel members as a portal
user (a student) or an employee makes them: JSON-RPC through the web
client's /web/dataset/call_kw, XML-RPC, and the mail routes."""
import hashlib
import hmac
import time
import xmlrpc.client

from odoo import SUPERUSER_ID, api
from odoo.tests import common as odoo_tests
from odoo.tests.common import HttpCase, at_install, post_install


def make_user(env, login, *group_xmlids):
    # these users read English, also in a database installed in Persian
    env.ref("base.lang_en").active = True
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login.replace(".", " ").title(), "login": login,
        "password": login, "email": "%s@example.test" % login,
        "lang": "en_US",
        "notification_type": "email",
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in group_xmlids])],
    })


@at_install(False)
@post_install(True)
class MailRpcCase(HttpCase):
    """Data built in the registry's test cursor, where Odoo 11's HTTP server
    works: two students (portal users), each with a private channel shared
    with an officer (their own thread), the officer, a manager and an
    employee-only document with an internal note."""

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore, *original)
        self.cr = self.registry.test_cr
        # mails stay in the queue, so that they can be counted
        self.env = api.Environment(self.cr, SUPERUSER_ID, {
            "mail_notify_force_send": False})
        self.student = make_user(self.env, "t.ms.student", "base.group_portal")
        self.other = make_user(self.env, "t.ms.other", "base.group_portal")
        self.officer = make_user(self.env, "t.ms.officer", "base.group_user",
                                 "base.group_partner_manager")
        self.manager = make_user(self.env, "t.ms.manager", "base.group_user")
        Channel = self.env["mail.channel"].with_context(
            mail_create_nosubscribe=True)
        self.desk = Channel.create({
            "name": "Student desk", "public": "private",
            "channel_partner_ids": [(6, 0, [self.student.partner_id.id,
                                            self.officer.partner_id.id])]})
        self.other_desk = Channel.create({
            "name": "Other desk", "public": "private",
            "channel_partner_ids": [(6, 0, [self.other.partner_id.id,
                                            self.officer.partner_id.id])]})
        self.post_as(self.other_desk, self.other,
                     "Other student's private words")
        self.board = self.env["res.partner"].create({"name": "Exam board"})
        self.board.message_subscribe([self.other.partner_id.id])
        self.post_as(self.board, self.officer,
                     "Office internal note about the other student",
                     subtype="mail.mt_note")

    @staticmethod
    def post_as(record, user, text, subtype="mail.mt_comment"):
        return record.sudo(user).message_post(
            body=text, message_type="comment", subtype=subtype)

    def _restore(self, cr, env):
        self.cr, self.env = cr, env

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def login(self, user):
        self.authenticate(user.login, user.login)

    def allow_portal_rpc(self, model, *methods):
        """base_rpc_allowlist, where installed, refuses portal users' RPC
        calls before the guard under test sees them: open `methods` of
        `model` for this test, so that this addon's guard is tried through
        the same entry point."""
        cls = type(self.env[model])
        had = "_portal_rpc_methods" in cls.__dict__
        old = cls.__dict__.get("_portal_rpc_methods")
        cls._portal_rpc_methods = frozenset(old or ()) | frozenset(methods)

        def restore():
            if had:
                cls._portal_rpc_methods = old
            else:
                del cls._portal_rpc_methods
        self.addCleanup(restore)

    def json(self, path, params):
        """A JSON-RPC call: its result, or its error's data."""
        # a failed call rolls the test cursor back to its last commit, which
        # only moves a savepoint inside this test
        self.registry.test_cr.commit()
        response = self.opener.post(self.url(path), timeout=60, json={
            "jsonrpc": "2.0", "method": "call", "params": params})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def csrf_token(self):
        secret = self.env["ir.config_parameter"].get_param("database.secret")
        max_ts = int(time.time() + 3600)
        digest = hmac.new(secret.encode("ascii"), (
            "%s%s" % (self.session_id, max_ts)).encode(),
            hashlib.sha1).hexdigest()
        return "%so%s" % (digest, max_ts)

    def call_kw(self, model, method, *args, **kwargs):
        return self.json("/web/dataset/call_kw/%s/%s" % (model, method), {
            "model": model, "method": method, "args": list(args),
            "kwargs": kwargs})

    def assert_refused(self, call_result, error_name="AccessError"):
        result, error = call_result
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertEqual(error["name"], "odoo.exceptions.%s" % error_name,
                         error.get("message"))
        return error["message"]

    def messages(self, body):
        return self.env["mail.message"].search([("body", "ilike", body)])

    def mails_to(self, partners):
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", partners.ids)])


class TestReadGroup(MailRpcCase):

    def test_student_groups_only_messages_they_may_read(self):
        """Grouped by body, a student read another student's thread and the
        office's internal notes."""
        self.post_as(self.desk, self.student, "My own question")
        self.allow_portal_rpc("mail.message", "read_group")
        self.login(self.student)
        result, error = self.call_kw(
            "mail.message", "read_group", [], ["body"], ["body"], lazy=False)
        self.assertFalse(error)
        bodies = " ".join(group["body"] or "" for group in result)
        self.assertIn("My own question", bodies)
        self.assertNotIn("Other student's private words", bodies)
        self.assertNotIn("Office internal note", bodies)
        result, error = self.call_kw(
            "mail.message", "read_group",
            [("model", "=", "res.partner"), ("res_id", "=", self.board.id)],
            ["res_id"], ["res_id"])
        self.assertFalse(error)
        self.assertEqual(result, [])
        # the officer of both desks still groups them
        self.login(self.officer)
        result, error = self.call_kw(
            "mail.message", "read_group", [("model", "=", "mail.channel")],
            ["res_id"], ["res_id"])
        self.assertFalse(error)
        self.assertLessEqual({self.desk.id, self.other_desk.id},
                             {group["res_id"] for group in result})


class TestForgedMessages(MailRpcCase):

    def test_student_cannot_forge_author_or_recipients_through_defaults(self):
        """A student's mail.message.create with default_author_id (an
        officer) and default_partner_ids (another student, the manager)
        showed the officer as author and queued mails to both."""
        victims = self.other.partner_id | self.manager.partner_id
        mails_before = self.mails_to(victims)
        self.allow_portal_rpc("mail.message", "create", "write")
        self.allow_portal_rpc("mail.channel", "message_post")
        self.login(self.student)
        values = {"body": "Forged notice", "message_type": "comment",
                  "model": "mail.channel", "res_id": self.desk.id,
                  "subtype_id": self.env.ref("mail.mt_comment").id}
        for context in [
                {"default_author_id": self.officer.partner_id.id},
                {"default_partner_ids": victims.ids},
                {"default_needaction_partner_ids": victims.ids},
                {"default_channel_ids": self.other_desk.ids},
                {"default_author_id": self.officer.partner_id.id,
                 "default_partner_ids": victims.ids}]:
            self.assert_refused(self.call_kw(
                "mail.message", "create", values, context=context))
        # nor in the values themselves
        for forged in [{"author_id": self.officer.partner_id.id},
                       {"author_id": False},
                       {"partner_ids": [(4, self.manager.partner_id.id)]},
                       {"partner_ids": [(0, 0, {"name": "New",
                                                "email": "x@evil.test"})]},
                       {"email_from": "Registrar <registrar@example.test>"},
                       {"reply_to": "evil@evil.test"}]:
            self.assert_refused(self.call_kw(
                "mail.message", "create", dict(values, **forged)))
        # message_post with forged recipients or a default author
        self.assert_refused(self.call_kw(
            "mail.channel", "message_post", [self.desk.id],
            body="Forged notice", message_type="comment",
            partner_ids=[self.manager.partner_id.id]))
        self.assertFalse(self.messages("Forged notice"))
        self.assertEqual(self.mails_to(victims), mails_before)
        # the student's own message, in their own name, goes through
        result, error = self.call_kw(
            "mail.channel", "message_post", [self.desk.id],
            body="A real question", message_type="comment",
            subtype="mail.mt_comment",
            context={"default_author_id": self.officer.partner_id.id})
        self.assertFalse(error)
        self.assertEqual(self.env["mail.message"].browse(result).author_id,
                         self.student.partner_id)
        result, error = self.call_kw("mail.message", "create", {
            "body": "My note", "message_type": "comment",
            "model": "mail.channel", "res_id": self.desk.id,
            "subtype_id": self.env.ref("mail.mt_comment").id})
        self.assertFalse(error)
        mine = self.env["mail.message"].browse(result)
        self.assertEqual(mine.author_id, self.student.partner_id)
        # nor can the student add people to it afterwards
        self.assert_refused(self.call_kw(
            "mail.message", "write", [mine.id], {
                "needaction_partner_ids": [(4, self.manager.partner_id.id)]}))
        self.assert_refused(self.call_kw(
            "mail.message", "write", [mine.id], {
                "author_id": self.officer.partner_id.id}))
        self.assertFalse(mine.needaction_partner_ids & victims)
        self.assertEqual(mine.author_id, self.student.partner_id)

    def test_employee_composer_and_forged_author(self):
        """The web client's composer, with default_partner_ids chosen by an
        employee who may mail those partners, still sends; an employee
        does not write in another's name either."""
        self.login(self.officer)
        context = {"default_model": "res.partner",
                   "default_res_id": self.board.id,
                   "default_partner_ids": [self.other.partner_id.id],
                   "default_composition_mode": "comment",
                   "mail_notify_force_send": False}
        # as the web client does: the form's defaults (default_get), then
        # the form's values saved with the same context
        defaults, error = self.call_kw(
            "mail.compose.message", "default_get", ["partner_ids"],
            context=context)
        self.assertFalse(error)
        self.assertEqual(defaults["partner_ids"],
                         [[6, 0, [self.other.partner_id.id]]])
        composer, error = self.call_kw(
            "mail.compose.message", "create",
            {"body": "Please come on Monday", "subject": "Board",
             "partner_ids": defaults["partner_ids"]},
            context=context)
        self.assertFalse(error)
        _result, error = self.call_kw(
            "mail.compose.message", "send_mail", [composer], context=context)
        self.assertFalse(error)
        message = self.messages("Please come on Monday")
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.officer.partner_id)
        self.assertIn(self.other.partner_id, message.partner_ids)
        self.assertTrue(self.mails_to(self.other.partner_id).filtered(
            lambda mail: mail.mail_message_id == message))
        # a message created with default recipients the officer may mail
        _result, error = self.call_kw(
            "mail.message", "create", {"body": "Reminder",
                                       "model": "res.partner",
                                       "res_id": self.board.id},
            context={"default_partner_ids": [self.other.partner_id.id]})
        self.assertFalse(error)
        self.assert_refused(self.call_kw(
            "mail.message", "create", {"body": "In your name",
                                       "model": "res.partner",
                                       "res_id": self.board.id},
            context={"default_author_id": self.manager.partner_id.id}))
        self.assertFalse(self.messages("In your name"))


class TestPostRate(MailRpcCase):

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(
            "mail_security.posts_per_minute", "3")

    def post(self, body, channel=None):
        return self.call_kw(
            "mail.channel", "message_post", [(channel or self.desk).id],
            body=body, message_type="comment", subtype="mail.mt_comment")

    def test_student_posts_rate_limited(self):
        """A student posted 40 messages in 2.7 s, all accepted."""
        self.allow_portal_rpc("mail.channel", "message_post")
        self.allow_portal_rpc("mail.message", "create")
        self.login(self.student)
        for index in range(3):
            _result, error = self.post("Flood %s" % index)
            self.assertFalse(error)
        message = self.assert_refused(self.post("Flood 3"), "UserError")
        self.assertIn("at most 3 messages a minute", message)
        self.assert_refused(self.call_kw("mail.message", "create", {
            "body": "Flood 4", "message_type": "comment",
            "model": "mail.channel", "res_id": self.desk.id,
            "subtype_id": self.env.ref("mail.mt_comment").id}), "UserError")
        self.assertEqual(len(self.messages("Flood")), 3)
        # employees are not limited
        self.login(self.officer)
        for index in range(5):
            _result, error = self.post("Officer %s" % index)
            self.assertFalse(error)

    def test_student_chatter_posts_rate_limited(self):
        if "portal" not in self.registry._init_modules:
            self.skipTest("the portal's chatter is not installed")
        self.login(self.student)
        self.registry.test_cr.commit()
        statuses = []
        for index in range(4):
            response = self.opener.post(
                self.url("/mail/chatter_post"), timeout=60,
                allow_redirects=False, data={
                    "res_model": "mail.channel", "res_id": self.desk.id,
                    "message": "Chatter %s" % index,
                    "csrf_token": self.csrf_token()},
                headers={"Referer": self.url("/my")})
            statuses.append(response.status_code)
        self.assertEqual(statuses, [302, 302, 302, 429])
        self.assertEqual(len(self.messages("Chatter")), 3)


class TestBus(MailRpcCase):

    def bus_rows(self):
        return self.env["bus.bus"].search([("message", "ilike", "Fake")])

    def test_bus_not_callable_over_rpc(self):
        """A student sent fake Inbox notifications "from Administrator" to
        other users through bus.bus.sendmany."""
        channel = [self.cr.dbname, "res.partner", self.other.partner_id.id]
        fake = {"info": "Fake", "body": "Fake notice from Administrator"}
        # the bus's own guard refuses the student, whatever else allows
        self.allow_portal_rpc("bus.bus", "sendmany", "sendone", "poll")
        for user in (self.student, self.officer):
            self.login(user)
            self.assert_refused(self.call_kw(
                "bus.bus", "sendmany", [[channel, fake]]))
            self.assert_refused(self.call_kw(
                "bus.bus", "sendone", channel, fake))
            # nor read another user's notifications
            self.assert_refused(self.call_kw(
                "bus.bus", "poll", [channel], 0))
        # nor over XML-RPC
        self.registry.test_cr.commit()
        models = xmlrpc.client.ServerProxy(
            self.url("/xmlrpc/2/object"), allow_none=True)
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            models.execute_kw(self.cr.dbname, self.student.id,
                              self.student.login, "bus.bus", "sendone",
                              [channel, fake])
        self.assertIn("cannot be called remotely", refused.exception.faultString)
        self.env.cache.invalidate()
        self.assertFalse(self.bus_rows())

    def test_server_still_notifies_through_the_bus(self):
        """Chat messages still reach their channel's members."""
        before = self.env["bus.bus"].search_count([])
        self.login(self.officer)
        _result, error = self.call_kw(
            "mail.channel", "message_post", [self.desk.id],
            body="Come at ten", message_type="comment",
            subtype="mail.mt_comment")
        self.assertFalse(error)
        self.assertGreater(self.env["bus.bus"].search_count([]), before)


class TestFollowersAndMembers(MailRpcCase):

    def test_read_followers_checks_the_followed_documents(self):
        """/mail/read_followers checked the model the caller named: any
        model without rules gave the followers of any document."""
        followers = self.env["mail.followers"].search([
            ("res_model", "=", "res.partner"),
            ("res_id", "=", self.board.id)])
        self.assertIn(self.other.partner_id, followers.mapped("partner_id"))
        # the route amounts to mail.followers' read
        self.allow_portal_rpc("mail.followers", "read")
        self.login(self.student)
        for res_model in ("res.country", "res.partner", "mail.channel"):
            result, error = self.json("/mail/read_followers", {
                "follower_ids": followers.ids, "res_model": res_model})
            names = [f["name"] for f in (result or {}).get("followers", [])]
            self.assertNotIn(self.other.name, names, res_model)
            emails = [f["email"] for f in (result or {}).get("followers", [])]
            self.assertNotIn(self.other.email, emails)
        # the followers of the student's own channel are theirs to read
        own = self.env["mail.followers"].search([
            ("res_model", "=", "mail.channel"), ("res_id", "=", self.desk.id)])
        if own:
            result, error = self.json("/mail/read_followers", {
                "follower_ids": own.ids, "res_model": "mail.channel"})
            self.assertFalse(error)
            self.assertEqual(len(result["followers"]), len(own))
        # an officer reads the board's followers
        self.login(self.officer)
        result, error = self.json("/mail/read_followers", {
            "follower_ids": followers.ids, "res_model": "res.partner"})
        self.assertFalse(error)
        self.assertIn(self.other.name,
                      [f["name"] for f in result["followers"]])

    def test_student_reads_only_own_channel_memberships(self):
        """mail.channel.partner listed the staff to students."""
        self.allow_portal_rpc("mail.channel.partner", "search_read")
        self.login(self.student)
        result, error = self.call_kw(
            "mail.channel.partner", "search_read", [], ["partner_id"])
        self.assertFalse(error)
        self.assertTrue(result)
        self.assertEqual({row["partner_id"][0] for row in result},
                         {self.student.partner_id.id})
        # the officer still sees the desks' members
        self.login(self.officer)
        result, error = self.call_kw(
            "mail.channel.partner", "search_read",
            [("channel_id", "=", self.desk.id)], ["partner_id"])
        self.assertEqual({row["partner_id"][0] for row in result}, {
            self.student.partner_id.id, self.officer.partner_id.id})

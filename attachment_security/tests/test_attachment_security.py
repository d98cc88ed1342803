"""Attacks on attachments as a portal user (a student) makes them: JSON-RPC
through the web client's /web/dataset/call_kw, uploads through
/web/binary/upload_attachment, and files read back through /web/content."""
import base64
import hashlib
import hmac
import time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import common as odoo_tests
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

SECRET = b"Officer's secret file: the exam questions."
MEGABYTE = 1024 * 1024


def make_user(env, login, *group_xmlids):
    # these users read English, also in a database installed in Persian
    env.ref("base.lang_en").active = True
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login.replace(".", " ").title(), "login": login,
        "password": login, "email": "%s@example.test" % login,
        "lang": "en_US",
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in group_xmlids])],
    })


def b64(data):
    return base64.b64encode(data).decode()


@at_install(False)
@post_install(True)
class AttachmentRpcCase(HttpCase):
    """Data built in the registry's test cursor, where Odoo 11's HTTP server
    works; two students (portal users), an employee and a Settings
    administrator."""

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.student = make_user(self.env, "t.att.student", "base.group_portal")
        self.other = make_user(self.env, "t.att.other", "base.group_portal")
        self.employee = make_user(self.env, "t.att.employee", "base.group_user",
                                  "base.group_partner_manager")
        self.admin = make_user(self.env, "t.att.admin", "base.group_user",
                               "base.group_system")
        # a document only employees read, with the officer's secret file
        self.document = self.env["res.partner"].create({"name": "Exam Board"})
        self.secret = self.env["ir.attachment"].sudo(self.employee).create({
            "name": "exam.txt", "datas_fname": "exam.txt", "datas": b64(SECRET),
            "res_model": "res.partner", "res_id": self.document.id})
        # the other student's own file, attached to no document
        self.victim_file = self.env["ir.attachment"].sudo(self.other).create({
            "name": "other-student-medical-note.txt",
            "datas_fname": "note.txt",
            "datas": b64(b"Other student's medical note, private words")})

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

    def call_kw(self, model, method, *args, **kwargs):
        """A JSON-RPC call as the web client makes it: its result, or its
        error's data."""
        # a failed call rolls the test cursor back to its last commit, which
        # only moves a savepoint inside this test
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

    def attachments_of(self, user):
        return self.env["ir.attachment"].search([("create_uid", "=", user.id)])

    def content(self, attachment_id):
        self.registry.test_cr.commit()
        return self.opener.get(self.url("/web/content/%s?download=true"
                                        % attachment_id),
                               timeout=30, allow_redirects=False)

    def csrf_token(self):
        secret = self.env["ir.config_parameter"].get_param("database.secret")
        max_ts = int(time.time() + 3600)
        digest = hmac.new(secret.encode("ascii"), (
            "%s%s" % (self.session_id, max_ts)).encode(),
            hashlib.sha1).hexdigest()
        return "%so%s" % (digest, max_ts)

    def upload(self, data, model="res.partner", res_id=0):
        """An upload through the web client's form."""
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/binary/upload_attachment"), timeout=60,
            data={"callback": "cb", "model": model, "id": str(res_id),
                  "csrf_token": self.csrf_token()},
            files={"ufile": ("upload.bin", data, "application/octet-stream")})
        self.env.cache.invalidate()
        return response


class TestServerFields(AttachmentRpcCase):

    def test_student_cannot_name_another_file(self):
        """The student's attachment naming the officer's stored file would
        serve that file through /web/content/<own id>."""
        self.allow_portal_rpc("ir.attachment", "create", "write", "copy")
        self.login(self.student)
        before = self.attachments_of(self.student)
        for field, value in [("store_fname", self.secret.store_fname),
                             ("db_datas", b64(SECRET)),
                             ("checksum", self.secret.checksum),
                             ("file_size", 1),
                             ("index_content", "forged")]:
            self.assert_refused(self.call_kw(
                "ir.attachment", "create", {"name": "mine", field: value}))
            # nor through the context's defaults
            self.assert_refused(self.call_kw(
                "ir.attachment", "create", {"name": "mine"},
                context={"default_%s" % field: value}))
        self.assertEqual(self.attachments_of(self.student), before)
        # nor on the student's own attachment, nor by copying it
        result, error = self.call_kw("ir.attachment", "create", {
            "name": "mine.txt", "datas": b64(b"my own words")})
        self.assertFalse(error)
        own = self.env["ir.attachment"].browse(result)
        self.assert_refused(self.call_kw(
            "ir.attachment", "write", [own.id],
            {"store_fname": self.secret.store_fname}))
        self.assert_refused(self.call_kw(
            "ir.attachment", "copy", own.id,
            {"store_fname": self.secret.store_fname}))
        self.assertNotEqual(own.store_fname, self.secret.store_fname)
        self.assertEqual(self.attachments_of(self.student), before | own)
        # the student's file serves the student's bytes
        response = self.content(own.id)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"my own words")
        self.assertNotIn(SECRET, response.content)

    def test_copy_and_employee_use_still_work(self):
        """An employee attaches files and duplicates them; a copy gets its
        bytes from the original's file."""
        self.login(self.employee)
        result, error = self.call_kw("ir.attachment", "create", {
            "name": "minutes.txt", "datas": b64(b"Board minutes"),
            "res_model": "res.partner", "res_id": self.document.id})
        self.assertFalse(error)
        result, error = self.call_kw("ir.attachment", "copy", result,
                                     {"name": "minutes copy.txt"})
        self.assertFalse(error)
        copy = self.env["ir.attachment"].browse(result)
        self.assertEqual(base64.b64decode(copy.datas), b"Board minutes")
        self.assertEqual(copy.file_size, len(b"Board minutes"))
        self.assertEqual(self.content(copy.id).content, b"Board minutes")
        # an employee may still make links and publish files
        result, error = self.call_kw("ir.attachment", "create", {
            "name": "timetable", "type": "url",
            "url": "https://university.test/timetable", "public": True})
        self.assertFalse(error)


class TestStudentLinksAndPublication(AttachmentRpcCase):

    def test_student_cannot_make_a_link_attachment(self):
        """A student's URL attachment answered an officer's /web/content
        with a redirect to any site."""
        self.allow_portal_rpc("ir.attachment", "create", "write")
        self.login(self.student)
        before = self.attachments_of(self.student)
        evil = "https://evil.test/phish"
        self.assert_refused(self.call_kw("ir.attachment", "create", {
            "name": "Your certificate", "type": "url", "url": evil}))
        self.assert_refused(self.call_kw(
            "ir.attachment", "create", {"name": "Your certificate"},
            context={"default_type": "url", "default_url": evil}))
        result, error = self.call_kw("ir.attachment", "create", {
            "name": "cv.txt", "datas": b64(b"my cv")})
        self.assertFalse(error)
        self.assert_refused(self.call_kw(
            "ir.attachment", "write", [result], {"type": "url", "url": evil}))
        self.assertEqual(self.attachments_of(self.student) - before,
                         self.env["ir.attachment"].browse(result))
        self.assertEqual(self.env["ir.attachment"].browse(result).type,
                         "binary")
        self.login(self.employee)
        response = self.content(result)
        self.assertNotIn("evil.test", response.headers.get("Location", ""))

    def test_old_student_link_does_not_redirect(self):
        """A link attachment a student made before this guard (or through
        another door) does not send an officer to another site."""
        link = self.env["ir.attachment"].create({
            "name": "Your certificate", "type": "url",
            "url": "https://evil.test/phish"})
        self.env.cr.execute("UPDATE ir_attachment SET create_uid = %s "
                            "WHERE id = %s", [self.student.id, link.id])
        self.login(self.employee)
        response = self.content(link.id)
        self.assertNotIn(response.status_code, (301, 302))
        self.assertNotIn("evil.test", response.headers.get("Location", ""))
        # an employee's link still leads where it says
        link.invalidate_cache()
        self.env.cr.execute("UPDATE ir_attachment SET create_uid = %s "
                            "WHERE id = %s", [self.employee.id, link.id])
        response = self.content(link.id)
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response.headers["Location"],
                         "https://evil.test/phish")

    def test_student_cannot_publish_a_file(self):
        """A student published a file that anonymous visitors downloaded."""
        self.allow_portal_rpc("ir.attachment", "create", "write")
        self.login(self.student)
        self.assert_refused(self.call_kw("ir.attachment", "create", {
            "name": "leak.txt", "datas": b64(b"leak"), "public": True}))
        self.assert_refused(self.call_kw(
            "ir.attachment", "create",
            {"name": "leak.txt", "datas": b64(b"leak")},
            context={"default_public": True}))
        result, error = self.call_kw("ir.attachment", "create", {
            "name": "leak.txt", "datas": b64(b"leak")})
        self.assertFalse(error)
        self.assert_refused(self.call_kw(
            "ir.attachment", "write", [result], {"public": True}))
        self.assertFalse(self.env["ir.attachment"].search(
            [("public", "=", True), ("create_uid", "=", self.student.id)]))
        # anonymous visitors do not get the file
        self.opener.cookies.clear()
        response = self.content(result)
        self.assertNotEqual(response.content, b"leak")


class TestGroupingAndPrivateFields(AttachmentRpcCase):

    def test_student_read_group_sees_only_readable_attachments(self):
        """read_group skipped the access check of search: a student read
        other people's file names, contents and stored file names."""
        self.allow_portal_rpc("ir.attachment", "create", "read_group",
                              "search_count", "search", "export_data")
        self.login(self.student)
        own, error = self.call_kw("ir.attachment", "create", {
            "name": "my-form.txt", "datas": b64(b"my form")})
        self.assertFalse(error)
        result, error = self.call_kw(
            "ir.attachment", "read_group", [], ["name"], ["name"], lazy=False)
        self.assertFalse(error)
        names = {group["name"] for group in result}
        self.assertIn("my-form.txt", names)
        self.assertNotIn("exam.txt", names)
        self.assertNotIn(self.victim_file.name, names)
        result, error = self.call_kw(
            "ir.attachment", "read_group", [("id", "=", self.secret.id)],
            ["create_uid"], ["create_uid"])
        self.assertFalse(error)
        self.assertEqual(sum(g["create_uid_count"] for g in result), 0)
        # nor does search show the other student's own file
        result, error = self.call_kw(
            "ir.attachment", "search_count",
            [("id", "in", [own, self.victim_file.id, self.secret.id])])
        self.assertEqual(result, 1)
        # where a file lives and what it says are out of reach
        for field in ("index_content", "store_fname", "db_datas"):
            self.assert_refused(self.call_kw(
                "ir.attachment", "read_group", [], [field], [field]))
            self.assert_refused(self.call_kw(
                "ir.attachment", "search_count", [(field, "!=", False)]))
            self.assert_refused(self.call_kw(
                "ir.attachment", "search", [], order="%s desc" % field))
            self.assert_refused(self.call_kw(
                "ir.attachment", "export_data", [own], [field]))

    def test_private_fields_are_for_administrators(self):
        self.login(self.employee)
        result, error = self.call_kw(
            "ir.attachment", "read", [self.secret.id],
            ["name", "store_fname", "index_content"])
        self.assertFalse(error)
        self.assertEqual(result[0]["name"], "exam.txt")
        self.assertFalse(result[0]["store_fname"])
        self.assertFalse(result[0]["index_content"])
        self.assert_refused(self.call_kw(
            "ir.attachment", "search_read", [("index_content", "ilike", "exam")],
            ["name"]))
        # the employee still reads the file itself
        result, error = self.call_kw(
            "ir.attachment", "read", [self.secret.id], ["datas"])
        self.assertEqual(base64.b64decode(result[0]["datas"]), SECRET)
        # a Settings administrator reads and groups them
        self.login(self.admin)
        result, error = self.call_kw(
            "ir.attachment", "read", [self.secret.id], ["store_fname"])
        self.assertEqual(result[0]["store_fname"], self.secret.store_fname)
        result, error = self.call_kw(
            "ir.attachment", "read_group", [("id", "=", self.secret.id)],
            ["index_content"], ["index_content"])
        self.assertFalse(error)
        self.assertEqual(len(result), 1)


class TestUploadLimits(AttachmentRpcCase):

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"]
        params.set_param("attachment_security.max_size_mb", "1")
        params.set_param("attachment_security.user_quota_mb", "2")

    @mute_logger("odoo.addons.web.controllers.main")
    def test_upload_capped_in_size(self):
        """A 26 MB upload was accepted: here the cap is 1 MB."""
        # the upload route amounts to ir.attachment's create
        self.allow_portal_rpc("ir.attachment", "create")
        self.login(self.student)
        before = self.attachments_of(self.student)
        response = self.upload(b"x" * (MEGABYTE + 1))
        self.assertEqual(response.status_code, 200)
        self.assertIn("at most 1 MB", response.text)
        message = self.assert_refused(self.call_kw(
            "ir.attachment", "create", {
                "name": "big.bin", "datas": b64(b"x" * (MEGABYTE + 1))}),
            "UserError")
        self.assertIn("at most 1 MB", message)
        self.assert_refused(self.call_kw(
            "ir.attachment", "create", {"name": "big.bin"},
            context={"default_datas": b64(b"x" * (MEGABYTE + 1))}),
            "UserError")
        self.assertEqual(self.attachments_of(self.student), before)
        # a file within the cap goes in, through both doors
        response = self.upload(b"y" * MEGABYTE)
        self.assertNotIn("error", response.text)
        _result, error = self.call_kw("ir.attachment", "create", {
            "name": "small.bin", "datas": b64(b"z" * 1000)})
        self.assertFalse(error)
        self.assertEqual(len(self.attachments_of(self.student) - before), 2)

    def test_upload_quota_per_user(self):
        self.allow_portal_rpc("ir.attachment", "create")
        self.login(self.student)
        before = self.attachments_of(self.student)
        for index in range(2):
            _result, error = self.call_kw("ir.attachment", "create", {
                "name": "part%s.bin" % index,
                "datas": b64(b"q" * (MEGABYTE - 10))})
            self.assertFalse(error)
        message = self.assert_refused(self.call_kw(
            "ir.attachment", "create", {
                "name": "part3.bin", "datas": b64(b"q" * 100)}), "UserError")
        self.assertIn("at most 2 MB in all", message)
        self.assertEqual(len(self.attachments_of(self.student) - before), 2)
        # another user's quota is their own; replacing a file's content
        # counts the replaced bytes out
        self.login(self.employee)
        report, error = self.call_kw("ir.attachment", "create", {
            "name": "report.bin", "datas": b64(b"e" * (MEGABYTE - 10)),
            "res_model": "res.partner", "res_id": self.document.id})
        self.assertFalse(error)
        for index in range(3):
            _result, error = self.call_kw(
                "ir.attachment", "write", [report],
                {"datas": b64(b"%d" % index * (MEGABYTE - 10))})
            self.assertFalse(error)


@at_install(False)
@post_install(True)
class TestDefaultLimit(odoo_tests.SavepointCase):

    def test_ten_megabytes_pass_by_default(self):
        employee = make_user(self.env, "t.att.ten", "base.group_user")
        Attachment = self.env["ir.attachment"].sudo(employee)
        ten = Attachment.create({"name": "ten.bin",
                                 "datas": b64(b"\0" * 10 * MEGABYTE)})
        self.assertEqual(ten.file_size, 10 * MEGABYTE)
        with self.assertRaises(UserError) as refused:
            Attachment.create({"name": "more.bin",
                               "datas": b64(b"\0" * (10 * MEGABYTE + 1))})
        self.assertIn("at most 10 MB", str(refused.exception.name))

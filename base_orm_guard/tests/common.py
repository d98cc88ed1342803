"""Users and a JSON-RPC caller for the guard's tests."""
from odoo import SUPERUSER_ID, api
from odoo.tests import common as odoo_tests
from odoo.tests.common import HttpCase, at_install, post_install


def make_user(env, login, group_xmlid):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login.replace(".", " ").title(), "login": login,
        "password": login, "email": "%s@guard.test" % login,
        "lang": "en_US",
        "groups_id": [(6, 0, [env.ref(group_xmlid).id])],
    })


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class RpcCase(HttpCase):
    """JSON-RPC calls of a logged-in user through the web client's
    /web/dataset/call_kw, on data built in the test cursor the HTTP
    server works in."""

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.env.ref("base.lang_en").active = True
        self.employee = make_user(self.env, "t.guard.employee",
                                  "base.group_user")
        self.portal = make_user(self.env, "t.guard.portal",
                                "base.group_portal")

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def login(self, user):
        self.authenticate(user.login, user.login)

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def call_kw(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the web client makes it: the answer's result
        and its error's data."""
        # A failed call rolls the test cursor back to its last commit,
        # which only moves a savepoint inside this test.
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
            timeout=60, json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": model, "method": method, "args": list(args),
                "kwargs": kwargs or {}}})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def assert_refused(self, call_result, error="AccessError"):
        result, data = call_result
        self.assertIsNone(result)
        self.assertTrue(data, "the call was refused")
        self.assertEqual(data["name"], "odoo.exceptions.%s" % error,
                         data.get("message"))
        for leak in ("psycopg2", "SELECT", "Traceback", "RecursionError"):
            self.assertNotIn(leak, data.get("message", ""))
        return data["message"]

from odoo import SUPERUSER_ID, api
from odoo.tests import common as odoo_tests
from odoo.tests.common import HttpCase, at_install, post_install

EDITOR = "mail_template_security.group_template_editor"

# Ways out of the sandbox a template may try: each reads the superuser's
# password hash, reaches the database or the server, or changes data.
ESCAPES = [
    "${object.sudo().env['res.users'].browse(1).password_crypt}",
    "${object.env['res.users'].browse(1).password_crypt}",
    "${object.env.cr.dbname}",
    "${object.with_env(object.env(user=1)).name}",
    "${object.sudo().name}",
    "${user.sudo().company_id.name}",
    "${user.env.user.password_crypt}",
    "${object.env.registry}",
    "${user.write({'name': 'Escaped'})}",
    "${object.copy({'name': 'Escaped'})}",
    "${object.browse(1).name}",
    "${object.with_context(active_test=False).name}",
    "${object|attr('sudo')}",
    "${'{0.env}'.format(object)}",
    "${datetime.sys.modules['os'].getcwd()}",
    "<% set e = object.env %>${e['res.users'].browse(1).login}",
    "% for u in object.env['res.users'].search([]):\n${u.login}\n% endfor",
    "${user.password_crypt}",
    "${user['password_crypt']}",
    "${object.user_ids.mapped('password_crypt')}",
    "${user.partner_id.signup_token}",
    "${object['env']}",
]


def make_user(env, login, *group_xmlids, **extra):
    vals = {
        "name": login.replace(".", " ").title(), "login": login,
        "password": login, "email": "%s@example.test" % login,
        "groups_id": [(6, 0, [env.ref(xmlid).id for xmlid in group_xmlids])],
    }
    vals.update(extra)
    return env["res.users"].with_context(no_reset_password=True).create(vals)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class RpcCase(HttpCase):
    """JSON-RPC calls of logged-in users, with the data built in the
    registry's test cursor, where Odoo 11's HTTP server works."""

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.portal = make_user(self.env, "t.mts.portal", "base.group_portal")
        self.employee = make_user(self.env, "t.mts.employee",
                                  "base.group_user",
                                  "base.group_partner_manager")
        self.editor = make_user(self.env, "t.mts.editor", "base.group_user",
                                EDITOR)

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

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

    @staticmethod
    def url(path):
        return "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path)

    def json(self, path, params):
        # A failed call rolls the test cursor back to its last commit,
        # which only moves a savepoint inside this test.
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.url(path), timeout=30,
            json={"jsonrpc": "2.0", "method": "call", "params": params})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def call_kw(self, model, method, *args, **kwargs):
        """A JSON-RPC call as the web client makes it; the answer's
        result, or its error's data."""
        return self.json(
            "/web/dataset/call_kw/%s/%s" % (model, method),
            {"model": model, "method": method, "args": list(args),
             "kwargs": kwargs})

    def assert_access_error(self, call_result):
        result, error = call_result
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertEqual(error["name"], "odoo.exceptions.AccessError",
                         error.get("message"))

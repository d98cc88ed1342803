"""Portal users reach the ORM over RPC only through the allowlist: the
attacks go through the real doors (JSON-RPC of the web client, /jsonrpc,
XML-RPC, the web client's other model routes) as a logged-in portal user."""
import json
import xmlrpc.client

from odoo import SUPERUSER_ID, api
from odoo.tests import common
from odoo.tests.common import HttpCase, at_install, post_install
from odoo.tools import mute_logger

REFUSAL = "Portal users and visitors may not call"
# Models that other guards may also close over RPC (their refusal may come
# first): any AccessError counts there.
CLOSED_ELSEWHERE = ("bus.bus", "mail.template", "mail.compose.message")
MUTED = ("odoo.http", "odoo.addons.base_rpc_allowlist.models.rpc_allowlist")


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestRpcAllowlist(HttpCase):

    def setUp(self):
        super().setUp()
        # The HTTP server works in the registry's test cursor: so do we.
        original = self.cr, self.env
        self.addCleanup(self._restore, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        # English for the messages read here, also in a database installed
        # in another language only
        self.env.ref("base.lang_en").active = True
        Users = self.env["res.users"].with_context(no_reset_password=True)
        self.portal = Users.create({
            "name": "Allowlist Portal", "login": "allowlist.portal",
            "password": "allowlist.portal", "lang": "en_US",
            "email": "allowlist.portal@example.test",
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})
        self.internal = Users.create({
            "name": "Allowlist Internal", "login": "allowlist.internal",
            "password": "allowlist.internal", "lang": "en_US",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        self.db = common.get_db_name()
        self.base_url = "http://%s:%s" % (common.HOST, common.PORT)

    def _restore(self, cr, env):
        self.cr, self.env = cr, env

    # the doors ---------------------------------------------------------
    def json(self, path, params):
        """A JSON-RPC request as the web client makes it: the answer's
        result and its error's data."""
        # a failed request rolls the test cursor back to its last commit,
        # which only moves a savepoint inside this test
        self.registry.test_cr.commit()
        response = self.opener.post(
            self.base_url + path, timeout=30, json={
                "jsonrpc": "2.0", "method": "call", "params": params})
        self.env.cache.invalidate()
        answer = response.json()
        return answer.get("result"), answer.get("error", {}).get("data")

    def call_kw(self, model, method, args, kwargs=None):
        return self.json("/web/dataset/call_kw/%s/%s" % (model, method), {
            "model": model, "method": method, "args": args,
            "kwargs": kwargs or {}})

    def xmlrpc(self, user, model, method, args, kwargs=None, path="2/"):
        self.registry.test_cr.commit()
        proxy = xmlrpc.client.ServerProxy(
            "%s/xmlrpc/%sobject" % (self.base_url, path), allow_none=True)
        try:
            result = proxy.execute_kw(self.db, user.id, user.login, model,
                                      method, args, kwargs or {})
        finally:
            self.env.cache.invalidate()
        return result

    def assertRefused(self, answer, model=None):
        result, error = answer
        self.assertIsNone(result)
        self.assertTrue(error, "the call was refused")
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        if model not in CLOSED_ELSEWHERE:
            self.assertIn(REFUSAL, error["message"])

    def bus_count(self):
        if "bus.bus" not in self.env:
            return 0
        return self.env["bus.bus"].search_count([])

    # the attacks -------------------------------------------------------
    def attacks(self):
        """(model, method, args, kwargs) a student tried; those of models
        not installed here are left out."""
        admin = self.env.ref("base.user_root")
        calls = [
            ("res.users", "search_read", [[]], {"fields": ["login"]}),
            ("res.partner", "read", [[admin.partner_id.id], ["email"]], {}),
            ("res.partner", "write", [[self.portal.partner_id.id],
                                      {"name": "Hacked"}], {}),
            ("res.users", "create", [{"name": "Evil", "login": "evil"}], {}),
            ("mail.template", "render_template",
             ["${object.env.user.login}", "res.users", [admin.id]], {}),
            ("bus.bus", "sendmany",
             [[[["allowlist", "res.partner", 1], {"x": 1}]]], {}),
            ("mail.compose.message", "render_message", [[], [admin.id]], {}),
        ]
        return [call for call in calls if call[0] in self.env]

    def assertNothingChanged(self, bus_count):
        self.portal.partner_id.invalidate_cache()
        self.assertEqual(self.portal.partner_id.name, "Allowlist Portal")
        self.assertFalse(self.env["res.users"].search(
            [("login", "=", "evil")]))
        self.assertEqual(self.bus_count(), bus_count)

    @mute_logger(*MUTED)
    def test_portal_call_kw_is_refused(self):
        bus_count = self.bus_count()
        self.authenticate(self.portal.login, self.portal.login)
        for model, method, args, kwargs in self.attacks():
            with self.subTest(model=model, method=method):
                self.assertRefused(
                    self.call_kw(model, method, args, kwargs), model)
        # the same through /web/dataset/call and call_button
        self.assertRefused(self.json("/web/dataset/call", {
            "model": "res.users", "method": "search_read", "args": [[]]}))
        self.assertRefused(self.json("/web/dataset/call_button", {
            "model": "res.partner", "method": "write",
            "args": [[self.portal.partner_id.id], {"name": "Hacked"}]}))
        self.assertNothingChanged(bus_count)

    @mute_logger(*MUTED)
    def test_portal_web_model_routes_are_refused(self):
        partner = self.portal.partner_id
        self.authenticate(self.portal.login, self.portal.login)
        self.assertRefused(self.json("/web/dataset/search_read", {
            "model": "res.users", "fields": ["login"], "domain": []}))
        self.assertRefused(self.json("/web/dataset/load", {
            "model": "res.partner", "id": partner.id, "fields": ["name"]}))
        self.assertRefused(self.json("/web/dataset/resequence", {
            "model": "res.partner", "ids": [partner.id], "field": "name"}))
        self.assertRefused(self.json("/web/action/run", {"action_id": 1}))
        self.assertRefused(self.json("/web/action/load", {
            "action_id": "base.action_res_users"}))
        self.assertRefused(self.json("/web/export/get_fields", {
            "model": "res.users"}))
        self.registry.test_cr.commit()
        response = self.opener.get(self.base_url + "/web/export/csv", params={
            "data": json.dumps({
                "model": "res.users", "fields": [{"name": "login"}],
                "ids": False, "domain": [], "import_compat": True}),
            "token": "1"}, timeout=30)
        self.assertEqual(response.status_code, 403)
        self.assertIn(REFUSAL, response.text)
        self.assertNotIn("admin", response.text)
        if "mail.followers" in self.env:
            self.assertRefused(self.json("/mail/read_followers", {
                "follower_ids": [], "res_model": "res.partner"}))
        partner.invalidate_cache()
        self.assertEqual(partner.name, "Allowlist Portal")

    @mute_logger(*MUTED)
    def test_portal_xmlrpc_and_jsonrpc_are_refused(self):
        bus_count = self.bus_count()
        for model, method, args, kwargs in self.attacks():
            for path in ("2/", ""):
                with self.subTest(model=model, method=method, path=path), \
                        self.assertRaises(xmlrpc.client.Fault) as caught:
                    self.xmlrpc(self.portal, model, method, args, kwargs,
                                path=path)
                # /xmlrpc/2 tells the message in faultString, the older
                # /xmlrpc in faultCode
                fault = caught.exception
                text = "%s %s" % (fault.faultCode, fault.faultString)
                self.assertTrue(fault.faultCode == 4 or text.startswith(
                    "warning -- AccessError"), text)
                if model not in CLOSED_ELSEWHERE:
                    self.assertIn(REFUSAL, text)
            # /jsonrpc, service "object"
            with self.subTest(model=model, method=method, path="jsonrpc"):
                self.assertRefused(self.json("/jsonrpc", {
                    "service": "object", "method": "execute_kw",
                    "args": [self.db, self.portal.id, self.portal.login,
                             model, method, args, kwargs]}), model)
        self.assertNothingChanged(bus_count)

    def test_internal_user_still_calls(self):
        """The same doors for an internal user: Odoo's own rules apply."""
        self.authenticate(self.internal.login, self.internal.login)
        result, error = self.call_kw(
            "res.users", "search_read", [[("id", "=", self.portal.id)]],
            {"fields": ["login"]})
        self.assertFalse(error)
        self.assertEqual(result, [{"id": self.portal.id,
                                   "login": "allowlist.portal"}])
        result, error = self.json("/web/dataset/search_read", {
            "model": "res.partner", "fields": ["name"],
            "domain": [("id", "=", self.portal.partner_id.id)]})
        self.assertFalse(error)
        self.assertEqual(result["records"][0]["name"], "Allowlist Portal")
        result = self.xmlrpc(self.internal, "res.partner", "read",
                             [[self.portal.partner_id.id], ["name"]])
        self.assertEqual(result[0]["name"], "Allowlist Portal")
        result, error = self.json("/jsonrpc", {
            "service": "object", "method": "execute_kw",
            "args": [self.db, self.internal.id, self.internal.login,
                     "res.users", "search_count",
                     [[("id", "=", self.portal.id)]], {}]})
        self.assertEqual((result, error), (1, None))

    def allow(self, model_name, attribute, methods):
        """Declare `methods` on the registry's class of `model_name`, as an
        addon's class attribute does, for this test only."""
        model_class = type(self.env[model_name])
        self.assertNotIn(attribute, model_class.__dict__)
        setattr(model_class, attribute, frozenset(methods))
        self.addCleanup(delattr, model_class, attribute)

    @mute_logger(*MUTED)
    def test_allowlisted_method_still_works_for_portal(self):
        self.allow("res.lang", "_portal_rpc_methods", {"get_installed"})
        self.authenticate(self.portal.login, self.portal.login)
        result, error = self.call_kw("res.lang", "get_installed", [])
        self.assertFalse(error)
        self.assertIn("en_US", [code for code, _name in result])
        result = self.xmlrpc(self.portal, "res.lang", "get_installed", [])
        self.assertIn("en_US", [code for code, _name in result])
        # only that method: the model's others stay closed
        self.assertRefused(self.call_kw(
            "res.lang", "search_read", [[]], {"fields": ["code"]}))

    def test_policy_of_public_and_portal_users(self):
        """Visitors get the public entries only; portal users both."""
        self.allow("res.lang", "_portal_rpc_methods", {"get_installed"})
        self.allow("res.country", "_public_rpc_methods", {"name_search"})
        public = self.env.ref("base.public_user")
        Allowlist = self.env["rpc.allowlist"]
        as_public = Allowlist.sudo(public)
        as_portal = Allowlist.sudo(self.portal)
        self.assertTrue(as_public._rpc_restricted())
        self.assertTrue(as_portal._rpc_restricted())
        self.assertFalse(Allowlist.sudo(self.internal)._rpc_restricted())
        self.assertFalse(as_public._rpc_allowed("res.lang", "get_installed"))
        self.assertTrue(as_public._rpc_allowed("res.country", "name_search"))
        self.assertTrue(as_portal._rpc_allowed("res.lang", "get_installed"))
        self.assertTrue(as_portal._rpc_allowed("res.country", "name_search"))
        for model_name, method in [
                ("res.country", "read"), ("no.such.model", "read"),
                (["res.lang"], "get_installed"), ("res.lang", None)]:
            self.assertFalse(as_portal._rpc_allowed(model_name, method))

    def test_refusal_is_translated(self):
        if not self.env["res.lang"].search([("code", "=", "fa_IR")]):
            self.skipTest("Persian is not installed")
        error = self.env["rpc.allowlist"].sudo(self.portal).with_context(
            lang="fa_IR")._rpc_refusal("res.users", "read")
        self.assertIn("اجازهٔ فراخوانی read روی res.users", error.name)

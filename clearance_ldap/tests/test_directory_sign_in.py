from odoo.exceptions import ValidationError
from odoo.tests import common as odoo_tests
from odoo.tests.common import get_db_name

from odoo.addons.clearance_request.tests.common import HttpCursorCase

from .slapd import ROOT_DN, ROOT_PASSWORD, SUFFIX, Slapd, entry

DEMO_STUDENT = "9811001"  # demo/res_users_demo.xml: user_student_9811001_demo
NEW_STUDENT = "9899007"  # a student the registrar imported, without a login
PEOPLE = "ou=people," + SUFFIX
GROUPS = "ou=groups," + SUFFIX
KHARAZMI_GROUP = "cn=kharazmi-library," + GROUPS


def person(uid, password, *lines):
    return entry("uid=%s,%s" % (uid, PEOPLE), "objectClass: inetOrgPerson",
                 "uid: " + uid, "cn: " + uid.replace(".", " ").title(),
                 "sn: " + uid.split(".")[-1].title(),
                 "userPassword: " + password, *lines)


DIRECTORY = "".join([
    entry(SUFFIX, "objectClass: dcObject", "objectClass: organization",
          "o: University", "dc: university"),
    entry(PEOPLE, "objectClass: organizationalUnit", "ou: people"),
    entry(GROUPS, "objectClass: organizationalUnit", "ou: groups"),
    person("z.ahmadi", "zahra-dir", "employeeNumber: " + DEMO_STUDENT,
           "mail: z.ahmadi@university.test"),
    person("n.karimi", "nima-dir", "employeeNumber: " + NEW_STUDENT),
    person("stranger", "stranger-dir", "employeeNumber: 9999999"),
    person("o.welfare", "welfare-dir", "mail: o.welfare@university.test"),
    person("o.library", "library-dir"),
    # groupOfNames (member: DN), mapped by its name
    entry("cn=welfare-office," + GROUPS, "objectClass: groupOfNames",
          "cn: welfare-office", "member: uid=o.welfare," + PEOPLE),
    # posixGroup (memberUid: uid), mapped by its DN
    entry(KHARAZMI_GROUP, "objectClass: posixGroup", "cn: kharazmi-library",
          "gidNumber: 5001", "memberUid: o.library"),
    # a group no office maps: its members stay strangers
    entry("cn=staff," + GROUPS, "objectClass: groupOfNames", "cn: staff",
          "member: uid=stranger," + PEOPLE),
])


class TestDirectorySignIn(HttpCursorCase):
    """Sign-in through a real OpenLDAP server (slapd, started here)."""

    @classmethod
    def setUpClass(cls):
        # Fails, not skips, when slapd is missing (RuntimeError says why).
        cls.slapd = Slapd(DIRECTORY).start()
        try:
            super().setUpClass()
        except Exception:
            cls.slapd.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        return super().tearDownClass()

    def setUp(self):
        super().setUp()
        env = self.env
        self.Users = env["res.users"].with_context(active_test=False)
        self.Partners = env["res.partner"].with_context(active_test=False)
        self.assertFalse(env["res.company.ldap"].search([]),
                         "the test database has a directory of its own")
        self.welfare = env.ref("clearance_request.group_office_welfare")
        self.kharazmi = env.ref(
            "clearance_request.group_office_library_kharazmi")
        self.ldap = env["res.company.ldap"].create({
            "company": env.ref("base.main_company").id,
            "ldap_server": "127.0.0.1",
            "ldap_server_port": self.slapd.port,
            "ldap_binddn": ROOT_DN, "ldap_password": ROOT_PASSWORD,
            "ldap_base": SUFFIX, "ldap_filter": "(uid=%s)",
            "office_mapping_ids": [
                (0, 0, {"directory_group": "welfare-office",
                        "group_id": self.welfare.id}),
                (0, 0, {"directory_group": KHARAZMI_GROUP.upper(),
                        "group_id": self.kharazmi.id}),
            ],
        })
        self.student = self.Users.search([("login", "=", DEMO_STUDENT)])
        self.assertEqual(self.student.partner_id.student_number, DEMO_STUDENT)
        self.keep()

    def sign_in(self, login, password):
        """Odoo's own entry point of every sign-in (web, RPC)."""
        return self.registry["res.users"].authenticate(
            get_db_name(), login, password, {})

    def counts(self):
        return self.Users.search_count([]), self.Partners.search_count([])

    def json_call(self, path, **params):
        self.keep()
        response = self.opener.post(
            "http://%s:%s%s" % (odoo_tests.HOST, odoo_tests.PORT, path), timeout=60,
            json={"jsonrpc": "2.0", "method": "call", "params": params})
        self.env.cache.invalidate()
        return response.json()

    def web_sign_in(self, login, password):
        """The web client's sign-in: the user of the session it opens (as
        the next request of that session sees it), or None."""
        uid = self.json_call("/web/session/authenticate", db=get_db_name(),
                             login=login, password=password)["result"]["uid"]
        if not uid:
            return None
        answer = self.json_call("/web/session/get_session_info")
        self.assertEqual(answer["result"]["uid"], uid)
        return self.Users.browse(uid)

    def test_student_signs_in_on_their_account(self):
        before = self.counts()
        self.assertEqual(self.sign_in("z.ahmadi", "zahra-dir"),
                         self.student.id)
        # their student number is a directory login too
        self.assertEqual(self.sign_in(DEMO_STUDENT, "zahra-dir"),
                         self.student.id)
        self.assertEqual(self.web_sign_in("z.ahmadi", "zahra-dir"),
                         self.student)
        self.assertEqual(self.counts(), before,
                         "no new partner, no new user")
        self.assertTrue(self.student.share)
        self.assertEqual(self.student.login, DEMO_STUDENT)

    def test_student_without_a_login_gets_one_on_their_partner(self):
        partner = self.Partners.create({
            "name": "Nima Karimi", "student_number": NEW_STUDENT})
        self.keep()
        users, partners = self.counts()
        uid = self.sign_in("n.karimi", "nima-dir")
        user = self.Users.browse(uid)
        self.assertEqual(user.partner_id, partner)
        self.assertEqual(user.login, NEW_STUDENT)
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertFalse(user.has_group("base.group_user"))
        self.assertEqual(self.counts(), (users + 1, partners))
        # again: the same user, no duplicate
        self.assertEqual(self.sign_in("n.karimi", "nima-dir"), uid)
        self.assertEqual(self.sign_in(NEW_STUDENT, "nima-dir"), uid)
        self.assertEqual(self.counts(), (users + 1, partners))

    def test_stranger_is_refused(self):
        before = self.counts()
        self.assertFalse(self.sign_in("stranger", "stranger-dir"))
        self.assertFalse(self.sign_in("9999999", "stranger-dir"))
        self.assertFalse(self.Users.search([("login", "=", "stranger")]))
        self.assertEqual(self.counts(), before)
        self.assertIsNone(self.web_sign_in("stranger", "stranger-dir"))
        self.assertEqual(self.counts(), before)

    def test_strangers_get_odoos_account_when_asked(self):
        self.ldap.refuse_strangers = False
        self.keep()
        uid = self.sign_in("stranger", "stranger-dir")
        self.assertTrue(uid)
        self.assertEqual(self.Users.browse(uid).login, "stranger")

    def test_wrong_password_is_refused(self):
        before = self.counts()
        for login in ("z.ahmadi", DEMO_STUDENT, "o.welfare", "stranger"):
            self.assertFalse(self.sign_in(login, "wrong"), login)
            self.assertFalse(self.sign_in(login, ""), login)
        self.assertEqual(self.counts(), before)

    def test_officer_of_a_mapped_group_gets_the_office(self):
        queue = self.env.ref(
            "clearance_request.clearance_request_action_my_queue")
        uid = self.sign_in("o.welfare", "welfare-dir")
        officer = self.Users.browse(uid)
        self.assertEqual(officer.login, "o.welfare")
        self.assertFalse(officer.share)
        self.assertIn(self.welfare, officer.groups_id)
        self.assertNotIn(self.kharazmi, officer.groups_id)
        self.assertTrue(officer.has_group(
            "clearance_request.group_clearance_officer"))
        self.assertEqual(officer.email, "o.welfare@university.test")
        self.assertEqual(officer.action_id.id, queue.id)
        self.assertFalse(officer.partner_id.signup_token,
                         "no invitation: the password is the directory's")
        self.assertEqual(self.sign_in("o.welfare", "welfare-dir"), uid)
        # mapped by the group's DN, found by memberUid
        librarian = self.Users.browse(self.sign_in("o.library", "library-dir"))
        self.assertIn(self.kharazmi, librarian.groups_id)
        self.assertNotIn(self.welfare, librarian.groups_id)
        self.assertEqual(librarian.action_id.id, queue.id)
        self.assertEqual(self.web_sign_in("o.library", "library-dir"),
                         librarian)

    def test_a_directory_group_maps_only_to_an_office(self):
        Mapping = self.env["clearance.ldap.office"]
        for lang, words in (("en_US", "is not a clearance office"),
                            ("fa_IR", "واحد تسویه حساب نیست")):
            self.env["res.lang"].load_lang(lang)
            with self.assertRaises(ValidationError) as refusal, \
                    self.cr.savepoint():
                Mapping.with_context(lang=lang).create({
                    "ldap_id": self.ldap.id, "directory_group": "staff",
                    "group_id": self.env.ref("base.group_system").id})
            self.assertIn(words, refusal.exception.name)
        self.assertEqual(self.ldap.office_mapping_ids.mapped("group_id"),
                         self.welfare | self.kharazmi)

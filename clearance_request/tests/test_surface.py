"""The surface each role reaches, under review (issue 21, item 9).

For the anonymous visitor (the public user), a student (portal user), an
officer of one office and a clearance manager, the surface is:

- ``<model> <crwu>``: every model the role may create, read, write or
  unlink (``check_access_rights`` as that user; ``-`` for a right it lacks);
- ``<model>.<method>``: every method the role may call over RPC. Users
  that RPC_ALLOWLIST restricts (when ``base_rpc_allowlist`` is installed:
  portal and public users) call what the allowlist lets through. Anybody
  else calls every public method (not starting with ``_``, not marked
  private) of each model they have any right on, and of each abstract
  model, on which Odoo checks no right: ``*.<method>`` stands for a method
  every model has (those of the registry's ``base`` model), the other lines
  name a model's own.

The reviewed surfaces are the files ``surface/<role>.txt`` beside this
test. The test fails on any entry that is not in its file (a new hole needs
a visible change to the file) and on any entry of the file that is gone
(the file stays exact). To write the files from the current database
(then review the difference with ``git diff``)::

    CLEARANCE_SURFACE_UPDATE=1 bin/clearance test \\
        clearance_request/tests/test_surface.py
"""
import inspect
import os

from odoo.tests.common import SavepointCase, at_install, post_install

from .common import make_officer, make_student

SURFACE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "surface")
RIGHTS = (("create", "c"), ("read", "r"), ("write", "w"), ("unlink", "u"))


def public_methods(model_class):
    """The names of the methods RPC may call on `model_class` (Odoo 11
    refuses only names starting with an underscore)."""
    names = set()
    for name in dir(model_class):
        if name.startswith("_"):
            continue
        member = getattr(model_class, name, None)
        # functions, and class methods (bound to the class)
        if not (inspect.isfunction(member) or inspect.ismethod(member)) \
                or getattr(member, "_api_private", False):
            continue
        names.add(name)
    return names


@at_install(False)
@post_install(True)
class TestSurface(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env.ref("base.lang_en").active = True
        cls.roles = {
            "anonymous": env.ref("base.public_user"),
            "student": make_student(env, "98999901", "Surface Student"),
            "officer": make_officer(
                env, "t.surface.officer",
                "clearance_request.group_office_library_kharazmi"),
            "manager": make_officer(
                env, "t.surface.manager",
                "clearance_request.group_clearance_manager"),
        }

    def surface(self, user):
        """The sorted entries of `user`'s surface."""
        env = self.env(user=user.id)
        base_methods = public_methods(type(env["base"]))
        allowlist = env["rpc.allowlist"] if "rpc.allowlist" in env else None
        restricted = allowlist is not None and allowlist._rpc_restricted()
        entries = set()
        if not restricted:
            entries.update("*.%s" % name for name in base_methods)
        for model_name in sorted(env.registry):
            model = env[model_name]
            if model._abstract:
                rights = ""
            else:
                rights = "".join(
                    letter if model.check_access_rights(
                        mode, raise_exception=False) else "-"
                    for mode, letter in RIGHTS)
                if rights.strip("-"):
                    entries.add("%s %s" % (model_name, rights))
                else:
                    continue
            if restricted:
                methods = allowlist._rpc_allowed_methods(model_name)
            else:
                methods = public_methods(type(model)) - base_methods
            entries.update("%s.%s" % (model_name, name) for name in methods)
        return sorted(entries)

    @staticmethod
    def differences(role, current, reviewed):
        """The messages telling how `current` (the entries of `role`'s
        surface) differs from `reviewed` (those of its file)."""
        problems = []
        new = sorted(set(current) - set(reviewed))
        gone = sorted(set(reviewed) - set(current))
        if new:
            problems.append("%s: %d new entries, not in surface/%s.txt:\n  %s"
                            % (role, len(new), role, "\n  ".join(new)))
        if gone:
            problems.append("%s: %d entries of surface/%s.txt are gone:\n  %s"
                            % (role, len(gone), role, "\n  ".join(gone)))
        return problems

    @staticmethod
    def reviewed(role):
        path = os.path.join(SURFACE_DIR, "%s.txt" % role)
        if not os.path.exists(path):
            return set()
        with open(path) as handle:
            return {line.strip() for line in handle if line.strip()}

    def test_surface_of_each_role_is_the_reviewed_one(self):
        update = os.environ.get("CLEARANCE_SURFACE_UPDATE") == "1"
        problems = []
        for role, user in sorted(self.roles.items()):
            current = self.surface(user)
            if update:
                os.makedirs(SURFACE_DIR, exist_ok=True)
                path = os.path.join(SURFACE_DIR, "%s.txt" % role)
                with open(path, "w") as handle:
                    handle.write("".join(line + "\n" for line in current))
                continue
            problems += self.differences(role, current, self.reviewed(role))
        if problems:
            self.fail(
                "The surface differs from the reviewed one (review it, then "
                "run this test with CLEARANCE_SURFACE_UPDATE=1 to write the "
                "files):\n" + "\n".join(problems))

    def test_a_new_method_or_right_is_named(self):
        """A method opened to students and a right given to officers show
        as new entries, by name; a right taken away, as gone."""
        student = self.roles["student"]
        officer = self.roles["officer"]
        before = {"student": self.surface(student),
                  "officer": self.surface(officer)}
        Lang = type(self.env["res.lang"])
        self.assertNotIn("_portal_rpc_methods", Lang.__dict__)
        Lang._portal_rpc_methods = frozenset({"get_installed"})
        self.addCleanup(delattr, Lang, "_portal_rpc_methods")
        group = self.env.ref(
            "clearance_request.group_office_library_kharazmi")
        self.env["ir.model.access"].create({
            "name": "surface test", "group_id": group.id, "perm_read": True,
            "perm_unlink": True,
            "model_id": self.env.ref("base.model_res_bank").id})
        current = self.surface(student)
        problems = self.differences("student", current, before["student"])
        if "rpc.allowlist" in self.env:
            self.assertEqual(problems, [
                "student: 1 new entries, not in surface/student.txt:\n"
                "  res.lang.get_installed"])
        officer_now = self.surface(officer)
        self.assertIn("res.bank -r-u", officer_now)
        self.assertIn("res.bank -r-u", "\n".join(
            self.differences("officer", officer_now, before["officer"])))
        self.assertIn("are gone:\n  res.bank -r-u", "\n".join(
            self.differences("officer", before["officer"], officer_now)))

    def test_surface_is_deterministic(self):
        """The same user gives the same entries, and a second student the
        same as the first: no database id, no order of loading."""
        student = self.roles["student"]
        twin = make_student(self.env, "98999902", "Surface Twin")
        self.assertEqual(self.surface(student), self.surface(twin))
        self.assertEqual(self.surface(student), self.surface(student))
        self.assertTrue(any(" " in line for line in self.surface(student)),
                        "a student reads something")

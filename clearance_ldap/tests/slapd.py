"""A real OpenLDAP server (Debian's slapd) for the tests: its own folder, a
private port, a test directory; killed at the end, as tests/harness.py runs
PostgreSQL and Odoo."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import ldap

SLAPD = os.environ.get("SLAPD", "/usr/sbin/slapd")
SLAPADD = os.environ.get("SLAPADD", "/usr/sbin/slapadd")
SCHEMAS = "/etc/ldap/schema"
SUFFIX = "dc=university,dc=test"
ROOT_DN = "cn=admin," + SUFFIX
ROOT_PASSWORD = "directory-admin"

CONFIG = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
include {schemas}/nis.schema
pidfile {folder}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
index objectClass eq
"""


class Slapd(object):
    """slapd on 127.0.0.1:<free port>, loaded with `ldif` before it starts."""

    def __init__(self, ldif):
        self.ldif = ldif
        self.folder = None
        self.process = None
        self.port = None

    @property
    def uri(self):
        return "ldap://127.0.0.1:%d" % self.port

    def start(self):
        for binary in (SLAPD, SLAPADD):
            if not os.access(binary, os.X_OK):
                raise RuntimeError(
                    "%s not found: the directory tests need OpenLDAP's "
                    "server (Debian: apt-get install slapd ldap-utils; "
                    "bin/clearance setup installs it)" % binary)
        self.folder = tempfile.mkdtemp(prefix="clearance-slapd-")
        os.mkdir(os.path.join(self.folder, "data"))
        config = os.path.join(self.folder, "slapd.conf")
        with open(config, "w") as handle:
            handle.write(CONFIG.format(
                schemas=SCHEMAS, folder=self.folder, suffix=SUFFIX,
                root_dn=ROOT_DN, root_password=ROOT_PASSWORD))
        ldif = os.path.join(self.folder, "directory.ldif")
        with open(ldif, "w", encoding="utf-8") as handle:
            handle.write(self.ldif)
        subprocess.run([SLAPADD, "-q", "-f", config, "-l", ldif],
                       check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
        self.port = _free_port()
        # -d 0: in the foreground, so that killing the process ends it
        self.process = subprocess.Popen(
            [SLAPD, "-f", config, "-h", self.uri + "/", "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                connection = ldap.initialize(self.uri)
                connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
                connection.unbind_s()
                return self
            except ldap.LDAPError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError("slapd did not start")
                time.sleep(0.05)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def entry(dn, *lines):
    return "dn: %s\n%s\n\n" % (dn, "\n".join(lines))

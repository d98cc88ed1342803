"""The benchmark's database: made with the modules, reached as Odoo does,
one committed transaction at a time."""
import contextlib
import os
import subprocess
import sys
import time

import odoo
from odoo import api

from .settings import CONTEXT, DB, PGSOCK, ROOT, log


def psql_admin(sql):
    import psycopg2
    conn = psycopg2.connect(host=PGSOCK, dbname="postgres", user="odoo")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
    finally:
        conn.close()


def create_database(conf, modules):
    psql_admin('DROP DATABASE IF EXISTS "%s"' % DB)
    log("installing %s into a fresh %s" % (modules, DB))
    cmd = [sys.executable, os.path.join(ROOT, "bin", "odoo"), "-c", conf,
           "-d", DB, "-i", modules, "--stop-after-init"]
    started = time.time()
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)
    log("installed in %.0f s" % (time.time() - started))


def start_odoo(conf):
    odoo.tools.config.parse_config(["-c", conf])
    return odoo.registry(DB)


@contextlib.contextmanager
def transaction(registry, uid, context=None):
    """One committed transaction, like one request served by Odoo."""
    with api.Environment.manage(), registry.cursor() as cr:
        yield api.Environment(cr, uid, dict(CONTEXT, **(context or {})))

"""Where the benchmark runs: its database, ports, offices and Odoo's
configuration; the system tests' harness, which it shares."""
import os
import sys

import odoo

ROOT = os.environ.get("CLEARANCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
PGSOCK = os.environ.get("CLEARANCE_PGSOCK") or os.path.join(ROOT, ".state", "run")
STATE = os.path.join(ROOT, ".state")
# How the benchmark's own processes (workers, the SMTP sink) start, in ROOT.
ENTRY = [sys.executable, "-m", "benchmarks.bench"]
DB = "clearance_bench"
# Ports of the portal's HTTP server and of the SMTP sink (free ones, please).
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT") or 8570)
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT") or 8571)
QUEUE_OFFICE = "library_kharazmi"
LIST_FIELDS = ["name", "partner_id", "student_number", "reason",
               "student_shift", "stage_id", "state", "stage_date",
               "submit_date"]
CONTEXT = {"lang": "en_US", "tz": "Asia/Tehran"}
ADDONS_PATH = [ROOT, os.path.join(ROOT, "benchmarks", "addons"),
               odoo.addons.__path__[0]]

# The harness imports the addon's test helpers through odoo.addons: let it
# find the repository's addons before the configuration file is read.
odoo.tools.config["addons_path"] = ",".join(ADDONS_PATH)
odoo.modules.module.initialize_sys_path()
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
from tests import harness  # noqa: E402 pylint: disable=wrong-import-position

OFFICES = harness.OFFICES


def log(message):
    print("[bench] %s" % message, file=sys.stderr, flush=True)


def write_config(path, db, logfile):
    harness.write_config(path, {
        "addons_path": ",".join(ADDONS_PATH),
        "admin_passwd": "admin",
        "db_host": PGSOCK,
        "db_port": 5432,
        "db_user": "odoo",
        "db_password": False,
        "db_name": db,
        "dbfilter": "^%s$" % db,
        "list_db": False,
        "data_dir": os.path.join(STATE, "filestore"),
        "http_interface": "127.0.0.1",
        "http_port": HTTP_PORT,
        "smtp_server": "127.0.0.1",
        "smtp_port": SMTP_PORT,
        "logfile": logfile,
        "log_level": "warn",
        "max_cron_threads": 0,
        "without_demo": "all",
        "limit_time_real": 1200,
    })

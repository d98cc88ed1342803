"""The registrar's student import (clearance_enrolment), measured.

Generates a realistic export of the student information system (Persian
names, Arabic letters and Persian digits in some rows, some rows with
errors: a wrong national code, a duplicate student number, an unknown
degree, a malformed mobile), then imports it as the registrar's button and
the background batches do: the preview (parse, check, rows stored), then
the import in the scheduled batches (each committed), as the cron runs them.
Prints the rows per second of each phase and the process's peak memory
(maximum RSS; with --tracemalloc, Python's own peak allocation as well).

It writes students into the database: run it on a copy. With --copy-of, it
makes the copy itself (CREATE DATABASE ... TEMPLATE, which needs the
template unused):

    .venv/bin/python -m benchmarks.enrolment -c <odoo.conf> \\
        --copy-of clearance_w1 -d clearance_w1_bench [-n 30000] [--xlsx]

(also `bin/clearance bench --enrolment -c ... -d ...`).
"""
import argparse
import base64
import csv
import io
import json
import random
import resource
import sys
import time
import tracemalloc

import odoo
from odoo import SUPERUSER_ID, api

FIRST = ["علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "سارا", "مریم",
         "زهرا", "فاطمه", "نرگس", "پریسا", "کوثر", "یاسمن", "آرش", "کیان",
         "نیلوفر", "سپیده", "حمید", "یوسف", "کاوه", "شیرین", "بهاره", "مائده"]
LAST = ["رضایی", "احمدی", "کریمی", "موسوی", "حسینی", "محمدی", "کاظمی",
        "جعفری", "نوری", "صادقی", "یزدانی", "کیانی", "شیرازی", "تهرانی",
        "اصفهانی", "قاسمی", "بابایی", "رحیمی", "نیکو", "فرهادی"]
FACULTIES = {
    "دانشکده مهندسی": ["مهندسی کامپیوتر", "مهندسی برق", "مهندسی عمران"],
    "دانشکده علوم انسانی": ["حقوق", "مدیریت", "روانشناسی"],
    "دانشکده علوم پایه": ["فیزیک", "ریاضی", "شیمی"],
    "دانشکده آموزشهای الکترونیکی": ["مهندسی کامپیوتر", "مدیریت", "حقوق"],
}
DEGREES = ["کارشناسی"] * 6 + ["کارشناسی ارشد"] * 3 + ["دکتری", "کاردانی"]
SHIFTS = ["روزانه"] * 3 + ["نوبت دوم", "شبانه"]
HEADERS = ["شماره دانشجویی", "نام", "نام خانوادگی", "کد ملی", "دانشکده",
           "رشته", "مقطع", "نوع دوره", "ساکن خوابگاه", "تلفن همراه",
           "پست الکترونیکی"]
TO_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
TO_ARABIC_LETTERS = str.maketrans({"ی": "ي", "ک": "ك"})


def national_code(rng):
    digits = [rng.randint(0, 9) for _ in range(9)]
    rest = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
    return "".join(map(str, digits)) + str(rest if rest < 2 else 11 - rest)


def generate(count, seed=1403):
    """(rows, errors): the export's rows (strings) and how many rows the
    import must skip."""
    rng = random.Random(seed)
    rows, errors = [], 0
    for index in range(count):
        number = "40%07d" % (index + 1)
        faculty = rng.choice(sorted(FACULTIES))
        row = [number, rng.choice(FIRST), rng.choice(LAST),
               national_code(rng), faculty, rng.choice(FACULTIES[faculty]),
               rng.choice(DEGREES), rng.choice(SHIFTS),
               rng.choice(["بله", "خیر", "خیر"]),
               "09%09d" % rng.randint(0, 999999999),
               "s%s@students.example.ir" % number if rng.random() < 0.8
               else ""]
        if rng.random() < 0.2:      # typed on an Arabic keyboard
            row[1] = row[1].translate(TO_ARABIC_LETTERS)
            row[2] = row[2].translate(TO_ARABIC_LETTERS)
        if rng.random() < 0.3:      # Persian digits
            row[0] = row[0].translate(TO_PERSIAN_DIGITS)
            row[9] = row[9].translate(TO_PERSIAN_DIGITS)
        roll = rng.random()
        if roll < 0.01:             # wrong check digit
            row[3] = row[3][:9] + str((int(row[3][9]) + 1) % 10)
            errors += 1
        elif roll < 0.02 and rows:  # a student number twice
            row[0] = rows[rng.randrange(len(rows))][0]
            errors += 1
        elif roll < 0.025:
            row[6] = "نامشخص"
            errors += 1
        elif roll < 0.03:
            row[9] = "0912"
            errors += 1
        rows.append(row)
    return rows, errors


def to_csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows):
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def copy_database(template, database):
    import psycopg2
    from odoo.sql_db import connection_info_for
    _, info = connection_info_for("postgres")
    connection = psycopg2.connect(**info)
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute('DROP DATABASE IF EXISTS "%s"' % database)
        cr.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (database, template))
    connection.close()


def run(registry, count, xlsx=False):
    rows, errors = generate(count)
    data = to_xlsx(rows) if xlsx else to_csv(rows)
    results = {"rows": count, "rows_with_errors_made": errors,
               "format": "xlsx" if xlsx else "csv",
               "file_bytes": len(data)}
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        record = env["clearance.student.import"].create({
            "name": "Benchmark %d" % count,
            "file": base64.b64encode(data),
            "filename": "students.%s" % results["format"]})
        cr.commit()
        del data
        start = time.perf_counter()
        record.action_preview()
        cr.commit()
        results["preview_seconds"] = round(time.perf_counter() - start, 2)
        results["preview_rows_per_second"] = round(
            count / results["preview_seconds"], 1)
        results["rss_after_preview_mb"] = round(peak_rss_mb(), 1)
        results["problem_rows"] = record.problem_rows
        # The button: queued above the threshold, or all at once below it.
        start = time.perf_counter()
        record.action_import()
        cr.commit()
        results["button_seconds"] = round(time.perf_counter() - start, 2)
        batches = 0
        while record.state == "queued":
            # one scheduler run: batches, each committed, for 60 s at most
            env["clearance.student.import"]._cron_process(time_budget=60)
            batches += 1
            record.invalidate_cache()
        cr.commit()
        seconds = time.perf_counter() - start
        results.update({
            "import_seconds": round(seconds, 2),
            "import_rows_per_second": round(record.valid_rows / seconds, 1),
            "cron_runs": batches,
            "created": record.created_count,
            "updated": record.updated_count,
            "unchanged": record.unchanged_count,
            "skipped": record.skipped_count,
        })
    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--conf", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--copy-of", help="make DATABASE a copy of this one")
    parser.add_argument("-n", "--count", type=int, default=30000)
    parser.add_argument("--xlsx", action="store_true",
                        help="an .xlsx file (default .csv)")
    parser.add_argument("--again", action="store_true",
                        help="then import the same file again (unchanged)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also Python's peak allocation (slower)")
    args = parser.parse_args(argv)
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.database])
    if args.copy_of:
        copy_database(args.copy_of, args.database)
    registry = odoo.registry(args.database)
    if args.tracemalloc:
        tracemalloc.start()
    results = run(registry, args.count, args.xlsx)
    if args.again:
        results["again"] = run(registry, args.count, args.xlsx)
    if args.tracemalloc:
        results["tracemalloc_peak_mb"] = round(
            tracemalloc.get_traced_memory()[1] / 1048576.0, 1)
    json.dump(results, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()

"""Reading a student information system's export: the file (xlsx or csv),
its headers (Persian or English, as such systems spell them) and the
normalisation of its values. Pure functions, no ORM."""
import csv
import io
import re
import zipfile

# Arabic letters that Persian text written on Arabic keyboards carries.
ARABIC_TO_PERSIAN = str.maketrans({
    "\u064a": "\u06cc",  # ي -> ی
    "\u0649": "\u06cc",  # ى -> ی
    "\u0643": "\u06a9",  # ك -> ک
    "\u0629": "\u0647",  # ة -> ه
})
# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits -> Latin.
DIGITS = str.maketrans(
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "01234567890123456789")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u200e\u200f\ufeff\u00a0]")
SPACES = re.compile(r"\s+")

# column key -> the headers that name it (compared after header_key()).
COLUMNS = {
    "student_number": [
        "شماره دانشجویی", "شماره دانشجو", "ش دانشجویی", "student number",
        "student no", "student id", "student_number", "studentnumber"],
    "first_name": ["نام", "first name", "given name", "firstname"],
    "last_name": ["نام خانوادگی", "last name", "family name", "surname",
                  "lastname"],
    "national_code": ["کد ملی", "شماره ملی", "national code", "national id",
                      "nationalcode"],
    "faculty": ["دانشکده", "faculty", "school"],
    "major": ["رشته", "رشته تحصیلی", "programme", "program", "major"],
    "degree": ["مقطع", "مقطع تحصیلی", "degree", "degree level", "level"],
    "shift": ["نوع دوره", "دوره", "شیفت", "shift", "programme shift",
              "course type"],
    "dormitory": ["ساکن خوابگاه", "خوابگاه", "خوابگاهی",
                  "dormitory resident", "dormitory", "dorm"],
    "mobile": ["تلفن همراه", "شماره همراه", "موبایل", "همراه", "mobile",
               "mobile phone", "cell phone"],
    "email": ["پست الکترونیکی", "پست الکترونیک", "ایمیل", "رایانامه",
              "email", "e-mail", "email address"],
}
REQUIRED = ("student_number", "first_name", "last_name")

DEGREES = [
    # (word fragments, value), the first that matches wins
    (("ارشد", "master", "msc", "m.sc", "ma"), "master"),
    (("دکتر", "doctor", "phd", "ph.d"), "doctorate"),
    (("کاردانی", "associate"), "associate"),
    (("کارشناسی", "لیسانس", "bachelor", "bsc", "b.sc", "ba"), "bachelor"),
]
SHIFTS = {
    "روزانه": "day", "day": "day", "daytime": "day", "regular": "day",
    "نوبتدوم": "second", "شبانه": "second", "second": "second",
    "secondshift": "second", "evening": "second", "night": "second",
}
YES = {"بله", "بلی", "آری", "دارد", "هست", "ساکن", "1", "yes", "y", "true",
       "x", "*", "✓"}
NO = {"خیر", "نه", "ندارد", "نیست", "غیرساکن", "0", "no", "n", "false", "-"}


class SisFileError(Exception):
    """The file is not a readable spreadsheet (message in English, the
    caller translates its kind)."""

    def __init__(self, kind, detail=""):
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


def clean_text(value):
    """Trimmed text, Persian ی/ک, one space between words."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = ZERO_WIDTH.sub(" ", str(value)).translate(ARABIC_TO_PERSIAN)
    return SPACES.sub(" ", value).strip()


def clean_number(value):
    """Text of a number: Latin digits, no spaces or separators."""
    value = clean_text(value).translate(DIGITS)
    return re.sub(r"[\s\-_.]", "", value)


def header_key(value):
    value = clean_text(value).lower()
    value = re.sub(r"\(.*?\)", "", value)  # "نوع دوره (روزانه / شبانه)"
    return re.sub(r"[\s\-_.:/]", "", value)


HEADER_KEYS = {header_key(h): column
               for column, headers in COLUMNS.items() for h in headers}


def national_code_valid(code):
    """The Iranian national code's check digit (10 digits)."""
    if not re.fullmatch(r"\d{10}", code) or len(set(code)) == 1:
        return False
    total = sum(int(code[i]) * (10 - i) for i in range(9))
    rest = total % 11
    check = int(code[9])
    return check == rest if rest < 2 else check == 11 - rest


def normalise_mobile(value):
    """09xxxxxxxxx from +98 / 0098 / 98 / 9xxxxxxxxx, or None."""
    number = re.sub(r"[\s\-()]", "", clean_number(value))
    if number.startswith("+98"):
        number = "0" + number[3:]
    elif number.startswith("0098"):
        number = "0" + number[4:]
    elif number.startswith("98") and len(number) == 12:
        number = "0" + number[2:]
    elif number.startswith("9") and len(number) == 10:
        number = "0" + number
    return number if re.fullmatch(r"09\d{9}", number) else None


def parse_degree(value):
    key = header_key(value)
    for fragments, degree in DEGREES:
        for fragment in fragments:
            fragment = header_key(fragment)
            if len(fragment) <= 3 and fragment.isascii():
                if key == fragment:  # "ma", "ba", "msc": whole words only
                    return degree
            elif fragment in key:
                return degree
    return None


def parse_shift(value):
    return SHIFTS.get(header_key(value))


def parse_bool(value):
    key = header_key(value).translate(DIGITS)
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def _decode(data):
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SisFileError("encoding")


def read_csv(data):
    text = _decode(data)
    if "\x00" in text:
        raise SisFileError("not_spreadsheet")
    sample = text[:4096]
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = max(",;\t", key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    return list(csv.reader(io.StringIO(text, newline=""),
                           delimiter=delimiter))


def read_xlsx(data):
    import openpyxl  # external dependency (manifest)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True,
                                      data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SisFileError("not_spreadsheet", str(exc))
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def read_rows(data, filename=""):
    """The file's rows (lists of cells), first row the headers."""
    if not data:
        raise SisFileError("empty")
    if data[:2] == b"PK":
        return read_xlsx(data)
    if data[:4] == b"\xd0\xcf\x11\xe0" or (filename or "").lower().endswith(
            (".xls", ".ods")):
        raise SisFileError("old_excel")
    return read_csv(data)


def map_headers(header_row):
    """{column key: index} and the list of headers not understood."""
    mapping, unknown = {}, []
    for index, cell in enumerate(header_row):
        key = HEADER_KEYS.get(header_key(cell))
        if key and key not in mapping:
            mapping[key] = index
        elif clean_text(cell):
            unknown.append(clean_text(cell))
    return mapping, unknown

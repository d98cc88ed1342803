import base64
import io

# A messy export as a student information system writes it: Persian
# headers with a zero-width non-joiner and Arabic letters, Arabic ي/ك in
# names, Persian digits, a wrong national code, a duplicate row, a student
# without an e-mail, an unknown degree, a malformed number and mobile.
HEADERS_FA = [
    "شماره\u200cدانشجویی", "نام", "نام خانوادگي", "كد ملی", "دانشکده",
    "رشته", "مقطع", "نوع دوره (روزانه / شبانه)", "ساکن خوابگاه",
    "تلفن همراه", "پست الکترونیکی"]
HEADERS_EN = [
    "Student number", "First name", "Last name", "National code",
    "Faculty", "Major", "Degree", "Shift", "Dormitory resident", "Mobile",
    "E-mail"]
ROWS = [
    # 2: valid, Arabic letters, Persian digits everywhere
    ["۴۰۱۱۰۰۱", "علي", "رضايي", "۰۴۹۹۳۷۰۸۹۹", "مهندسی", "كامپیوتر",
     "کارشناسی", "روزانه", "بله", "۰۹۱۲۱۲۳۴۵۶۷", "ali@students.test"],
    # 3: valid, no e-mail, +98 mobile, second shift
    ["4011002", "مریم", "احمدی", "0790419904", "علوم انسانی", "حقوق",
     "کارشناسی ارشد", "نوبت دوم", "خیر", "+98 912 123 4568", ""],
    # 4: wrong national code (check digit)
    ["4011003", "حسن", "کریمی", "0499370898", "مهندسی", "برق",
     "کارشناسی", "روزانه", "خیر", "09121234569", "hasan@students.test"],
    # 5: the first student again
    ["4011001", "علی", "رضایی", "0499370899", "مهندسی", "کامپیوتر",
     "کارشناسی", "روزانه", "بله", "09121234567", "ali@students.test"],
    # 6: a degree nobody knows
    ["4011004", "زهرا", "موسوی", "0084575948", "مهندسی", "عمران",
     "نامعلوم", "روزانه", "خیر", "09121234570", "zahra@students.test"],
    # 7: a student number with letters, a short mobile
    ["40AB", "رضا", "نوری", "0013542419", "مهندسی", "مکانیک",
     "کارشناسی", "شبانه", "خیر", "12345", ""],
    # 8: a student already enrolled (the test makes them), new faculty
    ["4011005", "سارا", "نیکو", "0013542419", "علوم پایه", "فیزیک",
     "دکتری", "روزانه", "خیر", "09121234571", "4011005@students.test"],
]
VALID_ROWS = 3    # rows 2, 3, 8
PROBLEM_ROWS = 4  # rows 4, 5, 6, 7


def csv_file(headers=None, rows=None, delimiter=";", bom=True):
    headers = HEADERS_FA if headers is None else headers
    rows = ROWS if rows is None else rows
    lines = [delimiter.join(headers)] + [
        delimiter.join(row) for row in rows]
    data = "\r\n".join(lines).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    return base64.b64encode(data)


def xlsx_file(headers=None, rows=None):
    headers = HEADERS_EN if headers is None else headers
    rows = ROWS if rows is None else rows
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        # numbers as a spreadsheet holds them: integers, the leading zero
        # of the national code lost
        sheet.append([int(cell) if cell.isdigit() else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return base64.b64encode(buffer.getvalue())

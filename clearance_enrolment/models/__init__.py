from . import res_partner
from . import res_users
from . import student_import

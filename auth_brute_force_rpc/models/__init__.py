from . import res_authentication_attempt
from . import res_users

from . import test_account_check

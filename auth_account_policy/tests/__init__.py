from . import test_account_policy

from . import test_signup_tokens

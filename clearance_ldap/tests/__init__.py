from . import test_directory_sign_in

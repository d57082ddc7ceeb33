import atexit
import os
import shutil
import sys
import tempfile

import pytest
from hypothesis import settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# The commands the tests run keep their cache of results (shapecheck.runner) in a throwaway
# directory, never in the user's, and every test session starts with an empty one.
os.environ["SHAPECHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix="shapecheck-test-cache-")
atexit.register(shutil.rmtree, os.environ["SHAPECHECK_CACHE_DIR"], True)

# The suite draws the same generated cases on every run, so a red build means a change broke
# something, not that this run drew an unlucky case. A hunt for new disagreements with Keras
# draws fresh ones: SHAPECHECK_ORACLE_EXAMPLES=500 python -m pytest tests/test_oracle_chains.py
settings.register_profile("reproducible", derandomize=True)
if "SHAPECHECK_ORACLE_EXAMPLES" not in os.environ:
    settings.load_profile("reproducible")


@pytest.fixture(autouse=True)
def _recursion_limit():
    """mypy run in-process raises the interpreter's recursion limit for good (to 2**14); a later test
    in the same worker (a deeply nested file that must not parse) would then see another Python."""
    limit = sys.getrecursionlimit()
    yield
    sys.setrecursionlimit(limit)

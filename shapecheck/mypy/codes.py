"""mypy error codes for shapecheck's findings: ``shape``, and ``shape-<name>`` under it.

``# type: ignore[shape]`` and ``disable_error_code = shape`` cover every finding;
``# type: ignore[shape-rank-mismatch]`` one kind.  mypy validates code names after it loads
the plugins, so the codes exist by then.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode

from ..core.findings import CODES, Code

CATEGORY = "Shapecheck"

SHAPE = ErrorCode("shape", "Tensor shapes Keras would reject (shapecheck)", CATEGORY)


def sub_code(code: Code) -> ErrorCode:
    """The mypy sub-code of one finding code: ``shape-rank-mismatch``."""
    return _SUB_CODES[code.name]


_SUB_CODES = {code.name: ErrorCode(code.mypy_code, f"{code.label}: {code.summary}", CATEGORY,
                                   sub_code_of=SHAPE)
              for code in CODES.values()}

"""Lambda handlers of the constructs' custom resources: each module is deployed as inline code
(``index.py``) and uses only the standard library and boto3 of the Lambda Python runtime."""

import functools
from importlib import resources


@functools.cache
def handler_source(module: str) -> str:
    """The source of the handler ``module`` (``public_catalog``), as deployed inline."""
    return resources.files(__name__).joinpath(f"{module}.py").read_text(encoding="utf-8")

"""Recognise unresolved CDK values without importing aws_cdk (for the pure document layer).

CDK encodes a token in a string as ``${Token[NAME.123]}`` and a list token as
``#{Token[NAME.123]}``. A string that contains either is not validated: its real value is
only known at deploy time.
"""

from __future__ import annotations

import re

TOKEN_MARKER = re.compile(r"[$#]\{Token\[")


def is_unresolved(value: object) -> bool:
    """True for a string that holds an unresolved CDK token (anywhere in it)."""
    return isinstance(value, str) and TOKEN_MARKER.search(value) is not None

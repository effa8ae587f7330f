"""How hard a read of an account pushes on the API (no boto3 here: the CLI states these)."""

DEFAULT_WORKERS = 8
"""Threads reading repositories at once (each makes its calls one after another)."""
MAX_ATTEMPTS = 10
"""Attempts per call, throttled calls included, in boto3's adaptive retry mode."""
IMAGES_PAGE_SIZE = 1000
"""Images per ``DescribeImages`` call: the most ECR returns."""

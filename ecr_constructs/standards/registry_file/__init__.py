"""The registry file: its models (data only), parsing with line numbers, loading with every
problem reported at once, resolution of standards into repository settings, and its JSON
Schema. Pure Python (pydantic, PyYAML): no CDK."""

"""The JSON Schema of the registry file, for editors (YAML language servers, IDEs)."""

from __future__ import annotations

from typing import Any

from .models import SETTING_KEYS, RegistryConfig

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Settings keys that accept null (null: no customer-managed key); the others only inherit
# by being left out.
_NULLABLE_SETTINGS = frozenset({"kms_key_arn"})


def registry_json_schema() -> dict[str, Any]:
    """The registry file's JSON Schema (draft 2020-12), with a description of every key.

    Editors complete and check keys with it; ``load_registry_config`` still checks the
    rules a schema can't express (references, inheritance, limits across lists).
    """
    schema = RegistryConfig.model_json_schema()
    for name in ("StandardConfig", "RepositoryConfig"):
        properties = schema["$defs"][name]["properties"]
        for key in SETTING_KEYS:
            if key not in _NULLABLE_SETTINGS:
                properties[key] = _without_null(properties[key])
    return {"$schema": SCHEMA_DIALECT, **schema}


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """``{anyOf: [X, {type: null}], default: null, ...}`` -> ``{...X, ...}``."""
    members = [member for member in prop.get("anyOf", ()) if member != {"type": "null"}]
    rest = {key: value for key, value in prop.items() if key not in ("anyOf", "default")}
    if len(members) != 1:
        return rest
    return {**members[0], **rest}

"""Validates docs/api/openapi.yaml with openapi-spec-validator (another project's reading of the OpenAPI
specification) and prints, after "RESULT ", the operations it documents as ["GET /notices", ...].

Usage: python3 openapi_check.py PATH-TO-openapi.yaml
Exit status 0 with RESULT when the document is valid; 1 with the validator's message when it is not.
"""
import json
import sys

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def main() -> int:
    try:
        spec, _ = read_from_filename(sys.argv[1])
        validate(spec)
    except Exception as error:  # the YAML parser's and the validator's errors alike
        print(f"INVALID {type(error).__name__}: {error}")
        return 1
    operations = sorted(
        f"{method.upper()} {path}"
        for path, item in (spec.get("paths") or {}).items()
        for method in item
        if method in METHODS
    )
    print("RESULT " + json.dumps({"openapi": spec.get("openapi"), "operations": operations}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

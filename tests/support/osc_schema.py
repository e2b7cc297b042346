"""Validates OSC API answers against the official OpenAPI description.

Usage: python osc_schema.py outscale.yaml < items.json, where items.json is a JSON array of
{"call": <name>, "status": <http status>, "body": <answer text>}. A 2xx body must match the
call's <Call>Response schema, any other the ErrorResponse schema. Exits 1 listing every failure.
"""
import json
import sys

import yaml
from openapi_schema_validator import OAS30Validator


def main():
    spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    components = spec["components"]
    failures = []
    items = json.load(sys.stdin)
    for item in items:
        name = item["call"] + "Response" if 200 <= item["status"] < 300 else "ErrorResponse"
        if name not in components["schemas"]:
            failures.append(f"{item['call']}: the spec has no schema {name}")
            continue
        schema = {"$ref": f"#/components/schemas/{name}", "components": components}
        validator = OAS30Validator(schema)
        try:
            body = json.loads(item["body"])
        except ValueError as e:
            failures.append(f"{item['call']} ({item['status']}): not JSON: {e}")
            continue
        for error in validator.iter_errors(body):
            path = "/".join(str(p) for p in error.absolute_path)
            failures.append(f"{item['call']} ({item['status']}) at '{path}': {error.message}")
    for f in failures:
        print(f)
    print(f"{len(items)} answers checked, {len(failures)} failures")
    sys.exit(1 if failures else 0)


main()

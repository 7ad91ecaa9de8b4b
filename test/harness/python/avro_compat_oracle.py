"""Differential oracle: python3-avro's reader/writer compatibility verdicts.

Reads JSON lines on stdin, each {"reader": <schema>, "writer": <schema>},
and prints one JSON line per input: {"compatible": true|false} or
{"error": "..."} when python3-avro cannot parse a schema. Imported from
Debian's python3-avro (module avro.compatibility), which .ci/run installs.
"""

import json
import sys

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType


def verdict(line):
    pair = json.loads(line)
    try:
        reader = avro.schema.parse(json.dumps(pair["reader"]))
        writer = avro.schema.parse(json.dumps(pair["writer"]))
    except Exception as exc:  # a schema python3-avro refuses is reported, not fatal
        return {"error": f"{type(exc).__name__}: {exc}"}
    # A fresh checker per pair: its memo is keyed by schema object identity.
    result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    return {"compatible": result.compatibility is SchemaCompatibilityType.compatible}


def main():
    out = sys.stdout
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(verdict(line)) + "\n")
    out.flush()


if __name__ == "__main__":
    main()

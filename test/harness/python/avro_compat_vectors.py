"""python3-avro's own compatibility test vectors, as data.

Reads the pair lists in python3-avro's installed test module
(avro/test/test_compatibility.py, not copied into this repository): every
list literal of tuples inside a test method whose first two items evaluate,
at module level, to schemas. Prints one JSON line per pair:
{"list": name, "reader": json, "writer": json, "compatible": verdict}, then
a final line {"unreadable": n} counting tuples that name local variables.
"""

import ast
import importlib
import inspect
import json
import sys

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import Schema


def main():
    module = importlib.import_module("avro.test.test_compatibility")
    tree = ast.parse(inspect.getsource(module))
    unreadable = 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)):
            continue
        name = node.targets[0].id if isinstance(node.targets[0], ast.Name) else "?"
        for element in node.value.elts:
            if not (isinstance(element, ast.Tuple) and len(element.elts) >= 2):
                continue
            try:
                reader, writer = (
                    eval(compile(ast.Expression(e), "<vector>", "eval"), vars(module)) for e in element.elts[:2]
                )
            except NameError:
                unreadable += 1  # a schema held in a test method's local variable
                continue
            if not (isinstance(reader, Schema) and isinstance(writer, Schema)):
                continue
            result = ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
            line = {
                "list": name,
                "reader": reader.to_json(),
                "writer": writer.to_json(),
                "compatible": result.compatibility is SchemaCompatibilityType.compatible,
            }
            sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.write(json.dumps({"unreadable": unreadable}) + "\n")


if __name__ == "__main__":
    main()

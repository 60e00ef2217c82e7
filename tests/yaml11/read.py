"""Reads YAML streams with PyYAML, a YAML 1.1 parser, for the test suite.

Kubernetes reads manifests with YAML 1.1 rules (go-yaml); PyYAML follows the
same version.  The suite (tests/suite/yaml_readback.rs) keeps one process
running and sends it requests on standard input: a line with the byte length
of a YAML stream, then the stream.  Each answer is one JSON line, the
documents read by PyYAML's own pure-Python parser ("py") and, where PyYAML
was built with it, by libyaml ("c"), each scalar tagged with the type it was
read as, so that `"true"` and `true` or `"10"` and `10` stay apart.
"""

import json
import sys

import yaml


def tagged(node):
    """A JSON value that says what type each scalar was read as."""
    if node is None:
        return None
    if isinstance(node, bool):
        return {"b": node}
    if isinstance(node, int):
        return {"i": str(node)}
    if isinstance(node, float):
        return {"f": repr(node)}
    if isinstance(node, str):
        return {"s": node}
    if isinstance(node, list):
        return [tagged(item) for item in node]
    if isinstance(node, dict):
        return {"m": [[tagged(k), tagged(v)] for k, v in node.items()]}
    return {"x": repr(node)}


def read(text, loader):
    try:
        return {"ok": [tagged(doc) for doc in yaml.load_all(text, Loader=loader)]}
    except Exception as error:  # noqa: BLE001 (a timestamp that is no date raises ValueError)
        return {"error": str(error)}


def main():
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        text = stdin.read(int(line)).decode("utf-8")
        answer = {"py": read(text, yaml.SafeLoader)}
        if hasattr(yaml, "CSafeLoader"):
            answer["c"] = read(text, yaml.CSafeLoader)
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


main()

#!/usr/bin/env python3
"""Validate Kubernetes manifests (YAML or JSON files, multi-document) offline.

Core kinds are checked with kubernetes-validate's bundled schemas in strict mode (unknown
fields rejected) for every --k8s-version (default 1.33 and 1.37), exactly as
`kubernetes-validate --strict -k VERSION` does, but in one process. Custom resources
(Traefik IngressRoute/Middleware, Gateway API HTTPRoute, ...) are checked with jsonschema
against the `openAPIV3Schema` of the matching CustomResourceDefinition in --crd-dir, made
strict the way the API server's strict field validation is (unknown fields rejected unless the
schema preserves them). A kind with no schema is an error, never a silent pass (the
kubernetes-validate CLI only warns).

Exit status: 0 all valid, 1 some document invalid, 2 could not validate (usage, unreadable file).
"""

import argparse
import copy
import functools
import glob
import os
import re
import sys

import jsonschema
import yaml
from kubernetes_validate import utils as kv
from referencing import Registry, Resource

DEFAULT_VERSIONS = ["1.33", "1.37"]


def yaml_value_constructor(loader, node):
    # A bare `=` scalar is PyYAML's "value" tag; kubernetes-validate treats it as a string too.
    return str(node.value)


yaml.SafeLoader.add_constructor("tag:yaml.org,2002:value", yaml_value_constructor)


def strict_schema(schema):
    """Reject unknown fields: every object schema with `properties` and no explicit
    `additionalProperties` / `x-kubernetes-preserve-unknown-fields` gets
    `additionalProperties: false`, as the API server's strict field validation behaves."""
    if isinstance(schema, dict):
        out = {k: strict_schema(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict_schema(v) for v in schema]
    return schema


def load_crds(crd_dir):
    """{(group, version, kind): strict openAPIV3Schema} for every served version."""
    schemas = {}
    if not crd_dir:
        return schemas
    for path in sorted(glob.glob(os.path.join(crd_dir, "*.y*ml"))):
        with open(path, encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                    continue
                spec = doc.get("spec", {})
                group = spec.get("group")
                kind = spec.get("names", {}).get("kind")
                for ver in spec.get("versions", []):
                    if not ver.get("served", False):
                        continue
                    schema = ver.get("schema", {}).get("openAPIV3Schema")
                    if schema is None:
                        continue
                    schema = copy.deepcopy(schema)
                    # metadata is checked by the API server itself, not by the CRD schema.
                    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                    schemas[(group, ver["name"], kind)] = strict_schema(schema)
    return schemas


@functools.lru_cache(maxsize=None)
def core_definitions(schema_dir):
    """The registry of one schema folder's shared definitions (1.4 MB: parsed once)."""
    defs = kv.schema_contents("kubernetes-json-schema/%s/_definitions.json" % schema_dir, schema_dir)
    return Resource.from_contents(defs) @ Registry()


@functools.lru_cache(maxsize=None)
def core_validator(k8s_version, api_version, kind):
    """A strict validator for one kind, picked exactly as kubernetes_validate.validate() does
    (the newest bundled schema not newer than k8s_version), but built once and reused: the
    library re-reads its schema files on every call, which is ~0.2 s a document."""
    wanted = kv.major_minor(k8s_version)
    candidates = [v for v in kv.all_versions() if kv.major_minor(v) <= wanted]
    if not candidates:
        raise kv.VersionNotSupportedError(version=wanted)
    schema_dir = "v%s-local-strict" % candidates[-1]
    # rbac.authorization.k8s.io/v1 -> rbac-v1, as kubernetes-validate names its files.
    file_api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(
            "kubernetes-json-schema/%s/%s-%s.json" % (schema_dir, kind.lower(), file_api), wanted
        )
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ core_definitions(schema_dir)
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def split_api_version(api_version):
    if "/" in api_version:
        group, version = api_version.split("/", 1)
        return group, version
    return "", api_version


def describe(obj):
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return "%s/%s" % (obj.get("kind", "?"), meta.get("name", "?"))


def json_path(parts):
    return ".".join(str(p) for p in parts) or "(root)"


def validate_object(obj, versions, crds):
    """List of error strings for one object (empty when valid)."""
    if not isinstance(obj, dict):
        return ["not a mapping"]
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return ["apiVersion and kind must be strings"]
    group, version = split_api_version(api_version)
    errors = []
    crd_groups = {g for (g, _, _) in crds}
    if group in crd_groups:
        schema = crds.get((group, version, kind))
        if schema is None:
            return ["no CustomResourceDefinition serves %s %s" % (api_version, kind)]
        validator = jsonschema.Draft7Validator(schema)
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(e.path)):
            errors.append("CRD schema: %s: %s" % (json_path(e.path), e.message))
        return errors
    for k8s_version in versions:
        validator = core_validator(k8s_version, api_version, kind)
        if validator is None:
            errors.append("k8s %s: no schema for %s %s" % (k8s_version, api_version, kind))
            continue
        for e in sorted(validator.iter_errors(obj), key=lambda e: list(e.path)):
            errors.append("k8s %s: %s: %s" % (k8s_version, json_path(e.path), e.message))
    return errors


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for doc in yaml.load_all(text, Loader=yaml.SafeLoader):
        if doc is None:
            continue
        # `kubectl`'s List form (and a JSON array) hold several objects.
        if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            yield from doc["items"]
        elif isinstance(doc, list):
            yield from doc
        else:
            yield doc


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_crds = os.path.join(here, "..", "schemas", "crds")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", metavar="FILE", help="manifest files ('-' for stdin)")
    p.add_argument("-k", "--k8s-version", action="append", dest="versions",
                   help="Kubernetes version of the core schemas (repeatable; default 1.33 and 1.37)")
    p.add_argument("--crd-dir", default=os.environ.get("COOLIFY_K8S_CRD_DIR", default_crds),
                   help="folder of CustomResourceDefinition YAML files")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems and the summary")
    args = p.parse_args(argv)
    versions = args.versions or DEFAULT_VERSIONS
    crds = load_crds(args.crd_dir) if os.path.isdir(args.crd_dir) else {}
    if not crds:
        print("note: no CRDs in %s: custom resources cannot be validated" % args.crd_dir,
              file=sys.stderr)

    n_objects = n_invalid = 0
    unreadable = False
    for path in args.files:
        try:
            docs = list(documents("/dev/stdin" if path == "-" else path))
        except OSError as e:
            print("%s: cannot read: %s" % (path, e), file=sys.stderr)
            unreadable = True
            continue
        except yaml.YAMLError as e:
            print("%s: invalid YAML: %s" % (path, str(e).replace("\n", " ")))
            n_invalid += 1
            continue
        for i, obj in enumerate(docs):
            n_objects += 1
            name = describe(obj) if isinstance(obj, dict) else "?"
            errors = validate_object(obj, versions, crds)
            if errors:
                n_invalid += 1
                for err in errors:
                    print("%s: document %d (%s): %s" % (path, i + 1, name, err))
            elif not args.quiet:
                print("%s: document %d (%s): valid" % (path, i + 1, name))
    print("validated %d object(s) in %d file(s): %d invalid" % (n_objects, len(args.files), n_invalid),
          file=sys.stderr)
    if unreadable:
        return 2
    return 1 if n_invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Write the trimmed fact extracts in this folder from the vendors' own documents.

Not run by `make test`: it needs the vendors' repositories checked out locally. It keeps facts only
(paths, methods, operationIds, parameters with their types and bounds, schema field names, types,
enums, required lists, status codes, media types) and drops every description, summary and example.

    python3 extract.py openapi <vendor> <document.yaml> <source.json> <METHOD /path>...
    python3 extract.py add <extract.json> <operations.json>
    python3 extract.py obp <OBP-API checkout> <source.json> <statuses.json> <METHOD /path>...

`add` merges operations compiled by hand (each with its own `source`) into an extract, for
operations the vendor's document lacks.

`source.json` names where the document came from ({"repository", "path", "commit", ...}); it is
copied into the extract as `source`.
"""
import json
import sys

import yaml

KEEP = ("type", "format", "enum", "nullable", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
        "uniqueItems", "default")


class Trimmer:
    def __init__(self, doc):
        self.doc = doc
        self.schemas = {}

    def resolve(self, ref):
        node = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def schema(self, s):
        if "$ref" in s:
            ref = s["$ref"]
            parts = ref.split("/")
            if len(parts) == 4 and parts[1] == "components" and parts[2] == "schemas":
                name = parts[3]
                if name not in self.schemas:
                    self.schemas[name] = None  # cycle guard
                    self.schemas[name] = self.schema(self.resolve(ref))
                return {"$ref": name}
            # a ref into a schema's property (Authress does this): inline it
            return self.schema(self.resolve(ref))
        out = {k: s[k] for k in KEEP if k in s}
        if "properties" in s:
            out["properties"] = {k: self.schema(v) for k, v in s["properties"].items()}
        if "required" in s:
            out["required"] = sorted(s["required"])
        if "items" in s:
            out["items"] = self.schema(s["items"])
        if isinstance(s.get("additionalProperties"), dict):
            out["additionalProperties"] = self.schema(s["additionalProperties"])
        for key in ("allOf", "oneOf", "anyOf"):
            if key in s:
                out[key] = [self.schema(x) for x in s[key]]
        return out

    def deref(self, node):
        while "$ref" in node:
            node = self.resolve(node["$ref"])
        return node

    def content(self, c):
        return {media: self.schema(m["schema"]) if "schema" in m else {} for media, m in c.items()}

    def operation(self, path, method):
        item = self.doc["paths"][path]
        op = item[method.lower()]
        params = []
        for p in item.get("parameters", []) + op.get("parameters", []):
            p = self.deref(p)
            params.append({"name": p["name"], "in": p["in"], "required": p.get("required", False),
                           "schema": self.schema(p.get("schema", {}))})
        out = {"operationId": op["operationId"], "parameters": params}
        if "requestBody" in op:
            rb = self.deref(op["requestBody"])
            out["requestBody"] = {"required": rb.get("required", False),
                                  "content": self.content(rb.get("content", {}))}
        out["responses"] = {}
        for status, r in op["responses"].items():
            r = self.deref(r)
            out["responses"][str(status)] = {"content": self.content(r.get("content", {}))}
        return out


def openapi(vendor, document, source, ops):
    with open(document) as f:
        doc = yaml.safe_load(f)
    with open(source) as f:
        src = json.load(f)
    src["documentVersion"] = doc["info"]["version"]
    t = Trimmer(doc)
    operations = {}
    for key in ops:
        method, path = key.split(" ", 1)
        operations[f"{method.upper()} {path}"] = t.operation(path, method)
    out = {"vendor": vendor, "source": src, "operations": operations,
           "schemas": dict(sorted(t.schemas.items()))}
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


def add(extract, extra):
    with open(extract) as f:
        out = json.load(f)
    with open(extra) as f:
        more = json.load(f)
    out["operations"].update(more.get("operations", {}))
    out["schemas"].update(more.get("schemas", {}))
    out["schemas"] = dict(sorted(out["schemas"].items()))
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


# --- Open Bank Project: ResourceDocs and the case classes their examples are built from ---------
#
#     python3 extract.py obp <OBP-API checkout> <source.json> <statuses.json> <METHOD /path>...
#
# OBP publishes no static OpenAPI file: its swagger (`/resource-docs/v4.0.0/swagger`) is made at
# run time from the ResourceDocs in `APIMethodsNNN.scala`: verb, URL, operation id
# `OBP<version>-<name>`, and request/response schemas from the case classes of the example values
# (SwaggerJSONFactory.translateEntity: the case class name is the schema name, a non-`Option` field
# is required, `Int` is int32, `Long` int64, `Date` a string of format `date`). This mode rebuilds
# those facts from the source. OBP's swagger invents its status codes (201 for every POST, 204 for
# every DELETE) and lists no query parameters, so `statuses.json` brings both from the reference,
# which read them in the endpoint code.

import os
import pickle
import re
import subprocess

VERSIONS = [("v2_0_0/APIMethods200.scala", "v2.0.0"), ("v3_0_0/APIMethods300.scala", "v3.0.0"),
            ("v3_1_0/APIMethods310.scala", "v3.1.0"), ("v4_0_0/APIMethods400.scala", "v4.0.0")]
API = "obp-api/src/main/scala/code/api/"


def git_show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", "HEAD:" + path], check=True,
                          capture_output=True, text=True).stdout


def skip_ws(s, i):
    while i < len(s):
        if s[i].isspace():
            i += 1
        elif s.startswith("//", i):
            i = s.index("\n", i)
        elif s.startswith("/*", i):
            i = s.index("*/", i) + 2
        else:
            break
    return i


def expr(s, i):
    """One Scala argument expression from s[i:], up to the top-level ',' or ')'."""
    i = skip_ws(s, i)
    start, depth = i, 0
    while i < len(s):
        if s.startswith('"""', i):
            i = s.index('"""', i + 3) + 3
            while i < len(s) and s[i] == '"':
                i += 1
            continue
        c = s[i]
        if c == '"':
            i += 1
            while s[i] != '"':
                i += 2 if s[i] == "\\" else 1
            i += 1
            continue
        if s.startswith("//", i):
            i = s.index("\n", i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            break
        i += 1
    return s[start:i].strip(), i + 1


def resource_docs(repo):
    docs = {}
    for path, version in VERSIONS:
        src = git_show(repo, API + path)
        for m in re.finditer(r"ResourceDoc\(", src):
            args, i = [], m.end()
            for _ in range(9):
                a, i = expr(src, i)
                args.append(a)
            name = re.sub(r'^nameOf\((\w+)\)$', r"\1", args[2]).strip('"')
            verb, url = args[3].strip('"'), args[4].strip('"')
            if not re.fullmatch(r"[A-Z]+", verb) or not url.startswith("/"):
                continue
            doc = {"version": version, "name": name, "verb": verb, "url": url,
                   "request": args[7], "response": args[8]}
            key = (verb, url)
            # OBPRestHelper.collectResourceDocs: the newest version of a (verb, path) wins
            docs[key] = doc
    return docs


class Scala:
    def __init__(self, repo):
        self.classes, self.vals = {}, {}
        text = subprocess.run(["git", "-C", repo, "grep", "-h", "-z", "-e", ".", "HEAD", "--",
                               "obp-api/src/main/scala/*.scala"], capture_output=True,
                              text=True).stdout
        for m in re.finditer(r"case class\s+(\w+)\s*(\[[^\]]*\])?\s*\(", text):
            fields, i = [], m.end()
            while True:
                a, i = expr(text, i)
                if a:
                    fields.append(a)
                if i - 1 >= len(text) or text[i - 1] == ")":
                    break
            self.classes.setdefault(m.group(1), fields)
        # the example values the ResourceDocs name
        examples = git_show(repo, API + "ResourceDocs1_4_0/SwaggerDefinitionsJSON.scala")
        for m in re.finditer(r"(?:lazy\s+)?val\s+(\w+)\s*(?::\s*[\w\[\], ]+)?=\s*", examples):
            rhs, _ = expr(examples, m.end())
            self.vals.setdefault(m.group(1), rhs)

    def example_class(self, e, depth=0):
        e = e.strip()
        if e in ("EmptyBody", "JNothing", ""):
            return None
        if e in ("true", "false"):
            return {"type": "boolean"}
        m = re.match(r"(?:\w+\.)*([A-Z]\w*)\s*(?:\.apply)?\s*\(", e)
        if m:
            if m.group(1) in ("List", "Seq"):
                inner, _ = expr(e, e.index("(") + 1)
                return {"type": "array", "items": self.example_class(inner, depth + 1)}
            return {"$ref": m.group(1)}
        m = re.fullmatch(r"(?:\w+\.)*(\w+)", e)
        if m and m.group(1) in self.vals and depth < 5:
            return self.example_class(self.vals[m.group(1)], depth + 1)
        return {"x-unresolved": e[:60]}


class ObpTrimmer:
    SCALARS = {"String": {"type": "string"}, "Int": {"type": "integer", "format": "int32"},
               "Long": {"type": "integer", "format": "int64"}, "Boolean": {"type": "boolean"},
               "Double": {"type": "number", "format": "double"},
               "BigDecimal": {"type": "string", "format": "double"},
               "Date": {"type": "string", "format": "date"}}

    def __init__(self, scala):
        self.scala, self.schemas = scala, {}

    def typ(self, t):
        t = t.strip()
        m = re.fullmatch(r"Option\[(.*)\]", t)
        if m:
            return self.typ(m.group(1))
        m = re.fullmatch(r"(?:List|Seq|Array|Vector)\[(.*)\]", t)
        if m:
            return {"type": "array", "items": self.typ(m.group(1))}
        if t in self.SCALARS:
            return dict(self.SCALARS[t])
        if t in ("JValue", "JObject"):
            return {"type": "object"}
        return self.ref(t)

    def ref(self, name):
        if name not in self.scala.classes:
            return {"x-unresolved": name}
        if name not in self.schemas:
            self.schemas[name] = None
            props, required = {}, []
            for f in self.scala.classes[name]:
                m = re.match(r"(?:val\s+)?`?(\w+)`?\s*:\s*([^=]+?)(?:=.*)?$", f, re.S)
                if not m:
                    continue
                fname, ftype = m.group(1), " ".join(m.group(2).split())
                props[fname] = self.typ(ftype)
                if not ftype.startswith("Option["):
                    required.append(fname)
            self.schemas[name] = {"type": "object", "properties": props,
                                  "required": sorted(required)}
        return {"$ref": name}

    def body(self, example):
        s = self.scala.example_class(example)
        if s and "$ref" in s:
            return self.ref(s["$ref"])
        if s and s.get("type") == "array" and s["items"] and "$ref" in s["items"]:
            return {"type": "array", "items": self.ref(s["items"]["$ref"])}
        return s


def obp(repo, source, statuses, ops):
    with open(source) as f:
        src = json.load(f)
    with open(statuses) as f:
        facts = json.load(f)["operations"]
    docs = resource_docs(repo)
    cache = os.environ.get("OBP_SCALA_CACHE")  # a pickle file, to skip re-reading the sources
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            scala = pickle.load(f)
    else:
        scala = Scala(repo)
        if cache:
            with open(cache, "wb") as f:
                pickle.dump(scala, f)
    t = ObpTrimmer(scala)
    operations = {}
    for key in ops:
        method, path = key.split(" ", 1)
        prefix, rest = re.match(r"(/obp/v[0-9.]+)(/.*)", path).groups()
        url = re.sub(r"\{(\w+)\}", r"\1", rest)
        doc = docs[(method.upper(), url)]
        params = [{"name": seg, "in": "path", "required": True, "schema": {"type": "string"}}
                  for seg in url.split("/") if re.fullmatch(r"[A-Z][A-Z_]*", seg)]
        fact = facts[f"{method.upper()} {path}"]
        params += fact.get("query", [])
        out = {"operationId": f"OBP{doc['version']}-{doc['name']}", "parameters": params}
        req = t.body(doc["request"])
        if req:
            out["requestBody"] = {"required": True, "content": {"application/json": req}}
        resp = t.body(doc["response"])
        out["responses"] = {}
        for status in fact["statuses"]:
            ok = status.startswith("2")
            body = resp if ok else {"$ref": "ErrorMessage"}
            out["responses"][status] = {"content": {"application/json": body} if body else {}}
        operations[f"{method.upper()} {path}"] = out
    t.ref("ErrorMessage")
    out = {"vendor": "obp", "source": src, "operations": operations,
           "schemas": dict(sorted(t.schemas.items()))}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    modes = {"openapi": lambda a: openapi(a[0], a[1], a[2], a[3:]),
             "add": lambda a: add(a[0], a[1]),
             "obp": lambda a: obp(a[0], a[1], a[2], a[3:])}
    modes[sys.argv[1]](sys.argv[2:])

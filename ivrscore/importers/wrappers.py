"""Flows kept inside infrastructure code: Terraform and CloudFormation / SAM templates.

Most teams deploy their call flows with infrastructure code, so the flow is a value inside a
resource rather than a file of its own:

* Terraform ``aws_connect_contact_flow`` (and ``aws_connect_contact_flow_module``): ``content``
  as a heredoc or string of JSON, ``jsonencode({...})`` of a literal, or ``file("flow.json")``;
* Terraform ``twilio_studio_flows_v2``: ``definition``, the same ways;
* Terraform ``genesyscloud_flow``: ``filepath`` (an Archy YAML file next to the ``.tf``);
* CloudFormation / SAM (JSON or YAML) ``AWS::Connect::ContactFlow``: ``Properties.Content``.

Nothing is evaluated beyond literals, ``file()`` and ``jsonencode()`` of literals: a value built
from variables, locals, ``templatefile()`` or ``!Sub`` is reported (what and where), not guessed.

Examples
--------
>>> tf = b'''resource "aws_connect_contact_flow" "main" {
...   name    = "Main"
...   content = jsonencode({ Version = "2019-10-30", StartAction = "a", Actions = [] })
... }'''
>>> [(f.name, f.format, f.line) for f in flows_in(tf, "main.tf")]
[('main', 'connect', 1)]
>>> flows_in(tf, "main.tf")[0].content
b'{"Version": "2019-10-30", "StartAction": "a", "Actions": []}'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import TreeFileError
from ..io import _too_deep, check_json_depth

__all__ = ["Embedded", "flows_in", "is_cloudformation", "is_terraform"]

TERRAFORM_RESOURCES = {
    "aws_connect_contact_flow": ("connect", "content"),
    "aws_connect_contact_flow_module": ("connect", "content"),
    "twilio_studio_flows_v2": ("twilio", "definition"),
    "genesyscloud_flow": ("genesys", "filepath"),
}
"""Terraform resource types holding a flow: ``{type: (format, attribute)}``."""

_RESOURCE = re.compile(r'^[ \t]*resource\s+"([\w-]+)"\s+"([\w-]+)"\s*\{', re.M)


@dataclass(frozen=True)
class Embedded:
    """A flow found inside infrastructure code."""

    name: str
    """The resource's name (Terraform's second label, CloudFormation's logical id)."""
    format: str
    """The import format of the flow (``connect``, ``twilio``, ``genesys``)."""
    resource: str
    """The resource type, e.g. ``aws_connect_contact_flow``."""
    line: int
    """Where the resource starts in the file."""
    content: bytes | None
    """The flow itself, or None when it cannot be read without evaluating code."""
    problem: str | None = None
    """Why ``content`` is None."""
    source: str | None = None
    """The file the flow came from (``file()`` / ``filepath``), when not the wrapper itself."""


def is_terraform(text: str) -> bool:
    """Whether ``text`` is Terraform that declares a flow resource."""
    return any(m.group(1) in TERRAFORM_RESOURCES for m in _RESOURCE.finditer(text))


def is_cloudformation(data: Any) -> bool:
    """Whether parsed ``data`` is a CloudFormation / SAM template with a contact flow."""
    resources = data.get("Resources") if isinstance(data, dict) else None
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and r.get("Type") == "AWS::Connect::ContactFlow"
        for r in resources.values()
    )


def flows_in(raw: bytes, source: str | None = None) -> list[Embedded]:
    """The flows held in a Terraform file or a CloudFormation / SAM template."""
    text = raw.decode("utf-8-sig", errors="replace")
    if is_terraform(text):
        return _terraform(text, source)
    data = _cfn_load(text, source)
    if is_cloudformation(data):
        return _cloudformation(data, text)
    return []


# -- Terraform ----------------------------------------------------------------------------------


def _block(text: str, start: int) -> str:
    """The body of the block whose ``{`` is at ``start`` (strings and heredocs respected)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "<" and text.startswith("<<", i):
            m = re.match(r"<<-?\s*(\w+)\n", text[i:])
            if m:
                end = re.compile(rf"^\s*{m.group(1)}\s*$", re.M).search(text, i + m.end())
                i = end.end() if end else n
                continue
        elif c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        i += 1
    return text[start + 1 :]


def _terraform(text: str, source: str | None) -> list[Embedded]:
    out: list[Embedded] = []
    here = Path(source).parent if source else Path(".")
    for m in _RESOURCE.finditer(text):
        rtype, name = m.group(1), m.group(2)
        if rtype not in TERRAFORM_RESOURCES:
            continue
        fmt, attr = TERRAFORM_RESOURCES[rtype]
        line = text.count("\n", 0, m.start()) + 1
        body = _block(text, m.end() - 1)
        value = re.search(rf"^[ \t]*{attr}\s*=\s*", body, re.M)
        if value is None:
            out.append(Embedded(name, fmt, rtype, line, None, f"no {attr} attribute"))
            continue
        rest = body[value.end() :]
        path = re.match(r'"([^"$]*)"', rest)
        if attr == "filepath" and path:  # genesyscloud_flow: the Archy YAML beside the .tf
            content, problem, from_file = _read_beside(here, path.group(1))
        else:
            content, problem, from_file = _value(rest, here)
        out.append(Embedded(name, fmt, rtype, line, content, problem, from_file))
    return out


def _value(rest: str, here: Path) -> tuple[bytes | None, str | None, str | None]:
    """A Terraform attribute's value when it is a literal, ``file()`` or ``jsonencode()``."""
    heredoc = re.match(r"<<-?\s*(\w+)\n", rest)
    if heredoc:
        end = re.compile(rf"^\s*{heredoc.group(1)}\s*$", re.M).search(rest, heredoc.end())
        body = rest[heredoc.end() : end.start() if end else len(rest)]
        if "${" in body and "$${" not in body:
            return None, "the heredoc interpolates ${...}, which ivrscore does not evaluate", None
        return body.encode(), None, None
    if rest.startswith('"'):
        string = re.match(r'"((?:[^"\\]|\\.)*)"', rest, re.S)
        if string:
            literal = string.group(1)
            if "${" in literal:
                return (
                    None,
                    "the string interpolates ${...}, which ivrscore does not evaluate",
                    None,
                )
            try:
                return json.loads(f'"{literal}"').encode(), None, None
            except ValueError:
                return literal.encode(), None, None
        return None, "an unterminated string", None
    call = re.match(r"(\w+)\s*\(", rest)
    if call and call.group(1) == "file":
        arg = re.match(r'file\s*\(\s*"([^"]*)"\s*\)', rest)
        if not arg:
            return None, "file() of something other than a literal path", None
        rel = re.sub(r"^\$\{path\.(module|root|cwd)\}/", "", arg.group(1))
        if "${" in rel:
            return None, f"file({arg.group(1)!r}) builds its path from variables", None
        return _read_beside(here, rel)
    if call and call.group(1) == "jsonencode":
        try:
            value, _end = _Hcl(rest, call.end()).value()
        except ValueError as exc:
            return None, f"jsonencode() of something other than a literal ({exc})", None
        return json.dumps(value).encode(), None, None
    if call:
        return None, f"{call.group(1)}() is not evaluated (only file() and jsonencode())", None
    word = re.match(r"[\w.\[\]\"]+", rest)
    what = word.group(0) if word else rest[:30].strip()
    if re.match(r"^\w+\.\w+", rest):
        return None, f"{what} is a reference, which ivrscore does not evaluate", None
    return None, f"{what!r} is not a literal ivrscore can read", None


def _read_beside(here: Path, rel: str) -> tuple[bytes | None, str | None, str | None]:
    from ..io import read_bounded

    if Path(rel).is_absolute():  # a flow lives beside its Terraform, not anywhere on the disk
        return None, f"file({rel!r}) is an absolute path; ivrscore reads files beside it", None
    path = here / rel
    if not path.is_file():
        return None, f"file({rel!r}) is not next to the Terraform file", str(path)
    return read_bounded(path, "flow files"), None, str(path)


class _Hcl:
    """A reader of HCL literal expressions (objects, tuples, strings, numbers, booleans, null)."""

    def __init__(self, text: str, pos: int) -> None:
        self.text, self.pos = text, pos

    def skip(self) -> None:
        while True:
            m = re.compile(r"(\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)", re.S).match(self.text, self.pos)
            if not m or not m.group(0):
                return
            self.pos = m.end()

    def value(self) -> tuple[Any, int]:
        v = self.expr()
        self.skip()
        if not self.text.startswith(")", self.pos):
            raise ValueError("expected ) after the literal")
        return v, self.pos + 1

    def expr(self, depth: int = 0) -> Any:
        if depth > 200:
            raise ValueError("nested too deeply")
        self.skip()
        t, p = self.text, self.pos
        if t.startswith("{", p):
            self.pos += 1
            out: dict[str, Any] = {}
            while True:
                self.skip()
                if t.startswith("}", self.pos):
                    self.pos += 1
                    return out
                key = self.key()
                self.skip()
                if not (t.startswith("=", self.pos) or t.startswith(":", self.pos)):
                    raise ValueError(f"expected = after {key!r}")
                self.pos += 1
                out[key] = self.expr(depth + 1)
                self.skip()
                if t.startswith(",", self.pos):
                    self.pos += 1
        if t.startswith("[", p):
            self.pos += 1
            items: list[Any] = []
            while True:
                self.skip()
                if t.startswith("]", self.pos):
                    self.pos += 1
                    return items
                items.append(self.expr(depth + 1))
                self.skip()
                if t.startswith(",", self.pos):
                    self.pos += 1
        if t.startswith('"', p):
            m = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S).match(t, p)
            if not m:
                raise ValueError("an unterminated string")
            if "${" in m.group(1):
                raise ValueError("a string interpolates ${...}")
            self.pos = m.end()
            return json.loads(f'"{m.group(1)}"')
        m = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?").match(t, p)
        if m:
            self.pos = m.end()
            return float(m.group(0)) if any(c in m.group(0) for c in ".eE") else int(m.group(0))
        m = re.compile(r"[A-Za-z_][\w.\-]*").match(t, p)
        if m:
            word = m.group(0)
            self.pos = m.end()
            if word in ("true", "false"):
                return word == "true"
            if word == "null":
                return None
            raise ValueError(f"{word} is a reference")
        raise ValueError(f"unexpected {t[p : p + 10]!r}")

    def key(self) -> str:
        t = self.text
        if t.startswith('"', self.pos):
            v = self.expr()
            return str(v)
        m = re.compile(r"[A-Za-z_][\w\-]*").match(t, self.pos)
        if not m:
            raise ValueError(f"unexpected {t[self.pos : self.pos + 10]!r}")
        self.pos = m.end()
        return m.group(0)


# -- CloudFormation / SAM -----------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Sub``, ``!Ref`` …) kept as ``{"!Sub": x}``."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node)
    else:
        value = loader.construct_mapping(node)  # type: ignore[arg-type]
    return {f"!{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tagged)


def _cfn_load(text: str, source: str | None) -> Any:
    if not re.search(r"AWS::Connect::ContactFlow", text):
        return None
    try:
        if text.lstrip().startswith("{"):
            check_json_depth(text, source)
            return json.loads(text)
        return yaml.load(text, Loader=_CfnLoader)
    except RecursionError:  # PyYAML composes nodes recursively
        raise _too_deep(source, None) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise TreeFileError.single(
            f"not a readable template: {exc}".splitlines()[0], file=source
        ) from None


def _cloudformation(data: dict[str, Any], text: str) -> list[Embedded]:
    out: list[Embedded] = []
    for logical, res in data["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") != "AWS::Connect::ContactFlow":
            continue
        m = re.search(rf"^\s*\"?{re.escape(str(logical))}\"?\s*:", text, re.M)
        line = text.count("\n", 0, m.start()) + 1 if m else 1
        props = res.get("Properties") if isinstance(res.get("Properties"), dict) else {}
        content = (props or {}).get("Content")
        name = str(logical)
        if isinstance(content, str):
            out.append(
                Embedded(name, "connect", "AWS::Connect::ContactFlow", line, content.encode())
            )
        elif (
            isinstance(content, dict) and len(content) == 1 and next(iter(content)).startswith("!")
        ):
            tag = next(iter(content))
            out.append(
                Embedded(name, "connect", "AWS::Connect::ContactFlow", line, None,
                         f"Content is built with {tag}, which ivrscore does not evaluate")
            )  # fmt: skip
        elif isinstance(content, dict) and ("Fn::Sub" in content or "Fn::Join" in content):
            fn = next(iter(content))
            out.append(
                Embedded(name, "connect", "AWS::Connect::ContactFlow", line, None,
                         f"Content is built with {fn}, which ivrscore does not evaluate")
            )  # fmt: skip
        elif isinstance(content, dict):
            out.append(
                Embedded(
                    name, "connect", "AWS::Connect::ContactFlow", line, json.dumps(content).encode()
                )
            )
        else:
            out.append(
                Embedded(name, "connect", "AWS::Connect::ContactFlow", line, None, "no Content")
            )
    return out

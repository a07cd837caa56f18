"""Hostile and broken input: one line naming the file, exit code 2, never a traceback or a hang.

One test per class of issue 12 with its smallest input, then generated inputs (hypothesis) and
a matrix of broken files against every command. Commands run in this process through
:func:`ivrscore.cli.main` (fast); special files, narrow terminals and the hang guard run as real
subprocesses with a timeout (a guard against hanging, not a timed assertion).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivrscore as ivr
from ivrscore import io as ivr_io
from ivrscore.cli import main
from ivrscore.cli._args import MAX_CALLS, MAX_PATHS

from .strategies import documents

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TELECOM = str(EXAMPLES / "acme_telecom.yaml")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SMALL = """\
name: Small
entry: menu
tasks: [{name: help, share: 1}]
nodes:
  menu:
    type: menu
    options:
      "1": {say: "For help, press 1.", next: desk}
  desk: {type: agent, handles: [help]}
"""


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, err: str, name: str | None = None) -> str:
    """The command failed cleanly: exit 2, one line on stderr naming the file, no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith(("ivrscore: ", "ivrscore ")), err  # ours, or argparse's usage line
    assert "Traceback" not in err and "internal error" not in err
    if name is not None:
        assert name in lines[0]
    return lines[0]


def _subprocess(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivrscore", *args],
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard: a hung command fails here rather than blocking the suite
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


# -- special files and size ------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_devices_are_refused_without_reading(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is absent on this system")
    with pytest.raises(ivr.TreeFileError, match="not an ordinary file"):
        ivr.load(device)


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo = tmp_path / "tree.yaml"
    os.mkfifo(fifo)
    result = _subprocess("validate", str(fifo))  # would block forever if it opened the pipe
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not an ordinary file" in result.stderr
    assert str(fifo) in result.stderr


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ivr.TreeFileError, match="is a folder"):
        ivr.load(tmp_path)


def test_the_size_bound_is_checked_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ivr_io, "MAX_BYTES", 1000)
    p = tmp_path / "big.yaml"
    p.write_text(SMALL + "meta: {pad: '" + "x" * 2000 + "'}\n")
    with pytest.raises(ivr.TreeFileError, match=r"file is 0\.0 MB; ivrscore reads phone-tree"):
        ivr.load(p)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_as_standard_is_refused(capsys: pytest.CaptureFixture[str], device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} is absent on this system")
    line = _refused(*_cli(capsys, "lint", TELECOM, "--standard", device)[::2])
    assert device in line and "not an ordinary file" in line


# -- depth -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("[" * 100_000 + "]" * 100_000, "deep.json"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "deep.json"),
        ("a: " + "[" * 100_000 + "]" * 100_000, "deep.yaml"),
        ("".join("  " * i + "a:\n" for i in range(300)) + "  " * 300 + "b: 1\n", "deep.yaml"),
        ("a: " + "{b: " * 5_000 + "1" + "}" * 5_000, "deep.yaml"),
    ],
)
def test_deep_nesting_is_refused_with_its_line(tmp_path: Path, text: str, name: str) -> None:
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.load(p)
    message = str(caught.value)
    # ours past MAX_DEPTH, or libyaml's own bound on flow nesting, which it checks first
    assert f"nests deeper than {ivr_io.MAX_DEPTH} levels" in message or (
        "exceeded maximum nesting depth" in message
    )
    assert message.startswith(f"{p}:") and caught.value.line is not None


def test_aliases_that_nest_past_the_bound_are_refused() -> None:
    # each anchor holds the one before: 3 lines of text, 150 levels of data (and, counted by
    # positions, 150**3 path parts: this took minutes and gigabytes before the bound)
    text = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 150))
    with pytest.raises(ivr.TreeFileError, match=f"nests deeper than {ivr_io.MAX_DEPTH} levels"):
        ivr_io.read_document(text)
    ok = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 50))
    data, _ = ivr_io.read_document(ok)
    assert data["a2"] == [[[1]]]


def test_a_missing_file_is_a_tree_file_error(tmp_path: Path) -> None:
    for p in (tmp_path / "gone.yaml", tmp_path / "gone.vxml"):
        with pytest.raises(ivr.TreeFileError) as caught:
            ivr.load(p)
        assert isinstance(caught.value, FileNotFoundError)  # still an OSError, as documented
        assert str(caught.value) == f"{p}: No such file or directory"
        assert caught.value.filename == str(p) and caught.value.errno is not None
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(ivr.TreeFileError, match="symbolic links"):
        ivr.load(loop)


def test_an_engine_refusing_a_loaded_tree_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = tmp_path / "small.yaml"
    p.write_text(SMALL)
    line = _refused(*_cli(capsys, "staff", str(p))[::2])
    assert line.startswith(f"ivrscore: {p}: nothing to staff")


def test_nesting_up_to_the_bound_is_read() -> None:
    depth = ivr_io.MAX_DEPTH - 3  # the tree's own mapping, meta and the key holding the lists
    text = SMALL + "meta:\n  deep: " + "[" * depth + "]" * depth + "\n"
    tree = ivr.loads(text)
    inner = tree.meta["deep"]
    for _ in range(depth - 1):
        (inner,) = inner
    assert inner == []


def test_a_chain_of_20000_messages_loads_and_lints() -> None:
    n = 20_000
    nodes = {f"m{i}": {"type": "message", "prompt": "Please hold.", "next": f"m{i + 1}"}
             for i in range(n)}  # fmt: skip
    nodes[f"m{n}"] = {"type": "agent", "handles": ["help"]}
    doc = {"name": "Chain", "entry": "m0", "tasks": [{"name": "help", "share": 1}], "nodes": nodes}
    tree = ivr.loads(json.dumps(doc))
    found = ivr.lint(tree, select=["IVR402"])  # the preamble walk: iterative, not recursive
    assert [f.code for f in found] == ["IVR402"]
    # 20,000 messages of 2 words at 150 words a minute: 0.8 s each
    assert f"{n * 0.8:,.0f}" in found[0].message or f"{n * 0.8:.0f}" in found[0].message


# -- encodings ----------------------------------------------------------------------------------------


def test_yaml_control_characters_give_line_and_column() -> None:
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.loads("name: ok\nentry: a\x01b\n", source="t.yaml")
    assert str(caught.value).startswith("t.yaml:2:9: malformed YAML: control character #x0001")


@pytest.mark.parametrize("name", ["standard.yaml", "pyproject.toml"])
def test_a_standard_not_in_utf8_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    p = tmp_path / name
    p.write_bytes(
        b"[tool.ivrscore]\nselect = ['caf\xe9']\n" if name.endswith("toml") else b"x: \xe9\n"
    )
    line = _refused(*_cli(capsys, "score", TELECOM, "--standard", str(p))[::2])
    assert str(p) in line and "not UTF-8 text" in line


def test_a_pyproject_section_that_is_not_a_table(tmp_path: Path) -> None:
    p = tmp_path / "pyproject.toml"
    p.write_text("[tool]\nivrscore = 5\n")
    with pytest.raises(ivr.TreeFileError, match=r"\[tool.ivrscore\] should be a table"):
        ivr.Standard.load(p)


def test_findings_print_on_a_narrow_terminal(tmp_path: Path) -> None:
    p = tmp_path / "ligne_☎_สวัสดี.yaml"  # every lint finding names its file
    text = SMALL.replace("name: Small", "name: Ligne ☎")  # and score names the tree
    p.write_text(text + "  unreached: {type: hangup}\n", encoding="utf-8")
    for command in ("lint", "score"):
        result = _subprocess(command, str(p), env={"PYTHONIOENCODING": "ascii"})
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr and "Error" not in result.stderr
        assert "\\u260e" in result.stdout  # escaped, not lost and not a crash


# -- quadratic or unbounded work -------------------------------------------------------------------------


def test_twenty_thousand_missing_targets_are_reported_at_once() -> None:
    n = 20_000
    nodes: dict[str, Any] = {"desk": {"type": "agent", "handles": ["help"]}}
    nodes.update({f"m{i}": {"type": "message", "next": f"gone{i}"} for i in range(n)})
    doc = {"name": "Gone", "entry": "desk", "tasks": [{"name": "help", "share": 1}], "nodes": nodes}
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.loads(json.dumps(doc), source="gone.json")
    assert len(caught.value.problems) == n
    assert "next goes to 'gone0', which is not a node" in str(caught.value)
    assert caught.value.problems[-1].hint is None  # "did you mean" for the first few only


def test_twenty_thousand_unknown_keys_are_reported_at_once() -> None:
    n = 20_000
    nodes: dict[str, Any] = {"desk": {"type": "agent", "handles": ["help"]}}
    nodes.update({f"m{i}": {"type": "message", "promt": "hi", "next": "desk"} for i in range(n)})
    doc = {"name": "Typo", "entry": "desk", "tasks": [{"name": "help", "share": 1}], "nodes": nodes}
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.loads(json.dumps(doc), source="typo.json")
    problems = caught.value.problems
    assert len(problems) == n
    assert all(p.message == "unknown key 'promt'" for p in problems), problems[0].message
    assert problems[0].hint is not None and "'prompt'" in problems[0].hint
    assert problems[-1].hint is None  # the schema is searched for the first few only


def test_a_huge_list_under_meta_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivr_io, "MAX_ITEMS", 10_000)
    text = SMALL + "meta:\n  big:\n" + "  - 1\n" * 20_000
    with pytest.raises(ivr.TreeFileError, match="expands to more than 10,000 values"):
        ivr.loads(text)


def test_alias_expansions_count_at_their_full_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ivr_io, "MAX_ITEMS", 1_000)
    one = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    data, _ = ivr_io.read_document(one)
    assert len(data["b"]) == 10 and data["b"][9] == list(range(1, 11))  # 122 values: fine
    with pytest.raises(ivr.TreeFileError, match="expands to more than 1,000"):
        ivr_io.read_document(one + "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["simulate", TELECOM, "--paths", "1000000000"], f"from 0 to {MAX_PATHS:,} journeys"),
        (["simulate", TELECOM, "--calls", str(10**12)], f"at most {MAX_CALLS:,} callers"),
        (["simulate", TELECOM, "--calls", "0"], "must be at least 1"),
        (["simulate", TELECOM, "--seed", "-1"], "a seed is a whole number from 0"),
        (["score", TELECOM, "--calls", "-5"], "must be at least 1"),
        (["score", TELECOM, "--fail-under", "nan"], "not a finite number"),
        (["plot", TELECOM, "--chart", "time", "--calls", "x", "-o", "t.png"], "not a whole number"),
        (["lint", TELECOM, "--select", "IVR999"], "IVR999"),
        (["rules", "NOPE"], "NOPE"),
        (["lint", TELECOM, "--format", "yaml"], "invalid choice"),
        (["simulate"], "required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    try:
        code, _, err = _cli(capsys, *args)
    except SystemExit as exc:  # argparse's own usage errors exit with code 2
        code, err = int(exc.code or 0), capsys.readouterr().err
    line = _refused(code, err)
    assert words in line


# -- values and the API ------------------------------------------------------------------------------------

WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.sampled_from([1e308, -1e308, 1e-300, 0, -1, 10**9, "", "x" * 300, "nowhere", "08:00"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["a", "next", "type", "mean_s"]), st.integers(), max_size=2),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    cur = data
    for part in path[:-1]:
        cur = cur[part]
    cur[path[-1]] = value
    return data


def _api_calls(tree: ivr.PhoneTree) -> None:
    """Everything a user runs on a loaded tree: results, or a library error in one line."""
    for call in (
        lambda: ivr.lint(tree),
        lambda: ivr.analyze(tree, approximate=True),
        lambda: ivr.simulate(tree, calls=300, rng=0),
        lambda: ivr.score(tree),
    ):
        message = ""
        try:
            call()
        except ivr.IvrscoreError as exc:
            message = str(exc)
        assert "\n" not in message


def _loads(text: str, source: str) -> tuple[ivr.PhoneTree | None, ivr.TreeFileError | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ivr.loads(text, source=source), None
        except ivr.TreeFileError as exc:
            return None, exc


@SETTINGS
@given(data=st.data(), doc=documents(max_nodes=6))
def test_wrong_types_for_every_field_are_located(data: st.DataObject, doc: dict[str, Any]) -> None:
    path = data.draw(st.sampled_from(_paths(doc)[1:]))
    doc = _replace(doc, path, data.draw(WRONG))
    text = data.draw(st.sampled_from(["yaml", "json"]))
    raw = json.dumps(doc) if text == "json" else yaml.safe_dump(doc, sort_keys=False)
    tree, error = _loads(raw, "fuzz." + text)
    if error is not None:
        assert str(error).startswith("fuzz.") and "\n" not in str(error)
        assert all(p.file == "fuzz." + text for p in error.problems)
    else:
        assert tree is not None
        _api_calls(tree)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_loads_or_fails_in_one_line(text: str) -> None:
    _, error = _loads(text, "any.yaml")
    message = "any.yaml" if error is None else str(error)
    assert message.startswith("any.yaml") and "\n" not in message


BROKEN = st.sampled_from(
    ["{", "[", "]", "}", ":", "- ", "&a ", "*a", "!!python/object ", "<<: ", "\t", '"', "'",
     "\x00", "\ufeff", "%YAML 1.1\n", "---\n", "...\n", "? ", "|\n", ">-\n", "#", "\\", "\n"]
)  # fmt: skip


@SETTINGS
@given(st.data())
def test_damaged_trees_load_or_fail_in_one_line(data: st.DataObject) -> None:
    text = SMALL
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + data.draw(BROKEN) + text[at + cut :]
    as_json = data.draw(st.booleans())
    if as_json:  # the same damage in a JSON tree
        text = json.dumps(yaml.safe_load(SMALL))
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(BROKEN) + text[at:]
    tree, error = _loads(text, "damaged")
    if error is not None:
        assert str(error).startswith("damaged") and "\n" not in str(error)
    else:
        assert tree is not None
        _api_calls(tree)


# -- the C and Python YAML parsers agree ---------------------------------------------------------------------

BAD_YAML = [
    "name: [unclosed\nentry: x\n",
    "a: b: c\n",
    "a:\n\t- x\n",
    "a: 1\na: 2\n",
    "a: 'open\n",
    "- a\nb: c\n",
    "a: &x 1\nb: *y\n",
    "--- 1\n--- 2\n",
    "a: !!python/object:os.system x\n",
    "a: {b: 1, b: 2}\n",
    "? [a]\n: 1\n",
    "a: !foo {b: 1}\n",
    "a:\n  b: 1\n c: 2\n",
    "a: @x\n",
    "{a: 1\n",
    "a: !!int x\n",
    "base: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n",
]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", BAD_YAML)
def test_both_yaml_parsers_give_the_same_line(text: str) -> None:
    found = []
    for loader in (yaml.SafeLoader, yaml.CSafeLoader):
        with pytest.raises(ivr.TreeFileError) as caught:
            ivr_io._parse_yaml(text, "f.yaml", loader)
        found.append((caught.value.line, caught.value.column, caught.value.node))
    assert found[0] == found[1]
    assert found[0][0] is not None


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("name", ["acme_telecom", "gp_surgery", "retail_bank"])
def test_both_yaml_parsers_give_the_same_data_and_marks(name: str) -> None:
    text = (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8")
    fast = ivr_io._parse_yaml(text, None, yaml.CSafeLoader)
    slow = ivr_io._parse_yaml(text, None, yaml.SafeLoader)
    assert fast == slow
    assert fast[0] == yaml.safe_load(text)  # the plain data PyYAML itself builds
    # every key's mark is where the key is written
    lines = text.splitlines()
    for path, (line, col) in fast[1].items():
        if path and isinstance(path[-1], str):
            assert lines[line - 1][col - 1 :].lstrip("'\"").startswith(path[-1])


def test_json_positions_match_yaml_positions() -> None:
    text = json.dumps(yaml.safe_load((EXAMPLES / "acme_telecom.yaml").read_text()), indent=2)
    data, positions = ivr_io.read_document(text, format="json")
    _, as_yaml = ivr_io._parse_yaml(text, None)  # YAML reads JSON too: the old way
    assert positions == as_yaml
    assert data == json.loads(text)


def test_json_duplicate_key_has_its_own_line() -> None:
    text = '{\n  "name": "a",\n  "nodes": {"x": 1},\n  "name": "b"\n}'
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.loads(text, source="d.json")
    assert str(caught.value).startswith("d.json:4:3: duplicate key 'name'")


# -- every command over broken files -------------------------------------------------------------------------

CORPUS: dict[str, bytes] = {
    "deep.json": b"[" * 50_000 + b"]" * 50_000,
    "deep.yaml": b"a: " + b"{b: " * 3_000 + b"1" + b"}" * 3_000,
    "control.yaml": b"name: a\x07b\n",
    "latin1.yaml": b"name: caf\xe9\n",
    "binary.yaml": bytes(range(256)) * 4,
    "nan.json": b'{"name": NaN, "entry": "a", "nodes": {}}',
    "list.yaml": b"- 1\n- 2\n",
    "empty.yaml": b"",
    "types.yaml": b"name: [1]\nentry: {a: 1}\ntasks: 5\nnodes: []\n",
    "node.yaml": b"name: x\nentry: a\ntasks: [{name: t, share: 1}]\nnodes:\n  a: 5\n",
    "when.yaml": b"name: x\nentry: a\ntasks: [{name: t, share: 1}]\n"
    b"nodes:\n  a: {type: branch, when: [5, x], otherwise: a}\n",
    "alias.yaml": b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + b"".join(
        bytes(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n",
            "ascii",
        )
        for i in range(7)
    ),
    "tags.yaml": b"name: !!binary xx\n",
    "missing.yaml": b"",
}
COMMANDS: list[list[str]] = [
    ["validate"],
    ["lint", "--format", "json"],
    ["analyze"],
    ["simulate", "--calls", "200"],
    ["score", "--format", "json"],
    ["export", "--to", "dot"],
    ["plot", "-o", "{tmp}/chart.png"],
    ["import", "-o", "{tmp}/imported.yaml"],
    ["compare", str(EXAMPLES / "gp_surgery.yaml")],
    ["improve", "--max-edits", "1"],
    ["staff", "--check-weeks", "0"],
    ["centre", "--weeks", "1"],
    ["sweep", "--set", "callers.0.patience.mean_s=60,120", "--jobs", "1"],
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, raw in CORPUS.items():
        if name != "missing.yaml":
            (folder / name).write_bytes(raw)
    return folder


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_command_refuses_broken_files_in_one_line(
    capsys: pytest.CaptureFixture[str], corpus: Path, command: list[str], name: str
) -> None:
    path = str(corpus / name)
    args = [command[0], path, *(a.replace("{tmp}", str(corpus)) for a in command[1:])]
    code, _, err = _cli(capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (args, err)
    assert "Traceback" not in err and "internal error" not in err
    assert lines and all(line.startswith("ivrscore: ") for line in lines), err
    assert all(path in line for line in lines)
    if command[0] in ("validate", "analyze", "simulate", "export", "plot"):
        assert len(lines) == 1, err


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom"])
def test_every_command_refuses_devices_in_a_subprocess(special: str) -> None:
    if not Path(special).exists():
        pytest.skip(f"{special} is absent on this system")
    for command in (["validate"], ["lint"], ["score"], ["simulate", "--calls", "10"]):
        result = _subprocess(command[0], special, *command[1:])
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"ivrscore: {special}") or (
            command[0] == "lint"
            and f"{special}: error load-error: not an ordinary file" in result.stdout
        )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.vxml", '<vxml version="2.1">' + "<form>" * 10_000 + "</form>" * 10_000 + "</vxml>"),
        ("deep.xml", "<configuration name='ivr.conf'><menus>" + "<menu name='m'>" * 10_000
         + "</menu>" * 10_000 + "</menus></configuration>"),
    ],
)  # fmt: skip
def test_deep_xml_is_refused_while_parsing(tmp_path: Path, name: str, text: str) -> None:
    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(ivr.TreeFileError) as caught:
        ivr.load(p)  # ElementTree's serializer and the walkers recursed once per level
    assert str(caught.value).startswith(f"{p}:1: the document nests deeper than")


def test_an_unknown_xml_encoding_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = tmp_path / "enc.vxml"
    p.write_bytes(b'<?xml version="1.0" encoding="bogus-9"?><vxml version="2.1"/>')
    code, _, err = _cli(capsys, "validate", str(p))
    assert code == 2
    assert err.startswith(f"ivrscore: {p}:1: the XML declaration names an encoding"), err
    assert len(err.strip().splitlines()) == 1


# -- found by the larger hostile corpus (kept outside the project) -----------------------------------------


def test_an_xml_encoding_expat_cannot_use_is_one_line(tmp_path: Path) -> None:
    p = tmp_path / "enc.vxml"
    p.write_bytes(b'<?xml version="1.0" encoding="utf-7"?><vxml version="2.1"/>')
    with pytest.raises(ivr.TreeFileError, match=r":1: the XML declaration names an encoding"):
        ivr.load(p)  # expat raised a bare ValueError ("multi-byte encodings are not supported")


def test_terraform_file_of_an_absolute_path_is_not_read(tmp_path: Path) -> None:
    p = tmp_path / "main.tf"
    p.write_text(
        'resource "aws_connect_contact_flow" "f" {\n  content = file("/etc/hostname")\n}\n'
    )
    with pytest.raises(
        ivr.TreeFileError, match=r"is an absolute path; ivrscore reads files beside"
    ):
        ivr.load(p)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["centre", TELECOM, "--weeks", "1000000000"], "weeks must be from 1 to 1,000"),
        (["staff", TELECOM, "--check-weeks", "100000"], "weeks must be from 1 to 1,000"),
        (["centre", TELECOM, "--seed", "-1"], "a seed is a whole number from 0"),
    ],
)
def test_centre_arguments_out_of_range_are_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    # were a 1.2 TiB allocation, a run of 100,000 weeks and numpy's ValueError
    line = _refused(*_cli(capsys, *args)[::2], name=TELECOM)
    assert words in line


def test_an_unknown_queue_is_a_library_error() -> None:
    hours = ivr.analyze(ivr.load(TELECOM), approximate=True).hourly
    assert hours is not None
    with pytest.raises(ivr.IvrscoreError, match="no staffed queue or pool 'nowhere'") as caught:
        hours.index("nowhere")
    assert isinstance(caught.value, KeyError) and str(caught.value).startswith("no staffed")


def _log(path: Path, rows: list[str]) -> Path:
    path.write_text("call_id,timestamp,node,event,key,outcome,agent\n" + "".join(rows))
    return path


def test_calibrate_names_the_log_as_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    log = tmp_path / "calls.csv"
    log.write_text("call_id,node\nc1,welcome\n")
    line = _refused(*_cli(capsys, "calibrate", TELECOM, str(log))[::2])
    assert str(log) in line  # not only "calls.csv": two folders may each hold one
    _log(log, ["c1,not-a-time,welcome,enter,,,\n"])
    line = _refused(*_cli(capsys, "calibrate", TELECOM, str(log), "--format", "generic")[::2])
    assert f"no calls to calibrate from in {log}" in line


def test_calibrate_a_tree_whose_queues_follow_its_volume(tmp_path: Path) -> None:
    from ivrscore.calibrate import calibrate, synthetic

    tree = ivr.load(TELECOM)  # rosters of agents and a volume: no calls_per_hour to fit
    log = tmp_path / "calls.csv"
    synthetic.write_generic(synthetic.calls(tree, 200, rng=1), log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = calibrate(tree, log)
    queue = cal.calibrated.node("faults_queue")
    assert queue.staffing is not None and queue.staffing.calls_per_hour is None  # type: ignore[union-attr]


def test_calibrate_a_log_whose_callers_leave_at_once(tmp_path: Path) -> None:
    from ivrscore.calibrate import calibrate

    rows = [f"c{i},2024-03-04T10:00:0{i},welcome,enter,,,\nc{i},2024-03-04T10:00:0{i},welcome,"
            "abandon,,,\n" for i in range(5)]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = calibrate(ivr.load(TELECOM), _log(tmp_path / "calls.csv", rows))
    assert cal.calibrated.personas  # no patience of 0 s (an invalid tree, then a ZeroDivisionError)


def test_an_empty_target_is_a_missing_node() -> None:
    text = SMALL.replace("options:\n", 'on_failure: ""\n    options:\n')
    with pytest.raises(ivr.TreeFileError, match="on_failure goes to '', which is not a node"):
        ivr.loads(text)  # was skipped as falsy, then a KeyError('') when the engines compiled it


def test_an_integer_too_long_to_print_is_described() -> None:
    text = SMALL.replace("share: 1", "share: 0x" + "f" * 5000)
    with pytest.raises(ivr.TreeFileError, match=r"got an integer of about 6,020 digits"):
        ivr.loads(text, source="t.yaml")  # str() of it raised Python's digit-limit ValueError


def test_a_queue_too_long_to_solve_is_a_library_error() -> None:
    from ivrscore.queueing import erlang_a

    with pytest.raises(ivr.IvrscoreError, match="queue too long to solve"):
        erlang_a(28, calls_per_hour=255, handle_time_s=480, patience_s=1e9)  # a bare ValueError


def test_score_of_one_file_refused_by_the_engine_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # callers who (nearly) never hang up at an overloaded staffed queue: the wait is unbounded;
    # `score` takes many files, and given one, its refusal names it as `analyze`'s does
    text = Path(TELECOM).read_text(encoding="utf-8")
    text = text.replace("mean_s: 600}\n    barge_in", "mean_s: 1.0e+300}\n    barge_in")
    text = text.replace("mean_s: 900}\n    barge_in", "mean_s: 1.0e+300}\n    barge_in")
    p = tmp_path / "patient.yaml"
    p.write_text(text, encoding="utf-8")
    for command in ("analyze", "score"):
        line = _refused(*_cli(capsys, command, str(p))[::2])
        assert line.startswith(f"ivrscore: {p}: ") and "unbounded" in line, (command, line)


def test_a_lone_surrogate_in_json_is_refused_with_its_line(tmp_path: Path) -> None:
    # "\udfff" decodes to half a character: no file can hold it, and writing the tree (improve,
    # export) failed on it; a whole character written as two escapes is text
    half = '{\n"name": "S", "entry": "menu", "tasks": [{"name": "help", "share": 1}],\n'
    p = tmp_path / "half.json"
    p.write_text(half + '"nodes": {"\\udfff": {"type": "hangup"}}}', encoding="utf-8")
    with pytest.raises(ivr.TreeFileError, match=r"half.json:3: \\udfff is half of a character"):
        ivr.load(p)
    whole = tmp_path / "whole.json"
    body = '"nodes": {"menu": {"type": "self_service", "handles": ["help"]}}}'
    whole.write_text(half.replace('"S"', '"\\ud83d\\ude00"') + body, encoding="utf-8")
    assert ivr.load(whole).name == "\U0001f600"
    escaped = tmp_path / "escaped.json"  # a backslash, then the letters: text
    escaped.write_text(half.replace('"S"', '"\\\\udfff"') + body, encoding="utf-8")
    assert ivr.load(escaped).name == "\\udfff"


def _branching(conditions: int) -> str:
    when = "".join("      - {share: 0.0001, next: desk}\n" for _ in range(conditions))
    return SMALL.replace("entry: menu", "entry: b") + (
        f"  b:\n    type: branch\n    when:\n{when}    otherwise: menu\n"
    )


def test_a_branch_of_thousands_of_conditions_is_refused_at_load() -> None:
    # each way out of a branch holds only when every condition before it failed: the work grows
    # with the square of their number (10,000 took a minute of lint); the bound is named
    from ivrscore.model.nodes import MAX_CONDITIONS

    tree = ivr.loads(_branching(MAX_CONDITIONS), source="ok.yaml")
    assert len(tree.nodes["b"].when) == MAX_CONDITIONS  # type: ignore[union-attr]
    assert ivr.lint(tree) is not None
    with pytest.raises(
        ivr.TreeFileError,
        match=r"big.yaml:\d+:\d+: node 'b': 'when': list should have at most 1000",
    ):
        ivr.loads(_branching(MAX_CONDITIONS + 1), source="big.yaml")

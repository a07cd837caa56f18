"""DOT and Mermaid exports, and the `import` / `export` commands."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.export import export, to_dot, to_mermaid

from .test_importers import DIALPLAN

EXAMPLES = sorted(ivr.examples.names())


def _drawn_edges(tree: ivr.PhoneTree) -> int:
    g = tree.to_networkx()
    return sum(
        1
        for u, v, d in g.edges(data=True)
        if not (u == v and d["event"] in ("no_input", "invalid"))
    )


@pytest.mark.parametrize("name", EXAMPLES)
def test_dot_has_every_node_and_edge(name: str) -> None:
    tree = ivr.load(ivr.examples.path(name))
    text = to_dot(tree)
    g = tree.to_networkx()
    declared = re.findall(r'^    "((?:[^"\\]|\\.)*)" \[label=', text, re.M)
    assert sorted(declared) == sorted(g.nodes)
    assert len(re.findall(r"^    \".*\" -> \"", text, re.M)) == _drawn_edges(tree)
    assert f'"{tree.entry}" [label=' in text and "penwidth=3" in text
    assert text.count("{") == text.count("}")


@pytest.mark.parametrize("name", EXAMPLES)
def test_mermaid_has_every_node_and_edge(name: str) -> None:
    tree = ivr.load(ivr.examples.path(name))
    text = to_mermaid(tree)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    node_lines = [ln for ln in lines if re.match(r"^    n\d+[\[\{\(>]", ln)]
    assert len(node_lines) == tree.to_networkx().number_of_nodes()
    edges = [ln for ln in lines if re.match(r"^    n\d+ -", ln)]
    assert len(edges) == _drawn_edges(tree)
    assert '"' not in "".join(
        re.sub(r'\["|"\]|\{"|"\}|\("|"\)|\|"|"\||>"|/"|"/', "", ln) for ln in node_lines + edges
    )


def test_exports_escape_quotes_and_show_options() -> None:
    tree = ivr.loads(
        """
        name: 'Say "hi"'
        entry: m
        tasks: [{name: x, share: 1}]
        nodes:
          m: {type: menu, prompt: 'Press 1 for "help".', options: {"1": {next: d}}, on_failure: d}
          d: {type: agent, handles: [x]}
        """
    )
    dot = to_dot(tree)
    assert 'digraph "Say \\"hi\\"" {' in dot
    assert '"m" -> "d" [label="1"];' in dot and '"m" -> "d" [label="fails", style=dashed];' in dot
    mermaid = to_mermaid(tree)
    assert "Press 1 for #quot;help#quot;." in mermaid
    assert '    n0 -->|"1"| n1' in mermaid
    with pytest.raises(ValueError, match="unknown export format 'svg'"):
        export(tree, "svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
def test_dot_renders_with_graphviz(tmp_path: Path) -> None:
    src = tmp_path / "t.dot"
    src.write_text(to_dot(ivr.load(ivr.examples.path("acme_telecom"))))
    subprocess.run(["dot", "-Tsvg", str(src), "-o", str(tmp_path / "t.svg")], check=True)
    assert (tmp_path / "t.svg").read_text().startswith("<?xml")


# -- the commands -----------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_writes_an_editable_tree_with_what_to_fill_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow = tmp_path / "extensions.conf"
    flow.write_text(DIALPLAN)
    out_file = tmp_path / "tree.yaml"
    code, out, err = run(capsys, "import", str(flow), "-o", str(out_file))
    assert code == 0 and out == ""
    assert err.startswith(
        f"{out_file}: Asterisk IVR ivr - 10 nodes: 1 message, 1 menu, 1 input, 2 branches, "
        "1 queue, 1 agent, 2 self-service nodes, 1 hangup\n7 thing(s) to review:\n"
        "  - tasks: one per destination (time_of_day, voicemail_box, sales), equal shares"
    )
    text = out_file.read_text()
    assert text.startswith(
        "# Imported by `ivrscore import` from extensions.conf (Asterisk dialplan"
    )
    assert "#  - queue waits: sales_queue wait 120 s on average" in text
    tree = ivr.load(out_file)  # plain YAML now: no import, no warning
    assert tree.entry == "ivr" and tree.meta["imported"]["format"] == "asterisk"
    code, out, err = run(capsys, "validate", str(out_file))
    assert code == 0 and "valid" in out


def test_import_to_stdout_and_with_resources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    menus = tmp_path / "ivr.xml"
    menus.write_text(
        '<include><menu name="m" greet-long="phrase:m"><entry action="menu-top" digits="9"/></menu></include>'
    )
    phrases = tmp_path / "phrases.xml"
    phrases.write_text(
        '<include><macro name="m"><input pattern="(.*)"><match><action function="say" data="Hello"/></match></input></macro></include>'
    )
    code, out, err = run(capsys, "import", str(menus), "--with", str(phrases))
    assert code == 0
    assert ivr.loads(out).node("m").prompt == "Hello."
    code, out, err = run(capsys, "import", str(menus), "--with", str(menus))
    assert code == 2 and out == ""
    assert (
        err
        == f"ivrscore: {menus}: not a resource file ivrscore can use beside a flow; resources are: Amazon Connect hours of operation (JSON); FreeSWITCH phrase macros (XML); Asterisk queues.conf\n"
    )


def test_import_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "flow.json"
    bad.write_text('{"states": [')
    code, out, err = run(capsys, "import", str(bad), "--format", "twilio")
    assert code == 2 and out == ""
    assert err.startswith(f"ivrscore: {bad}:1: not valid JSON") and err.count("\n") == 1
    code, out, err = run(capsys, "import", str(tmp_path / "missing.json"))
    assert code == 2 and "No such file or directory" in err and err.count("\n") == 1


def test_export_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = str(ivr.examples.path("acme_redesign"))
    code, out, err = run(capsys, "export", path, "--to", "mermaid")
    assert code == 0 and err == "" and out.startswith("flowchart TD\n")
    target = tmp_path / "t.dot"
    code, out, err = run(capsys, "export", path, "--to", "dot", "-o", str(target))
    assert code == 0 and out == "" and target.read_text() == to_dot(ivr.load(path)) + "\n"
    with pytest.raises(SystemExit) as info:
        main(["export", path, "--to", "png"])
    assert info.value.code == 2 and "invalid choice: 'png'" in capsys.readouterr().err


def test_other_commands_read_platform_flows_with_one_warning_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow = tmp_path / "extensions.conf"
    flow.write_text(DIALPLAN)
    code, out, err = run(capsys, "export", str(flow), "--to", "dot")
    assert code == 0 and out.startswith('digraph "Asterisk IVR ivr" {')
    assert err == (
        f"ivrscore: warning: {flow}: imported from asterisk; 7 default(s) to review: "
        f"`ivrscore import {flow} -o tree.yaml` lists them and writes a tree to edit\n"
    )

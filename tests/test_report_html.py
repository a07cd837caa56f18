"""The HTML report: one standalone page (inline CSS and SVG, no network), with everything a
reviewer needs; the Jupyter views; and the DataFrames."""

from __future__ import annotations

import re
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import ivrscore as ivr
from ivrscore.cli import main
from ivrscore.lint import RULES
from ivrscore.report import report_page

from .conftest import EXAMPLES, make_tree

TELECOM = EXAMPLES / "acme_telecom.yaml"
REDESIGN = EXAMPLES / "acme_redesign.yaml"
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "source", "wbr", "area", "base"}
SVG_LEAVES = {"path", "use", "rect", "circle", "ellipse", "line", "polyline", "polygon", "stop"}


class Page(HTMLParser):
    """Counts tags and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: Counter[str] = Counter()
        self.problems: list[str] = []
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: Counter[str] = Counter()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        a = dict(attrs)
        if a.get("id"):
            self.ids[str(a["id"])] += 1
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        for key in ("src", "srcset", "data", "poster"):
            if a.get(key):
                self.sources.append(str(a[key]))
        if tag == "link":
            self.sources.append(str(a.get("href")))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        a = dict(attrs)
        if a.get("id"):
            self.ids[str(a["id"])] += 1
        if tag in ("use", "image") and (a.get("href") or a.get("xlink:href")):
            ref = str(a.get("href") or a.get("xlink:href"))
            if not ref.startswith("#"):
                self.sources.append(ref)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def words(page: Page) -> str:
    return " ".join(" ".join(page.text).split())


@pytest.fixture(scope="module")
def telecom_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html") / "report.html"
    assert main(["score", str(TELECOM), "--format", "html", "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def comparison_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html") / "compare.html"
    assert main(["compare", str(TELECOM), str(REDESIGN), "--format", "html", "-o", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def assert_standalone(page: str) -> Page:
    parsed = parse(page)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert page.count("<!doctype html>") == 1 and parsed.tags["html"] == 1
    assert parsed.problems == [] and parsed.stack == []
    assert parsed.tags["style"] >= 1 and parsed.tags["script"] == 0
    assert parsed.sources == []  # no image, script, style sheet or font fetched
    assert "@import" not in page and not re.search(r"url\((?!#)", page)
    # every link goes to a rule's page or a place on the page itself
    assert all(h.startswith(("#", "https://")) for h in parsed.links)
    duplicated = [i for i, n in parsed.ids.items() if n > 1]
    assert duplicated == []  # charts share the page without sharing ids
    return parsed


def test_score_page_is_standalone_and_complete(telecom_page: str) -> None:
    parsed = assert_standalone(telecom_page)
    text = words(parsed)
    report = ivr.score(ivr.load(TELECOM))
    # the score and grade
    assert f"{report.score:.0f} /100" in text and f">{report.grade}<" in telecom_page
    # each criterion with its value, target, cost per call and points lost
    hang = report.criterion("hang_ups")
    assert f"hang ups cut_off {hang.value:.1%} 0.0%" in text
    assert f"Each call costs its caller {report.cost_s / 60:.1f} min of harm on average" in text
    assert "time to human mean_time_to_human_s" in text
    for c in report.criteria:
        lost = f"−{c.points_lost:.1f}" if c.points_lost >= 0.05 else "0"
        assert lost in text
    assert "-0.0" not in text and "−0.0" not in text
    # where the points went, in words
    for _points, why in report.explanations:
        assert " ".join(why.split()) in text
    # findings with their fix and a link to the rule's page
    for f in report.findings:
        assert f.message in text and f.hint in text
    assert {RULES[c].url for c in report.findings.codes()} <= set(parsed.links)
    # a row per task with its share, and the charts inline: outcomes, depth and map
    for task in ("report fault 30.0%", "pay bill 25.0%", "all calls 100.0%"):
        assert task in text
    assert parsed.tags["svg"] == 3
    assert 'aria-label="menu depth chart of' in telecom_page
    assert 'aria-label="menu map of' in telecom_page
    assert "Why calls are lost" in text
    top = report.causes[0]
    assert f"{top.share:.1%}" in text and top.text in text and top.node in text


def test_comparison_page(comparison_page: str) -> None:
    parsed = assert_standalone(comparison_page)
    text = words(parsed)
    cmp = ivr.compare(ivr.load(TELECOM), ivr.load(REDESIGN))
    assert cmp.before.name in text and cmp.after.name in text
    # the change as shown: the rounded scores' difference
    shown = round(cmp.after.score) - round(cmp.before.score)
    assert f"+{shown} points" in text
    assert f"Findings fixed ({len(cmp.fixed())})" in text
    assert f"Findings introduced ({len(cmp.introduced())})" in text
    for f in cmp.fixed()[:5]:
        assert f.message in text
    # criteria side by side, the criteria chart, depth on one scale, both maps
    assert f"hang ups {cmp.before.criterion('hang_ups').value:.1%} 0.0%" in text
    assert parsed.tags["svg"] == 4
    assert "on one time scale" in comparison_page


def test_several_files_give_one_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo.yaml"
    typo.write_text("name: x\nentry: a\nnodes:\n  a: {type: mesage}\n")
    out = tmp_path / "all.html"
    files = [str(EXAMPLES / "gp_surgery.yaml"), str(EXAMPLES / "retail_bank.yaml"), str(typo)]
    assert main(["score", *files, "--format", "html", "-o", str(out)]) == 2
    page = out.read_text()
    parsed = assert_standalone(page)
    text = words(parsed)
    assert "Riverside Medical Practice" in text and "Northway Bank" in text
    assert text.count("Where the points went") == 2
    # the file that could not be read is named with every problem
    assert "Files that could not be read" in text
    assert "typo.yaml:4:7: a: error load-error: unknown node type 'mesage'" in text
    assert parsed.ids["report-1"] == 1 and parsed.ids["report-2"] == 1
    assert "#report-1" in parsed.links
    capsys.readouterr()


def test_html_escapes_what_the_tree_says() -> None:
    tree = make_tree(
        """
        name: "Acme <script>alert(1)</script> & Sons 'n' \\"Co\\""
        entry: hi
        tasks: [{name: ask, share: 1.0}]
        nodes:
          hi: {type: message, prompt: "Press <b>1</b> & wait", next: bye}
          bye: {type: hangup}
        """
    )
    report = ivr.score(tree)
    for page in (report_page(report, tree=tree), report._repr_html_()):
        assert "<script>" not in page and "<b>1</b>" not in page
        assert "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in page
    assert_standalone(report_page(report, tree=tree))


def test_jupyter_views(telecom_page: str) -> None:
    tree = ivr.load(TELECOM)
    report = ivr.score(tree)
    cmp = ivr.compare(tree, ivr.load(REDESIGN))
    views = {
        "report": report._repr_html_(),
        "comparison": cmp._repr_html_(),
        "findings": report.findings._repr_html_(),
        "tree": tree._repr_html_(),
    }
    for name, view in views.items():
        parsed = parse(view)
        assert parsed.problems == [], name
        assert parsed.tags["script"] == 0 and parsed.sources == [], name
        assert 'class="ivrscore ivr-fragment"' in view, name
        # a text fallback for front ends that drop the styles
        assert '<pre class="ivr-text-fallback">' in view, name
    assert report.findings[0].hint in views["findings"]
    assert parse(views["tree"]).tags["svg"] == 1 and "29 nodes" in views["tree"]
    assert "Findings fixed" in views["comparison"]
    # the same content as the page, without the page around it
    assert "<!doctype" not in views["report"]
    assert words(parse(views["report"])).count("Where the points went") == 1
    # two views in one notebook never share an id
    both = parse(views["report"] + report._repr_html_())
    assert [i for i, n in both.ids.items() if n > 1] == []


def test_report_html_method_is_a_standalone_page() -> None:
    report = ivr.score(ivr.load(REDESIGN))
    assert_standalone(report.html())
    cmp = ivr.compare(ivr.load(TELECOM), ivr.load(REDESIGN))
    assert_standalone(cmp.html())


# -- DataFrames ------------------------------------------------------------------------------------


def test_to_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    tree = ivr.load(TELECOM)
    result = ivr.analyze(tree)
    frame = result.to_dataframe()
    assert list(frame.index) == [*result.tasks, "all calls"]
    assert frame.loc["all calls", "p_resolved"] == pytest.approx(result.metrics["p_resolved"])
    assert frame.loc["pay_bill", "abandoned"] == pytest.approx(
        result.tasks["pay_bill"].outcomes["abandoned"]
    )
    assert frame["share"].iloc[:-1].sum() == pytest.approx(1.0)
    report = ivr.score(tree)
    crit = report.to_dataframe()
    assert list(crit.index) == [c.name for c in report.criteria]
    assert crit["points_lost"].sum() == pytest.approx(sum(c.points_lost for c in report.criteria))
    found = report.findings.to_dataframe()
    assert len(found) == len(report.findings)
    assert (found["severity"] == "error").sum() == report.findings.count("error")
    assert found["severity"].max() == "error"  # an ordered categorical
    cmp = ivr.compare(tree, ivr.load(REDESIGN))
    both = cmp.to_dataframe()
    assert (both["score_change"] == both["score_after"] - both["score_before"]).all()
    assert isinstance(both, pd.DataFrame)


def test_to_dataframe_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"needs pandas.*pip install 'ivrscore\[pandas\]'"):
        ivr.score(ivr.load(REDESIGN)).to_dataframe()

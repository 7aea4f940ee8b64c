"""The HTML report: structure (parsed with html.parser), self-containment, hostile input."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from provenance import pipeline
from provenance.match.results import CheckResult, CompareResult
from provenance.match.risk import MEANING_RISKS
from provenance.report.html import CSP, SCRIPT, render_check_html, render_compare_html
from provenance.report.html_style import CSS
from tests.conftest import expectations, seed_path, seed_text

# -- a tiny DOM over html.parser ------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def doc_text(self) -> str:
        """The document's own text: without the report's tags, carets and hidden labels."""
        skip = {"tag", "gap", "sr", "cellhead"}
        return "".join(
            c if isinstance(c, str) else ("" if skip & c.classes else c.doc_text())
            for c in self.children
        )

    def iter(self) -> list[Node]:
        out = [self]
        for c in self.children:
            if isinstance(c, Node):
                out += c.iter()
        return out

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and (cls is None or cls in n.classes)
            and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def next_node(self) -> Node | None:
        """The element right after this one among its parent's children."""
        assert self.parent is not None
        sibs = self.parent.children
        i = next(k for k, c in enumerate(sibs) if c is self)
        for c in sibs[i + 1 :]:
            if isinstance(c, Node):
                return c
        return None


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.cur = self.root
        self.decl: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur)
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.cur.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.cur))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        assert self.cur.tag == tag, f"</{tag}> closes <{self.cur.tag}>"
        assert self.cur.parent is not None
        self.cur = self.cur.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


def parse(page: str) -> Node:
    b = _Builder()
    b.feed(page)
    b.close()
    assert b.cur is b.root, f"unclosed <{b.cur.tag}>"
    return b.root


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def result() -> CompareResult:
    return pipeline.compare(seed_path("004"), seed_path("003"))


@pytest.fixture(scope="module")
def page(result: CompareResult) -> str:
    return render_compare_html(result)


@pytest.fixture(scope="module")
def dom(page: str) -> Node:
    return parse(page)


def _alterations(dom: Node) -> dict[str, dict[str, str]]:
    """data-alt -> {risk, kind, source, copy} read from the marks of the side-by-side."""
    alts: dict[str, dict[str, str]] = {}
    for m in dom.find_all("mark", "alt"):
        n = m.attrs.get("data-alt")
        if n is None:  # the legend's samples
            continue
        d = alts.setdefault(n, {"source": "", "copy": ""})
        assert d.setdefault("risk", m.attrs["data-risk"]) == m.attrs["data-risk"]
        assert d.setdefault("kind", m.attrs["data-kind"]) == m.attrs["data-kind"]
        d[m.attrs["data-side"]] = m.text()
    return alts


# -- the report of 004 (source) vs 003 (spun copy) -------------------------------------


def test_page_is_one_wellformed_document(page: str, dom: Node) -> None:
    assert page.startswith("<!DOCTYPE html>")
    (html_,) = dom.find_all("html")
    assert html_.attrs["lang"] == "en"
    ids = [n.attrs["id"] for n in dom.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    # every link is a fragment of this page and points at an element that exists
    hrefs = [a.attrs["href"] for a in dom.find_all("a")]
    assert hrefs
    for h in hrefs:
        assert h.startswith("#") and h[1:] in ids, h


def test_page_is_self_contained(page: str, dom: Node, result: CompareResult) -> None:
    low = page.lower()
    assert "<script src" not in low and "<link" not in low
    assert "@import" not in low and "url(" not in low
    for n in dom.iter():
        assert not {"src", "srcset", "action", "formaction", "poster"} & set(n.attrs), n.tag
        for v in n.attrs.values():
            assert "http://" not in v and "https://" not in v
    for scheme in ("http://", "https://"):
        if scheme not in result.source_text + result.copy_text:
            assert scheme not in page
    (style,) = dom.find_all("style")
    assert "@media print" in style.text()
    assert "@media (max-width: 700px)" in style.text()


def test_csp_allows_only_the_inline_script(dom: Node) -> None:
    (meta,) = dom.find_all("meta", http_equiv="Content-Security-Policy")
    csp = meta.attrs["content"]
    assert csp == CSP
    assert "default-src 'none'" in csp and "unsafe-eval" not in csp
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None and "unsafe-inline" not in script_src.group(1)
    (script,) = dom.find_all("script")
    assert script.attrs == {} and script.text() == SCRIPT
    digest = base64.b64encode(hashlib.sha256(script.text().encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    # the meta comes before any content it must govern
    head = dom.find_all("head")[0]
    assert meta.parent is head


def test_summary_states_verdict_coverage_and_fidelity(dom: Node, result: CompareResult) -> None:
    s = result.score
    (summary,) = dom.find_all("p", "summary")
    text = summary.text()
    assert s.verdict == "paraphrased"
    assert "paraphrased" in text.lower()
    assert f"{round(100 * s.source_coverage)}%" in text
    assert f"Fidelity of the copied text: {round(100 * s.fidelity)}%" in text
    assert f"{len(s.alterations)} alterations" in text
    assert "may change the meaning" in text
    # the banner says it too, with a text label, not colour only
    (banner,) = dom.find_all("header", "banner")
    assert "verdict-paraphrased" in banner.classes
    assert "meaning changed" in banner.text()


def test_scores_table(dom: Node, result: CompareResult) -> None:
    s = result.score
    (table,) = dom.find_all("table", "scores")
    assert table.attrs["data-verdict"] == s.verdict
    assert float(table.attrs["data-fidelity"]) == s.fidelity
    assert float(table.attrs["data-source-coverage"]) == s.source_coverage
    rows = {tr.find_all("th")[0].text(): tr.find_all("td")[0].text() for tr in table.find_all("tr")}
    assert rows["Verdict"] == s.verdict
    assert rows["Source passages found"] == f"{s.passages_found} of {s.passages}"
    assert rows["Alterations"].startswith(f"{len(s.alterations)}: ")


def test_expected_alterations_are_marked_with_their_risk(dom: Node) -> None:
    (pair,) = [p for p in expectations()["pairs"] if p["copy"].startswith("003")]
    expected_risk = {"falsely": "qualifier", "admin": "name", "l": "name"}
    alts = _alterations(dom)
    for before, after in pair["altered_wording_must_include"]:
        dropped = [w for w in words(before) if w not in words(after)]
        added = [w for w in words(after) if w not in words(before)]
        hits = [
            (n, a)
            for n, a in alts.items()
            if words(a["source"]) == dropped and words(a["copy"]) == added
        ]
        assert hits, f"{before!r} -> {after!r} not marked"
        changed = (added or dropped)[0]
        risk = expected_risk.get(changed, "wording")
        n, alt = next((n, a) for n, a in hits if a["risk"] == risk)
        # the mark carries its class; the ranked list shows it in context
        (mark,) = dom.find_all("mark", id=f"alt-{n}")
        assert {"alt", f"risk-{risk}", f"kind-{alt['kind']}"} <= mark.classes
        assert risk in mark.attrs["title"]
        (item,) = dom.find_all("tr", id=f"item-{n}")
        assert item.attrs["data-risk"] == risk
        ctx_src = item.find_all("td", "ctx-src")[0].text()
        ctx_copy = item.find_all("td", "ctx-copy")[0].text()
        assert set(words(before)) <= set(words(ctx_src)), (before, ctx_src)
        assert set(words(after)) <= set(words(ctx_copy)), (after, ctx_copy)
        (jump,) = item.find_all("a", "jump")
        assert jump.attrs["href"] == f"#alt-{n}"


def test_every_alteration_is_ranked_and_marked(dom: Node, result: CompareResult) -> None:
    s = result.score
    items = dom.find_all("tr", "item")
    assert [i.attrs["data-risk"] for i in items] == [a.risk for a in s.alterations]
    order = {"qualifier": 0, "name": 1, "number": 2, "wording": 3}
    ranks = [order[i.attrs["data-risk"]] for i in items]
    assert ranks == sorted(ranks), "riskiest first"
    alts = _alterations(dom)
    assert len(alts) == len(s.alterations)
    for n, a in enumerate(s.alterations, 1):
        marked = alts[str(n)]
        assert marked["risk"] == a.risk and marked["kind"] == a.kind
        side = "source" if a.kind == "deletion" else "copy"
        assert marked[side].split() == (a.source if side == "source" else a.copy).split()


def test_risky_alterations_have_a_visible_text_label(dom: Node) -> None:
    risky = [m for m in dom.find_all("mark", "alt") if m.attrs.get("data-risk") in MEANING_RISKS]
    primary = [m for m in risky if not m.attrs["id"].endswith("-src")]
    assert len(primary) >= 3
    for m in primary:
        tag = m.next_node()
        assert tag is not None and "tag" in tag.classes and "risky" in tag.classes
        assert m.attrs["data-risk"] in tag.text().lower()
    for item in dom.find_all("tr", "item"):
        (badge,) = item.find_all("span", "badge")
        assert item.attrs["data-risk"] in badge.text().lower()


def test_side_by_side_rows_follow_the_source(dom: Node, result: CompareResult) -> None:
    s = result.score
    rows = dom.find_all("div", "pair")
    assert len(rows) == len(s.pairs)
    for row, p in zip(rows, s.pairs, strict=True):
        src, cp = row.find_all("div", "src")[0], row.find_all("div", "copy")[0]
        src_text, cp_text = src.doc_text(), cp.doc_text()
        assert words(result.source_text[slice(*p.source_span)]) == words(src_text)
        assert words(result.copy_text[slice(*p.copy_span)]) == words(cp_text)
        assert int(row.attrs["data-copy-start"]) == p.copy_span[0]
        assert "copy ¶" in row.find_all("div", "rowhead")[0].text()
    # 003 reorders the paragraphs of 004: some rows say so
    moved = [r for r in rows if r.attrs["data-moved"] == "true"]
    assert 0 < len(moved) < len(rows)
    assert all("moved in the copy" in r.text() for r in moved)


def test_added_material_is_listed_with_its_reason(dom: Node, result: CompareResult) -> None:
    (section,) = dom.find_all("section", id="added")
    items = section.find_all("li", "added")
    assert len(items) == len(result.score.added)
    by_text = {" ".join(i.find_all("div", "text")[0].text().split()): i for i in items}
    ottawa = next(i for t, i in by_text.items() if "Ottawa, Ontario" in t)
    assert ottawa.attrs["data-reason"]
    stay = by_text["Stay Connected"]
    assert stay.attrs["data-reason"].startswith("boilerplate")
    assert stay.attrs["data-reason"] in stay.text()


def test_missing_passages_show_an_empty_copy_side(tmp_path: Path) -> None:
    text = seed_text("004")
    paras = text.split("\n\n")
    longest = max(range(len(paras)), key=lambda i: len(paras[i]))
    cut = "\n\n".join(p for i, p in enumerate(paras) if i != longest)
    (tmp_path / "copy.txt").write_text(cut, encoding="utf-8")
    r = pipeline.compare(seed_path("004"), tmp_path / "copy.txt")
    assert r.score.missing
    dom = parse(render_compare_html(r))
    rows = dom.find_all("div", "missing")
    assert len(rows) == len(r.score.missing)
    for row, m in zip(rows, r.score.missing, strict=True):
        assert words(m.text) == words(row.find_all("div", "src")[0].doc_text())
        assert "not in the copy" in row.find_all("div", "copy")[0].text()
    (section,) = dom.find_all("section", id="missing")
    assert len(section.find_all("li", "miss")) == len(r.score.missing)


@pytest.mark.parametrize(
    ("before", "after", "risk"),
    [
        ("the enduring defeat of", "the enduring victory of", "polarity"),
        ("The Ministers reaffirmed", "The Ministers denied", "attribution"),
    ],
)
def test_banner_never_says_no_meaning_change_when_one_exists(
    tmp_path: Path, before: str, after: str, risk: str
) -> None:
    text = seed_text("004")
    assert before in text
    (tmp_path / "copy.txt").write_text(text.replace(before, after, 1), encoding="utf-8")
    r = pipeline.compare(seed_path("004"), tmp_path / "copy.txt")
    assert risk in {a.risk for a in r.score.alterations}
    page = render_compare_html(r)
    assert "no meaning change" not in page
    dom = parse(page)
    (banner,) = dom.find_all("header")
    assert "meaning changed" in banner.text()
    badges = [b.text() for b in dom.find_all("span", "badge") if f"risk-{risk}" in b.classes]
    assert any(risk.capitalize() in b for b in badges)


# -- hostile documents ----------------------------------------------------------------

PAYLOADS = [
    '<script>document.title="pwned";window.pwned=1</script>',
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">",
    "</textarea></style></title><svg onload=\"document.title='pwned'\">",
    '"><svg onload=alert(1)>',
    "<a href=\"javascript:document.title='pwned'\">click me</a>",
    "<iframe srcdoc='<script>parent.pwned=1</script>'></iframe>",
    "<!-- ]]> --><base href=//evil.example/>",
]


def hostile_copy(tmp_path: Path) -> Path:
    """Source 004 with payloads inside copied sentences and in added boilerplate."""
    text = seed_text("004")
    text = text.replace("Secretary of State", PAYLOADS[0] + " of State", 1)
    text = text.replace("enduring defeat", "enduring " + PAYLOADS[1] + " defeat", 1)
    text = text.replace("sole purpose", "sole " + PAYLOADS[3] + " purpose", 1)
    text = text.replace("Central African Republic", PAYLOADS[5] + " Republic", 1)
    text = (
        "Home | News | "
        + PAYLOADS[2]
        + "\n\n"
        + text
        + "\n\n"
        + PAYLOADS[4]
        + "\n\nShare this: "
        + PAYLOADS[1]
        + "\n\n"
        + PAYLOADS[6]
        + "\n"
    )
    path = tmp_path / "hostile.txt"
    path.write_text(text, encoding="utf-8")
    return path


def assert_inert(page: str) -> Node:
    """Nothing of the document became markup: one script (ours), no handler, no link out."""
    low = page.lower()
    for raw in ("<svg", "<img", "<iframe", "<base", "<textarea", "<!--", '<a href="j'):
        assert raw not in low, raw
    assert low.count("<script") == 1 and low.count("</title>") == 1
    dom = parse(page)
    scripts = dom.find_all("script")
    assert len(scripts) == 1 and scripts[0].text() == SCRIPT
    for n in dom.iter():
        assert n.tag not in {"svg", "img", "iframe", "base", "textarea", "object", "embed"}
        assert not [k for k in n.attrs if k.startswith("on")], (n.tag, n.attrs)
        assert "data-pwned" not in n.attrs
        if "href" in n.attrs:
            assert n.attrs["href"].startswith("#"), n.attrs["href"]
    return dom


def test_hostile_copy_renders_as_text(tmp_path: Path) -> None:
    r = pipeline.compare(seed_path("004"), hostile_copy(tmp_path))
    # the payloads land both inside aligned text (alterations) and in added material
    assert any("<" in a.copy or "onerror" in a.copy for a in r.score.alterations)
    assert any("<" in a.text for a in r.score.added)
    # hostile names and reasons too (reasons go into attributes)
    added = (replace(r.score.added[0], reason='x" onmouseover="alert(1)" x="'), *r.score.added[1:])
    r = replace(
        r,
        copy='x"><svg onload=alert(1)><script>alert(2)</script>.txt',
        score=replace(r.score, added=added),
    )
    page = render_compare_html(r)
    dom = assert_inert(page)
    visible = dom.find_all("body")[0].text()
    assert "onerror=" in visible and "<svg onload=alert(1)>" in visible
    assert "javascript:document.title" in visible
    (title,) = dom.find_all("title")
    assert "pwned" not in title.text()


def test_hostile_check_report(tmp_path: Path, seed_db: Path) -> None:
    (c,) = pipeline.check([hostile_copy(tmp_path)], seed_db)
    assert c.matches
    c = replace(c, suspect='"><img src=x onerror=alert(1)>.txt')
    assert_inert(render_check_html(c))


# -- check reports -------------------------------------------------------------------


def test_check_report_lists_every_match(tmp_path: Path, seed_db: Path) -> None:
    suspect = tmp_path / "suspect.txt"
    suspect.write_text(seed_text("002") + "\n\n" + seed_text("003"), encoding="utf-8")
    (c,) = pipeline.check([suspect], seed_db)
    assert isinstance(c, CheckResult)
    assert len(c.matches) == 2
    page = render_check_html(c)
    dom = assert_inert(page)
    summary = dom.find_all("p", "summary")[0]
    assert summary.attrs["data-matches"] == "2"
    assert "2 indexed sources" in summary.text()
    rows = dom.find_all("tr", "match-row")
    assert [r.attrs["data-verdict"] for r in rows] == [m.score.verdict for m in c.matches]
    sections = dom.find_all("section", "match")
    assert [s.attrs["id"] for s in sections] == ["m1", "m2"]
    for i, (sec, m) in enumerate(zip(sections, c.matches, strict=True), 1):
        assert sec.attrs["data-verdict"] == m.score.verdict
        assert Path(m.source).name in sec.find_all("h2")[0].text()
        assert len(sec.find_all("div", "pair")) == len(m.score.pairs)
        assert sec.find_all("section", id=f"m{i}-side-by-side")
        assert sec.find_all("section", id=f"m{i}-added")
        marks = [x for x in sec.find_all("mark", "alt") if "data-alt" in x.attrs]
        assert all(x.attrs["id"].startswith(f"m{i}-alt-") for x in marks)
        assert sec.find_all("p", "summary")
    ids = [n.attrs["id"] for n in dom.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))


def test_check_report_without_matches(tmp_path: Path) -> None:
    c = CheckResult("nothing.txt", "0" * 64, (), 3)
    dom = assert_inert(render_check_html(c))
    assert "No copy of an indexed source found" in dom.find_all("h1")[0].text()
    assert "3 candidates" in dom.find_all("p", "summary")[0].text()


# -- on a phone: file names in the header, colour by meaning risk ----------------------


def _deep(tmp_path: Path, prefix: str) -> Path:
    """A seed copied under a long absolute path, as a user's files often are."""
    folder = tmp_path.joinpath(*["a-rather-long-folder-name-for-archived-pages"] * 4)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / seed_path(prefix).name
    path.write_bytes(seed_path(prefix).read_bytes())
    return path


def test_header_names_files_and_folds_their_paths(tmp_path: Path) -> None:
    source, copy = _deep(tmp_path, "004"), _deep(tmp_path, "003")
    dom = parse(render_compare_html(pipeline.compare(source, copy)))
    (files,) = dom.find_all("p", "files")
    assert files.text() == f"copy {copy.name} compared with source {source.name}"
    assert [c.attrs["title"] for c in files.find_all("code", "path")] == [str(copy), str(source)]
    (full,) = dom.find_all("details", "paths")
    assert full.find_all("summary")[0].text() == "Full paths"
    assert [d.text() for d in full.find_all("dd")] == [str(copy), str(source)]


def test_relative_file_names_need_no_details() -> None:
    r = replace(pipeline.compare(seed_path("004"), seed_path("003")), source="a.txt", copy="b.txt")
    assert not parse(render_compare_html(r)).find_all("details", "paths")


def _qualified(tmp_path: Path) -> CompareResult:
    """A near-verbatim copy whose only change is a qualifier inside a quotation."""
    text = seed_text("004")
    at = text.index("accused terrorists")
    source = tmp_path / "source.txt"
    source.write_text(text, encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(text[:at] + "“allegedly " + text[at : at + 18] + "”" + text[at + 18 :])
    return pipeline.compare(source, copy)


def test_meaning_change_is_coloured_by_risk_first(tmp_path: Path) -> None:
    r = _qualified(tmp_path)
    assert r.score.meaning_changed and r.score.verdict in ("near-verbatim", "verbatim")
    dom = parse(render_compare_html(r))
    (html,) = dom.find_all("html")
    (banner,) = dom.find_all("header", "banner")
    for node in (html, banner):
        assert {f"verdict-{r.score.verdict}", "meaning-changed"} <= node.classes
    css = CSS.index(".meaning-changed { --vc: var(--v-risky); }")
    assert css > CSS.index(f".verdict-{r.score.verdict} {{")  # later: it wins
    faithful = pipeline.compare(seed_path("001"), seed_path("000"))
    assert (
        "meaning-changed" not in parse(render_compare_html(faithful)).find_all("header")[0].classes
    )


def test_check_report_counts_only_copies_as_meaning_changes(seed_db: Path) -> None:
    (c,) = pipeline.check([seed_path("000")], seed_db)
    assert [m.score.verdict for m in c.matches] == ["verbatim", "partial"]
    assert c.matches[1].score.meaning_changed  # 004's differences from 000
    page = render_check_html(c)
    dom = parse(page)
    assert "meaning changed" not in dom.find_all("h1")[0].text()
    assert dom.find_all("h1")[0].text() == "Copies 1 indexed source"
    rows = dom.find_all("tr", "match-row")
    assert [r.find_all("td")[3].text() for r in rows] == ["no", "not a copy"]
    assert not dom.find_all(cls="meaning-changed")
    summary = dom.find_all("p", "summary")[0].text()
    assert "copies 1 indexed source and shares passages with 1 other source" in summary
    m2 = dom.find_all("section", id="m2")[0].find_all("p", "summary")[0].text()
    assert "Meaning changed" not in m2 and "Not a copy" in m2

"""HTML -> ParsedDocument with BeautifulSoup: h1-h6 give the section path, tables become 'cell | cell' lines."""

from __future__ import annotations

from pathlib import Path

from ingest.blocks import Block, ParsedDocument
from ingest.clean import clean_text
from ingest.metadata import fill_text_facts
from rag.errors import BadDocument

_DROP = ["script", "style", "nav", "footer", "noscript", "template", "iframe", "svg", "form"]
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_TEXT_TAGS = ["p", "li", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "table", *_HEADINGS]
_BLOCK_TAGS = [*_TEXT_TAGS, "div", "ul", "ol", "dl", "section", "article"]
MAX_DEPTH = 256  # real pages nest < 40 deep; the block walk costs depth x elements, so 3,000 levels took minutes


def parse_html(path: Path, text: str | None = None) -> ParsedDocument:
    """Parse an HTML page into one block per section (and per table)."""
    from bs4 import BeautifulSoup

    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    depth = _depth(soup)
    if depth > MAX_DEPTH:
        raise BadDocument(f"{path.name}: HTML nested {depth} levels deep, more than the limit of {MAX_DEPTH}; "
                          "not a readable page")
    blocks = _blocks(soup.body or soup)
    doc = ParsedDocument(format="html", blocks=blocks, page_texts=["\n\n".join(b.text for b in blocks)])
    doc.title = _title(soup) or path.stem
    html_tag = soup.find("html")
    if html_tag and html_tag.get("lang"):
        doc.language = str(html_tag["lang"]).split("-")[0].lower()
    fill_text_facts(doc, doc.page_texts[0][:5000])
    return doc


def _depth(soup) -> int:
    """The deepest element nesting, in one pass (parents before children in document order)."""
    depth: dict[int, int] = {id(soup): 0}
    deepest = 0
    for tag in soup.find_all(True):
        d = depth[id(tag)] = depth.get(id(tag.parent), 0) + 1
        deepest = max(deepest, d)
    return deepest


def _blocks(root) -> list[Block]:
    """Walk text elements in document order, cutting a block at each heading and around tables."""
    blocks: list[Block] = []
    headings: list[tuple[int, str]] = []
    pending: list[str] = []

    def flush(kind: str = "text") -> None:
        text = clean_text("\n\n".join(pending))
        if text:
            blocks.append(Block(text=text, section=tuple(t for _, t in headings), kind=kind))
        pending.clear()

    for element in root.find_all([*_TEXT_TAGS, "div"]):
        if element.find_parent(_TEXT_TAGS):
            continue  # already taken with its container (a <p> inside <li>, cells inside <table>)
        if element.name == "div" and element.find(_BLOCK_TAGS):
            continue  # a container: its children are visited in turn; a leaf <div> is a paragraph
        if element.name in _HEADINGS:
            flush()
            level, title = _HEADINGS[element.name], clean_text(element.get_text(" ", strip=True))
            headings = [h for h in headings if h[0] < level] + ([(level, title)] if title else [])
        elif element.name == "table":
            flush()
            pending.append(table_text(element))
            flush("table")
        else:
            prefix = "- " if element.name == "li" else ""
            pending.append(prefix + element.get_text(" ", strip=True))
    flush()
    return blocks


def table_text(table) -> str:
    """A pipe table: the caption, the header rows, a '|---|' rule, one '| cell | cell |' line per row.

    Header rows are the <thead> rows or the leading rows made only of <th>; else the first row.
    The chunker repeats everything above the rule in every piece of a long table.
    """
    rows, header_rows = [], 0
    for row in table.find_all("tr"):
        cells = row.find_all(["th", "td"])
        texts = [c.get_text(" ", strip=True).replace("|", "/") for c in cells]
        if not any(texts):
            continue
        is_header = row.find_parent("thead") is not None or all(c.name == "th" for c in cells)
        if is_header and header_rows == len(rows):
            header_rows += 1
        rows.append("| " + " | ".join(texts) + " |")
    if not rows:
        return ""
    header_rows = header_rows or 1
    width = max(line.count("|") - 1 for line in rows)
    lines = rows[:header_rows] + ["|" + "---|" * width] + rows[header_rows:]
    caption = table.find("caption")
    title = caption.get_text(" ", strip=True) if caption else ""
    return "\n".join(([title] if title else []) + lines)


def _title(soup) -> str | None:
    """<title>, else the first <h1>."""
    for tag in (soup.find("title"), soup.find("h1")):
        if tag and tag.get_text(strip=True):
            return clean_text(tag.get_text(" ", strip=True))
    return None

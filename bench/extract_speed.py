"""HTML extraction: the lxml walk against the Beautiful Soup version it replaced (auditor/extract_html.py and
auditor/extract_outline.py as last committed before the change, or --ref), for identical Pages and for speed.

    .venv/bin/python bench/extract_speed.py [--pages 200] [--repeat 5] [--fuzz 3000] [--ref REV]

First every input is extracted by both and the Pages compared field by field (dataclass equality): every HTML
file under tests/fixtures, every demo page, --pages of the bench crawl's generated pages (bench/crawl.py), a
list of nasty inputs (nasty() below), --fuzz seeded random tag soups and a third as many seeded mutilations of
the real pages, and Markdown drafts (through page_from_html). Then the bench pages are extracted by both,
interleaved page by page so both see the same machine state, and the median milliseconds per page of each are
printed side by side with the ratio; the new module's caches are emptied before each repeat, as for a fresh
crawl. Exits 1 when any Page differs. Reading git (git show) is the only git use; the reference needs bs4.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
BS4_REVISION = "caa9fbd7da4bfe9df250893bdc0f96db7b56f2f9"  # the last commit extracting with Beautiful Soup
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from crawl import build_page  # noqa: E402

from auditor import extract_html as new  # noqa: E402
from auditor.demo import html_pages, site_root  # noqa: E402
from auditor.extract_markdown import markdown_to_html  # noqa: E402
from auditor.models import FetchResult, Page  # noqa: E402

Extract = Callable[[bytes, str, FetchResult | None], Page]
Case = tuple[str, bytes, FetchResult | None]
URL = "https://clinic.example/page"


def _module_from_git(rev: str, path: str, name: str, source_edit: Callable[[bytes], bytes] = bytes) -> ModuleType:
    source = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=REPO, check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"{name}.py"
        file.write_bytes(source_edit(source))
        spec = importlib.util.spec_from_file_location(name, file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return module


def load_reference(rev: str) -> ModuleType:
    """auditor/extract_html.py as committed at rev, over auditor/extract_outline.py as committed at rev (fold and
    count_words changed with it); its other imports (models, encoding, jsonld) are today's."""
    _module_from_git(rev, "auditor/extract_outline.py", "extract_outline_reference")
    module = _module_from_git(
        rev,
        "auditor/extract_html.py",
        "extract_html_reference",
        lambda source: source.replace(b"from auditor.extract_outline import", b"from extract_outline_reference import"),
    )
    # Beautiful Soup warns about XML-looking and URL-looking input; the nasty inputs are both on purpose.
    warnings.filterwarnings("ignore", module="bs4")
    warnings.filterwarnings("ignore", message=".*(looks like|resembles)")
    return module


def fetched(body: bytes, content_type: str) -> FetchResult:
    return FetchResult(URL, URL, 200, (("content-type", content_type),), body, 0.1)


def nasty() -> Iterator[Case]:
    """Inputs chosen for where an lxml tree and a Beautiful Soup tree could part ways."""
    para = "<p>Scalp micropigmentation takes two or three sessions.</p>"
    yield "empty", b"", None
    yield "whitespace only", b" \n\t\r\n  ", None
    yield "comment only", b"<!-- nothing -->", None
    yield "doctype only", b"<!DOCTYPE html>", None
    yield "binary-ish", bytes(range(256)) * 4, None
    yield "nul bytes", b"<p>a\x00b</p>\x00<div>c\x00</div>", None
    yield "random bytes", random.Random(7).randbytes(5000), None
    yield "1 MB page", (b"<html><body>" + (para.encode() + b"<ul><li>x<li>y</ul>") * 12_000 + b"</body></html>"), None
    yield "unclosed tags", b"<div><p>First <b>bold <i>both<p>Second<ul><li>one<li>two</ul><div>Trailing", None
    yield "stray end tags", b"</p></div><p>Kept</p></span><<>>&&<p>Also kept</td></tr></table>", None
    yield "nested tables", (
        b"<table><tr><td>a<table><tr><td>b</td><td><table><td>c</table></td></tr></table>d</td>"
        b"<td>e</tr><tr>f<th>g</table>after"
    ), None
    yield "table text foster", b"<table>loose<tr>row text<td>cell</td>more</tr></table>", None
    yield "comments inside attributes", (
        b'<p title="<!-- not a comment -->">x<!-- real --> y</p><a href="/a<!--b-->">l</a>'
    ), None
    yield "comments everywhere", (
        b"<!--a--><html><!--b--><head><!--c--><title>T<!--d--></title></head><!--e--><body>"
        b"<p>one<!--f-->two</p><!--g--></body></html><!--h-->"
    ), None
    yield "script containing </div>", b"<div><script>var s = '</div><p>not text</p>';</script>after</div>", None
    yield "script containing comment", b"<script><!-- document.write('<p>x</p>') --></script><p>y</p>", None
    yield "cdata", b"<p>a<![CDATA[b <i>c</i>]]>d</p><svg><![CDATA[e]]></svg><math><![CDATA[f]]></math>", None
    yield "processing instructions", b"<?xml version='1.0'?><?php echo 1; ?><p>a<?pi x?>b</p>", None
    yield "svg and math", (
        b"<p>Before <svg viewBox='0 0 1 1'><title>Icon</title><text>svg text</text><a href='/in-svg'>l</a>"
        b"<foreignObject><p>fo</p></foreignObject></svg> after <math><mi>x</mi></math> end</p>"
        b"<a href='/icon'><svg><use href='#i'/></svg>Icon link</a><svg:rect xmlns:svg='http://www.w3.org/2000/svg'/>"
    ), None
    yield "entities", (
        b"<p>a&nbsp;b &amp;amp; &#x1F600; &#128512; &lt;tag&gt; &copy &notanentity; &#0; &#xD800; &#x110000;"
        b" &AMP; &nbsp&nbsp; &shy;soft&#8203;zero</p><a href='/?a=1&amp;b=2&copy=3'>q</a>"
    ), None
    yield "nbsp only blocks", b"<p>&nbsp;</p><p> &#160; </p><div>\xc2\xa0</div><p>x</p>", None
    yield "utf-8 bom", b"\xef\xbb\xbf<html><head><title>BOM</title></head><body><p>caf\xc3\xa9</p></body></html>", None
    yield "double bom", b"\xef\xbb\xbf\xef\xbb\xbf<p>two marks</p>", None
    yield "utf-16 bom", "\ufeff<p>sixteen \u00e9</p>".encode("utf-16-le"), None
    yield "utf-16be bom", "\ufeff<p>big end</p>".encode("utf-16-be"), None
    yield "meta charset lies (latin-1 bytes, utf-8 declared)", (
        b"<meta charset='utf-8'><title>Caf\xe9</title><p>cr\xe8me br\xfbl\xe9e</p>"
    ), None
    yield "meta charset lies (utf-8 bytes, latin-1 declared)", (
        "<meta charset='iso-8859-1'><title>Café</title><p>crème brûlée</p>".encode()
    ), None
    yield "meta charset lies (shift_jis declared)", "<meta charset=shift_jis><p>naïve</p>".encode(), None
    yield "http-equiv charset", b"<meta http-equiv='Content-Type' content='text/html; charset=koi8-r'><p>\xc1\xc2</p>", None
    yield "header charset lies", "<p>crème</p>".encode(), fetched("<p>crème</p>".encode(), "text/html; charset=ascii")
    yield "header and meta disagree", b"<meta charset=utf-8><p>\xe9t\xe9</p>", fetched(
        b"<meta charset=utf-8><p>\xe9t\xe9</p>", "text/html; charset=windows-1252"
    )
    yield "xml declaration", b"<?xml version='1.0' encoding='iso-8859-1'?><html><body><p>\xe9</p></body></html>", None
    yield "uppercase markup", (
        b"<HTML LANG='FR'><HEAD><TITLE>Up</TITLE></HEAD><BODY><P CLASS='Nav'>x</P><A HREF='/U'>U</A>"
    ), None
    yield "duplicate attributes", (
        b"<a href='/first' href='/second' class='one' class='skip'>#</a><img src=a.png src=b.png alt=1 alt=2>"
        b"<html lang=en lang=fr><meta name=description name=robots content=x>"
    ), None
    yield "boolean and empty attributes", b"<a href>empty</a><a href=''>e2</a><p hidden class>x</p><input disabled>", None
    yield "braced attribute names", (
        b"<a href='/plain' {x}href='/braced'>b</a><a {x}href='/only'>o</a><p {}class='nav'>c</p>"
        b"<html {http://www.w3.org/XML/1998/namespace}lang='de'><a href='/h' {y}='v' {z}rel=nofollow>r</a>"
    ), None
    yield "attribute edge values", b"<a href='  /spaced  ' rel=' NoFollow  UGC '>s</a><a href='java\nscript:x'>j</a>", None
    yield "content after </html>", b"<html><body><p>in</p></body></html><p>after</p>tail<div>late</div>", None
    yield "two html elements", b"<html lang=en></html><html lang=fr><p>second</p></html>", None
    yield "duplicate head and body", (
        b"<html><head><title>One</title></head><head><meta name='description' content='Two'></head>"
        b"<body class=a><p>x</p></body><body class=nav><p>y</p></body></html>"
    ), None
    yield "text in head", b"<html><head>stray head text<title>T</title>more<p>para in head</p></head><body>b</body>", None
    yield "frameset", b"<frameset><frame src=a><noframes><p>No frames</p></noframes></frameset>after", None
    yield "deep nesting 300", b"<div>" * 300 + b"deep text" + b"</div>" * 300 + b"<p>after</p>", None
    yield "deep nesting 5000", b"<div>" * 5000 + b"deep text", None
    yield "deep inside svg", b"<p>x</p><svg>" + b"<g>" * 300 + b"</svg><p>after svg</p>", None
    yield "deep inline", b"<p>" + b"<span>" * 400 + b"inline" + b"</span>" * 400 + b"</p>", None
    yield "script templates noscript", (
        b"<template><p>tpl</p><a href='/t'>tl</a></template><noscript><p>ns</p><a href='/n'>nl</a></noscript>"
        b"<iframe><p>if</p></iframe><textarea><p>ta</p></textarea><select><option>o</select><p>visible</p>"
    ), None
    yield "ruby", (
        b"<p>\xe6\xbc\xa2<ruby>\xe5\xad\x97<rp>(</rp><rt>kanji<br><a href='/rt'>in rt</a></rt><rp>)</rp></ruby>"
        b"tail</p><h2>Head<rt>reading</rt>ing</h2><a href='/r'>x<rt>y</rt>z</a><rt><title>rt title</title></rt>"
    ), None
    yield "json-ld whitespace", (
        b"<script type='application/ld+json'>   </script><script type='application/ld+json'>\n \n</script>"
        b"<pre><script type='application/ld+json'>  \n </script></pre>"
        b"<script type=' Application/LD+JSON '>{\"@type\": \"FAQPage\", \"mainEntity\": "
        b"[{\"name\": \"Q?\", \"acceptedAnswer\": {\"text\": \"<b>A</b>\"}}]}</script>"
        b"<script type='application/ld+json'>\x0c\t</script><script type='application/ld+json'></script>"
        b"<script type='application/ld+json'>\xc2\xa0</script>"
    ), None
    yield "br handling", (
        b"<p>one<br>two<br><br>three<br> <br>four<br>&nbsp;<br>five</p><h2>a<br>b</h2><head><br></head>"
        b"<div>x<br/><br/></div><p><br><br>lead</p><li>i<br><b><br></b>j</li><br><br>body text"
    ), None
    yield "hr and blocks", b"<p>a<hr>b</p><div>c<hr/>d<span>e<div>f</div>g</span></div>", None
    yield "faq structures", (
        b"<details><summary>How long?</summary><p>Years.</p><details><summary>Inner?</summary>in</details></details>"
        b"<dl><dt>Does it hurt?</dt><dd>A little.</dd><div><dt>Q2</dt><dt>Q2b</dt><dd>A2</dd></div><dd>extra</dd></dl>"
        b"<summary>orphan</summary><dd>orphan dd</dd><h2>What is SMP?</h2><p>Ink.</p><h3>Why?</h3>"
    ), None
    yield "chrome", (
        b"<header class='site-header'><a href='#main' class='skip-link'>Skip to content</a><nav>n</nav></header>"
        b"<div role=banner><h1>Hero title</h1></div><div id='cookie-consent'>c</div><main><header>in main"
        b"</header><article><footer>art foot</footer><p>Body</p></article></main><aside>a</aside>"
        b"<div class='hero-banner'>hb</div><div class='top_banner'>tb</div><footer>f</footer><a href='#x'> skip it</a>"
    ), None
    yield "main and article", b"<div role=main><p>role main</p></div><main></main><article><p>art</p></article>", None
    yield "base and links", (
        b"<base href='/sub/'><base href='/other/'><a href='rel'>r</a><a href='//cdn.example/x'>c</a>"
        b"<a href='mailto:a@b'>m</a><a href='http://[bad'>bad</a><a href='https://www.clinic.example:443/'>w</a>"
        b"<link rel='canonical' href='/c1'><link rel='CANONICAL alternate' href='/c2' hreflang=' fr '>"
    ), fetched(b"", "text/html")
    yield "meta", (
        b"<meta name=' Description ' content='  d  '><meta property='og:title' content=o><meta name=robots "
        b"content='NOINDEX, follow'><meta name=googlebot content='nosnippet'><meta content=x><meta name=''>"
    ), None
    yield "images", (
        b"<img><img data-src=lazy.png alt=''><img src='' data-src=ds.png><picture><img src=p.png></picture>"
    ), None
    yield "title variants", (
        b"<title></title><title> Two  words </title><svg><title>svg</title></svg><p><title>x</title></p>"
    ), None
    yield "namespaced tags", b"<o:p>office</o:p><fb:like href='/f'>like</fb:like><v:shape><p>in shape</p></v:shape>", None
    yield "custom elements", b"<my-widget class=nav><p>w</p></my-widget><x-a href='/x'>not a link</x-a>", None
    yield "pre whitespace", b"<pre>\n  indented\n\n  code  </pre><pre>   </pre><textarea>  </textarea>", None
    yield "soft hyphen and zero width", "<p>pig\u00admen\u200btation\ufeff</p><p>\u00ad</p>".encode(), None
    yield "lt in text", b"<p>a < b > c <3 <> </> <//> <!> <!-> <a</p>", None
    yield "unquoted and broken attrs", b"<a href=/x class=a\"b rel=\"nofollow>t</a><p id='unterminated>u</p><p>v", None
    yield "form elements", (
        b"<form><label>Name <input name=n></label><button>Send</button><select><option>a</select></form>"
    ), None
    yield "huge text node", b"<p>" + b"word " * 2_100_000 + b"</p><p>after huge</p>", None


_TAGS = (
    "div", "p", "span", "a", "b", "i", "h1", "h2", "h3", "ul", "ol", "li", "table", "tr", "td", "th", "tbody",
    "dl", "dt", "dd", "details", "summary", "section", "article", "main", "nav", "aside", "header", "footer",
    "br", "hr", "img", "script", "style", "template", "noscript", "svg", "math", "pre", "blockquote", "title",
    "meta", "link", "base", "ruby", "rt", "rp", "head", "body", "html", "textarea", "select", "option",
    "iframe", "form", "label", "input", "button", "figure", "figcaption", "center", "font", "xmp", "plaintext",
    "frameset", "noframes", "object", "embed", "o:p", "my-el",
)
_ATTRS = (
    "class=nav", "class='site-header c1'", "class=skip", "id=cookie-bar", "id=main", "role=main", "role=navigation",
    "role=banner", "href=/x", "href='#top'", "href=''", "href", "rel=nofollow", "rel='canonical alternate'",
    "hreflang=fr", "type=application/ld+json", "type='text/javascript'", "lang=en", "alt=Alt", "src=a.png",
    "data-src=b.png", "aria-label='Label'", "title=T", "name=description", "name=robots", "property=og:title",
    "content='noindex'", "{x}href=/b", "class='hero-banner'", "class=breadcrumbs",
)
_TEXTS = (
    "Does it hurt?", "How long does SMP last?", "word", " ", "\n", "  \n  ", "&nbsp;", "&amp;amp;", "&#x1F600;",
    "Skip to content", "<!-- c -->", "<![CDATA[x]]>", "<?pi?>", "{\"@type\": \"Thing\"}", "\t", "caf\u00e9", "</",
    "<", "&", "\u00ad", "Read more.",
)


def soup(rng: random.Random) -> bytes:
    """A random tag soup: unbalanced, misnested, with the tags and attributes the walk treats specially."""
    out: list[str] = []
    for _ in range(rng.randint(1, 80)):
        roll = rng.random()
        if roll < 0.45:
            tag = rng.choice(_TAGS)
            attrs = " ".join(rng.choice(_ATTRS) for _ in range(rng.choice((0, 0, 1, 2, 3))))
            out.append(f"<{tag}{' ' + attrs if attrs else ''}{rng.choice(('', '', '/'))}>")
        elif roll < 0.7:
            out.append(f"</{rng.choice(_TAGS)}>")
        else:
            out.append(rng.choice(_TEXTS))
    return "".join(out).encode()


def mutant(rng: random.Random, page: bytes) -> bytes:
    """A real page cut about: slices dropped, duplicated or moved, random tags and text dropped in."""
    data = bytearray(page)
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        start = rng.randrange(len(data) + 1)
        end = min(len(data), start + rng.randint(0, 400))
        if roll < 0.3:
            del data[start:end]
        elif roll < 0.5:
            data[start:start] = data[start:end]
        elif roll < 0.6:
            piece = bytes(data[start:end])
            del data[start:end]
            at = rng.randrange(len(data) + 1)
            data[at:at] = piece
        else:
            data[start:start] = soup(rng)[:200]
    return bytes(data)


def real_pages() -> Iterator[Case]:
    """Every HTML file under tests/fixtures, and every demo page (also as fetched, with its HTTP header)."""
    for path in sorted((REPO / "tests" / "fixtures").rglob("*.htm*")):
        yield f"fixture {path.relative_to(REPO)}", path.read_bytes(), None
    root = site_root()
    for name in html_pages():
        resource = root
        for part in name.split("/"):
            resource = resource.joinpath(part)
        body = resource.read_bytes()
        yield f"demo {name}", body, None
        yield f"demo {name} (fetched)", body, fetched(body, "text/html; charset=utf-8")


def cases(pages: int, fuzz: int) -> Iterator[Case]:
    real = list(real_pages())
    yield from real
    for i in range(pages):
        yield f"bench page {i}", build_page(i, 2000), None
    yield from nasty()
    rng = random.Random(2024)
    for i in range(fuzz):
        yield f"fuzz {i}", soup(rng), None
    bodies = [body for _, body, fetch in real if fetch is None]
    for i in range(fuzz // 3):
        yield f"mutant {i}", mutant(rng, rng.choice(bodies)), None


def differences(old: Page, fresh: Page) -> list[str]:
    return [
        f.name for f in dataclasses.fields(Page) if getattr(old, f.name) != getattr(fresh, f.name)
    ]


def compare(reference: Extract, current: Extract, pages: int, fuzz: int) -> int:
    failures = 0
    count = 0
    for name, body, fetch in cases(pages, fuzz):
        count += 1
        url = fetch.requested_url if fetch is not None else URL
        outcome: list[Page | str] = []
        for extract in (reference, current):
            try:
                outcome.append(extract(body, url, fetch))
            except Exception as exc:  # a raise is an outcome to compare too
                outcome.append(f"raised {type(exc).__name__}: {exc}")
        old, fresh = outcome
        if old == fresh:
            continue
        failures += 1
        if isinstance(old, Page) and isinstance(fresh, Page):
            fields = differences(old, fresh)
            print(f"DIFFERS {name}: {', '.join(fields)}")
            for field in fields[:3]:
                print(f"  old {field}: {getattr(old, field)!r}"[:400])
                print(f"  new {field}: {getattr(fresh, field)!r}"[:400])
        else:
            print(f"DIFFERS {name}: old {str(old)[:200]!r} / new {str(fresh)[:200]!r}")
    print(f"compared {count} inputs: {count - failures} identical Pages, {failures} different")
    return failures


_MARKDOWN = (
    "---\ntitle: Aftercare\ndescription: What to do\n---\n# Aftercare\n\nKeep it **dry** for 4 days.\n\n"
    "## Can I swim?\n\nNot for a week.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "<details><summary>Does it hurt?</summary>\n\nA little.\n\n</details>\n\n* one\n* two\n\n> quoted<br>\n",
    "Text with <rt>raw</rt> html, a [link](/x \"t\"), ![img](/i.png) and `code <b>`.\n\n---\n\n```\n<p>x</p>\n```\n",
)


def compare_markdown(reference: ModuleType) -> int:
    """Markdown drafts reach the same walk through page_from_html."""
    failures = 0
    drafts = [(str(p.relative_to(REPO)), p.read_text(encoding="utf-8")) for p in (REPO / "tests").rglob("*.md")]
    drafts += [(f"markdown {i}", text) for i, text in enumerate(_MARKDOWN)]
    for name, text in drafts:
        document, warnings = markdown_to_html(text)
        pages = [
            module.page_from_html(document, name, source_kind="markdown", encoding="utf-8", warnings=warnings)
            for module in (reference, new)
        ]
        if pages[0] != pages[1]:
            failures += 1
            print(f"DIFFERS markdown {name}")
    print(f"compared {len(drafts)} Markdown drafts: {len(drafts) - failures} identical Pages, {failures} different")
    return failures


def speed(reference: Extract, current: Extract, pages: int, repeat: int) -> None:
    bodies = [(f"http://127.0.0.1:8000/page-{i}", build_page(i, 2000)) for i in range(pages)]
    for url, body in bodies[:5]:  # warm both (imports, regex caches) outside the timings
        reference(body, url, None)
        current(body, url, None)
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(repeat):
        # Each repeat starts cold, as one crawl would: no hrefs or class names remembered from the last.
        new._host_key.cache_clear()
        new._VERDICTS.clear()
        new._ROOTED.clear()
        for url, body in bodies:
            for label, extract in (("old", reference), ("new", current)):
                started = time.perf_counter()
                extract(body, url, None)
                times[label].append(time.perf_counter() - started)
    size = sum(len(b) for _, b in bodies) / len(bodies)
    old_ms = 1000 * statistics.median(times["old"])
    new_ms = 1000 * statistics.median(times["new"])
    print(f"{pages} bench pages (mean {size / 1000:.1f} kB) x {repeat}, median per page, same run, interleaved:")
    print(f"  old (Beautiful Soup tree): {old_ms:6.2f} ms")
    print(f"  new (lxml tree):           {new_ms:6.2f} ms")
    print(f"  old / new:                 {old_ms / new_ms:6.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fuzz", type=int, default=3000)
    parser.add_argument("--ref", default=BS4_REVISION, help="git revision holding the Beautiful Soup version")
    args = parser.parse_args(argv)
    reference_module = load_reference(args.ref)
    reference: Extract = reference_module.extract_html
    current: Extract = new.extract_html
    failures = compare(reference, current, args.pages, args.fuzz) + compare_markdown(reference_module)
    speed(reference, current, args.pages, args.repeat)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

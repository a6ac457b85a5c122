"""Report documents written by hand to the contract (docs/report-contract.md), for the report tests."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

ROOT = "https://www.example-clinic.co.uk/"


def _fp(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


RULES: dict[str, dict[str, Any]] = {
    "CLM001": {
        "title": "No promise of permanent results",
        "failure_title": "Promises permanent results",
        "category": "claims",
        "severity": "error",
        "rationale": "Pigment fades over the years and most clients need a touch-up: 'permanent' misleads. "
        "The ASA has upheld complaints about exactly this word.",
        "source": "CAP Code 3.1 and 3.7 (misleading claims, substantiation)",
        "suggestion": "Say results are long-lasting and that most clients need a touch-up every few years.",
        "claim_type": "permanent",
    },
    "CLM002": {
        "title": "No single-session promise",
        "failure_title": "Promises results in one session",
        "category": "claims",
        "severity": "error",
        "rationale": "Scalp micropigmentation usually takes two or three sessions, so a one-session promise "
        "sets expectations the clinic cannot meet.",
        "source": "CAP Code 3.1 (misleading advertising)",
        "suggestion": "Explain that treatment is usually two or three sessions a week or so apart.",
        "claim_type": "single_session",
    },
    "CLM004": {
        "title": "No absolute safety claim",
        "failure_title": "Claims the treatment is completely safe",
        "category": "claims",
        "severity": "warning",
        "rationale": "Every procedure that breaks the skin carries some risk; calling it risk-free is an "
        "absolute claim regulators reject.",
        "source": "CAP Code 12.1 (medicines, medical devices, health-related products)",
        "suggestion": "Say the treatment has a low risk of complications in trained hands.",
        "claim_type": "safety",
    },
    "CAV002": {
        "title": "Aftercare caveat present",
        "failure_title": "No aftercare caveat near the treatment description",
        "category": "caveats",
        "severity": "warning",
        "rationale": "Clients who skip aftercare get patchy results; the page must say what to avoid after "
        "treatment.",
        "source": "Clinic compliance policy, section 4",
        "suggestion": "Add: avoid swimming, saunas and direct sun for four weeks after each session.",
    },
    "ACC001": {
        "title": "Session count is consistent",
        "failure_title": "Page contradicts the clinic's session count",
        "category": "accuracy",
        "severity": "error",
        "rationale": "Two pages giving different numbers of sessions erode trust and can be misleading.",
        "source": "CAP Code 3.1",
        "suggestion": "Use the same session count as the treatment page: two to three sessions.",
        "claim_type": "session_count",
    },
    "QST001": {
        "title": "Target question answered",
        "failure_title": "A target question is not answered",
        "category": "questions",
        "severity": "warning",
        "rationale": "People search for this question; a page that answers it plainly can win the search.",
        "source": "Google Search Central: helpful, people-first content",
        "suggestion": "Add a heading that asks the question and a two or three sentence answer below it.",
    },
    "SEO001": {
        "title": "Page has a title",
        "failure_title": "Page has no title",
        "category": "seo",
        "severity": "error",
        "rationale": "The title is the blue link in search results; without it search engines make one up.",
        "source": "Google Search Central: title links",
        "suggestion": "Write a unique title of 30 to 60 characters naming the treatment and the clinic.",
    },
    "SEO003": {
        "title": "Meta description present",
        "failure_title": "Page has no meta description",
        "category": "seo",
        "severity": "warning",
        "rationale": "The description is the snippet under the link in search results and drives clicks.",
        "source": "Google Search Central: snippets",
        "suggestion": "Write a 120 to 155 character summary of what the page offers.",
    },
    "SEO007": {
        "title": "Images have alt text",
        "failure_title": "Image has no alt text",
        "category": "seo",
        "severity": "warning",
        "rationale": "Alt text is read aloud to blind visitors and tells search engines what an image shows.",
        "source": "WCAG 2.2 success criterion 1.1.1",
        "suggestion": "Describe the image in a few words, e.g. 'Client's hairline after two sessions'.",
    },
    "SEO010": {
        "title": "No duplicate titles",
        "failure_title": "Several pages share one title",
        "category": "seo",
        "severity": "warning",
        "rationale": "Search engines cannot tell duplicate-titled pages apart.",
        "source": "Google Search Central: title links",
        "suggestion": "Give every page its own title.",
    },
    "SEO011": {
        "title": "Links work",
        "failure_title": "Link to a page that does not exist",
        "category": "seo",
        "severity": "error",
        "rationale": "Broken links frustrate visitors and waste crawl budget.",
        "source": "Google Search Central: crawling",
        "suggestion": "Fix or remove the link.",
    },
    "SEO012": {
        "title": "Every page is linked",
        "failure_title": "Page no other page links to",
        "category": "seo",
        "severity": "info",
        "rationale": "Search engines and visitors rarely find orphan pages.",
        "source": "Google Search Central: links",
        "suggestion": "Link to it from a related page or the menu.",
    },
    "CRL002": {
        "title": "Page reachable",
        "failure_title": "Page could not be fetched",
        "category": "crawl",
        "severity": "error",
        "rationale": "Visitors and search engines see an error instead of the page.",
        "source": "HTTP semantics (RFC 9110)",
        "suggestion": "Restore the page or redirect it to a live one.",
    },
    "CRL004": {
        "title": "No redirect chains",
        "failure_title": "Link goes through a redirect chain",
        "category": "crawl",
        "severity": "info",
        "rationale": "Each hop slows the page down and can lose ranking signals.",
        "source": "Google Search Central: redirects",
        "suggestion": "Link straight to the final address.",
    },
}


def finding(
    check_id: str,
    url: str,
    message: str,
    *,
    excerpt: str | None = None,
    context: str | None = None,
    heading_path: tuple[str, ...] = (),
    state: str = "new",
    waiver: dict[str, Any] | None = None,
    suggestion: str | None = None,
    cue: str | None = None,
    details: dict[str, Any] | None = None,
    severity: str | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    rule = RULES[check_id]
    evidence = None
    if excerpt is not None:
        ctx = context if context is not None else excerpt
        start = ctx.find(excerpt)
        evidence = {
            "excerpt": excerpt,
            "context": ctx,
            "start": start,
            "end": start + len(excerpt),
            "heading_path": list(heading_path),
            "locator": "main > p:nth-of-type(2)",
            "block_index": 4,
        }
    return {
        "check_id": check_id,
        "category": rule["category"],
        "claim_type": rule.get("claim_type") if rule["category"] in ("claims", "accuracy") else None,
        "severity": severity or rule["severity"],
        "url": url,
        "message": message,
        "suggestion": suggestion if suggestion is not None else rule["suggestion"],
        "evidence": evidence,
        "cue": cue,
        "details": details or {},
        "fingerprint": _fp(check_id, url, excerpt or key or message),
        "state": state,
        "waiver": waiver,
    }


def page(
    url: str, title: str | None, depth: int, findings: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "url": url,
        "site": "Example Clinic",
        "status": 200,
        "final_url": url,
        "content_type": "text/html",
        "title": title,
        "meta_description": f"{title} at Example Clinic, London." if title else None,
        "word_count": 640,
        "content_hash": _fp(url),
        "depth": depth,
        "elapsed": 0.042,
        "redirects": [],
        "error": None,
        "findings": findings,
    }
    entry.update(extra)
    return entry


SMP_PARA = (
    "Scalp micropigmentation recreates the look of a closely shaved head. Permanent results in one "
    "session! Most clients are delighted from the first appointment."
)
SAFE_PARA = (
    "Our treatment is 100% safe and completely painless, so you can go straight back to work the same "
    "afternoon."
)
PRICE_PARA = "Prices start at £850 for a full scalp, and the whole treatment is done in four sessions."
FAQ_PARA = (
    "How long does SMP last? Results typically last four to six years before a colour-boost touch-up "
    "is needed."
)


def sample_doc() -> dict[str, Any]:
    """A realistic weekly run of a small clinic site: every view has something to show."""
    home = ROOT
    smp = ROOT + "treatments/smp"
    faq = ROOT + "faq"
    prices = ROOT + "prices"
    about = ROOT + "about-us"
    gallery = ROOT + "gallery"
    old = ROOT + "old-offer"
    missing = ROOT + "treatments/hair-tattoo"
    waiver = {
        "reviewer": "Dr A. Patel",
        "reason": "Quoted from a peer-reviewed study, with the reference.",
        "expires": "2027-03-31",
        "created": "2026-10-01",
    }
    pages = [
        page(
            home,
            "Scalp Micropigmentation in London | Example Clinic",
            0,
            [
                finding(
                    "CLM001",
                    home,
                    "The page promises permanent results, which pigment cannot deliver.",
                    excerpt="Permanent results in one session!",
                    context=SMP_PARA,
                    heading_path=("Welcome",),
                    state="persisting",
                ),
                finding("SEO007", home, "An image has no alt text: /img/hero.jpg", key="/img/hero.jpg"),
            ],
        ),
        page(
            smp,
            "Scalp Micropigmentation (SMP)",
            1,
            [
                finding(
                    "CLM002",
                    smp,
                    "The page promises results in a single session.",
                    excerpt="Permanent results in one session!",
                    context=SMP_PARA,
                    heading_path=("Treatments", "Scalp micropigmentation"),
                ),
                finding(
                    "CLM004",
                    smp,
                    "The page says the treatment is 100% safe.",
                    excerpt="100% safe",
                    context=SAFE_PARA,
                    heading_path=("Treatments", "Is it safe?"),
                    state="waived",
                    waiver=waiver,
                ),
                finding(
                    "CAV002",
                    smp,
                    "The treatment is described without any aftercare advice.",
                    key="aftercare",
                    state="persisting",
                ),
                finding("SEO007", smp, "An image has no alt text: /img/before.jpg", key="/img/before.jpg"),
                finding("SEO007", smp, "An image has no alt text: /img/after.jpg", key="/img/after.jpg"),
            ],
        ),
        page(
            faq,
            "Frequently asked questions",
            1,
            [
                finding(
                    "CLM004",
                    faq,
                    "The answer says the treatment is completely painless.",
                    excerpt="completely painless",
                    context=SAFE_PARA,
                    heading_path=("FAQ", "Does it hurt?"),
                    state="expired_waiver",
                    waiver={
                        "reviewer": "J. Lee",
                        "reason": "Temporary launch copy",
                        "expires": "2026-11-01",
                        "created": "2026-08-01",
                    },
                ),
                finding("SEO003", faq, "The page has no meta description.", key="meta", state="persisting"),
            ],
            meta_description=None,
        ),
        page(
            prices,
            "Prices",
            1,
            [
                finding(
                    "ACC001",
                    prices,
                    "The page says four sessions; the treatment page says two to three.",
                    excerpt="the whole treatment is done in four sessions",
                    context=PRICE_PARA,
                    heading_path=("Prices",),
                ),
                finding("SEO010", prices, "This page shares its title with /about-us.", key="title"),
            ],
        ),
        page(
            about,
            "Prices",
            2,
            [
                finding("SEO010", about, "This page shares its title with /prices.", key="title"),
                finding(
                    "SEO001",
                    about,
                    "The page title is a copy of another page's.",
                    key="t",
                    severity="warning",
                ),
            ],
        ),
        page(
            gallery,
            None,
            2,
            [
                finding("SEO001", gallery, "The page has no title.", key="title"),
                finding("SEO007", gallery, "An image has no alt text: /img/g1.jpg", key="/img/g1.jpg"),
            ],
            word_count=85,
            meta_description=None,
        ),
        page(
            old,
            None,
            2,
            [],
            status=301,
            final_url=home,
            redirects=[
                {"url": old, "status": 301, "location": ROOT + "offers"},
                {"url": ROOT + "offers", "status": 302, "location": home},
            ],
        ),
        page(
            missing,
            None,
            2,
            [
                finding("CRL002", missing, "The page answered 404 Not Found.", key="404"),
            ],
            status=404,
            content_type="text/html",
            word_count=0,
        ),
        page(
            ROOT + "brochure.pdf",
            None,
            3,
            [],
            content_type="application/pdf",
            word_count=0,
            status=None,
            error="Timed out after 10 s while reading the response",
        ),
    ]
    site_findings = [
        finding(
            "SEO010",
            prices,
            "Two pages share the title 'Prices'.",
            key="dup-title",
            details={"urls": [prices, about], "title": "Prices"},
        ),
        finding(
            "SEO011",
            gallery,
            "The gallery links to a page that does not exist.",
            key="broken",
            details={"target": missing, "status": 404},
        ),
        finding("SEO012", gallery, "No other page links to the gallery.", key="orphan"),
        finding(
            "CRL004", old, "Links to /old-offer go through two redirects.", key="chain", details={"hops": 2}
        ),
    ]
    questions = [
        {
            "id": "QST001",
            "question": "How long does scalp micropigmentation last?",
            "priority": "high",
            "answered": True,
            "best": {
                "url": faq,
                "excerpt": FAQ_PARA,
                "score": 0.86,
                "findable_as": "faq",
                "heading_path": ["FAQ"],
                "locator": "main dl > dt:nth-of-type(2)",
                "quality": ["Direct answer in the first sentence."],
            },
            "pages": [{"url": faq, "score": 0.86}, {"url": smp, "score": 0.41}],
        },
        {
            "id": "QST002",
            "question": "Is scalp micropigmentation safe?",
            "priority": "high",
            "answered": True,
            "best": {
                "url": smp,
                "excerpt": SAFE_PARA,
                "score": 0.64,
                "findable_as": "heading",
                "heading_path": ["Treatments", "Is it safe?"],
                "locator": "main h2:nth-of-type(3)",
                "quality": [
                    "The answer makes an absolute safety claim (see CLM004).",
                    "No mention of patch tests.",
                ],
            },
            "pages": [{"url": smp, "score": 0.64}, {"url": faq, "score": 0.52}, {"url": home, "score": 0.2}],
        },
        {
            "id": "QST003",
            "question": "How much does scalp micropigmentation cost?",
            "priority": "medium",
            "answered": True,
            "best": {
                "url": prices,
                "excerpt": PRICE_PARA,
                "score": 0.71,
                "findable_as": "body",
                "heading_path": ["Prices"],
                "locator": "main p:nth-of-type(1)",
                "quality": [],
            },
            "pages": [{"url": prices, "score": 0.71}],
        },
        {
            "id": "QST004",
            "question": "Can scalp micropigmentation be removed?",
            "priority": "medium",
            "answered": False,
            "best": {
                "url": smp,
                "excerpt": "Laser sessions can lighten pigment if needed.",
                "score": 0.22,
                "findable_as": "body",
                "heading_path": ["Treatments"],
                "locator": "main p:nth-of-type(5)",
                "quality": ["Mentioned in passing, not answered."],
            },
            "pages": [{"url": smp, "score": 0.22}],
        },
        {
            "id": "QST005",
            "question": "Does scalp micropigmentation work on scars?",
            "priority": "low",
            "answered": False,
            "best": None,
            "pages": [],
        },
    ]
    resolved = [
        finding(
            "CLM001",
            about,
            "The page promised permanent results.",
            excerpt="permanent hairline for life",
            context="Get a permanent hairline for life with SMP.",
            heading_path=("About us",),
            state="persisting",
        ),
        finding("SEO003", smp, "The page had no meta description.", key="meta"),
    ]
    doc: dict[str, Any] = {
        "schema_version": 1,
        "run": {
            "id": "20261125T201500Z-3f9a",
            "kind": "scheduled",
            "started": "2026-11-25T20:15:00+00:00",
            "finished": "2026-11-25T20:15:09+00:00",
            "status": "complete",
            "config_digest": "9f2c4e1a7b3d5e60",
            "tool_version": "0.1.0",
            "targets": [ROOT],
        },
        "sites": [
            {
                "name": "Example Clinic",
                "root_url": ROOT,
                "pages": len(pages),
                "health_score": 57.1,
                "category_scores": {
                    "claims": 60.0,
                    "caveats": 85.7,
                    "questions": 100.0,
                    "accuracy": 85.7,
                    "seo": 57.1,
                    "crawl": 85.7,
                },
            }
        ],
        "pages": pages,
        "site_findings": site_findings,
        "questions": questions,
        "rules": RULES,
        "summary": {},
        "resolved": resolved,
        "skipped": [
            {"url": ROOT + "admin/", "reason": "Disallowed by robots.txt"},
            {"url": "https://twitter.example/clinic", "reason": "Outside the audit scope"},
        ],
    }
    doc["summary"] = summarise(doc, previous_run="20261118T070000Z-1c2d")
    return doc


def summarise(doc: dict[str, Any], previous_run: str | None) -> dict[str, Any]:
    """The summary block as the pipeline computes it: counts leave waived findings out."""
    counted_states = {"new", "persisting", "expired_waiver"}
    every = [f for p in doc["pages"] for f in p["findings"]] + doc["site_findings"]
    counted = [f for f in every if f["state"] in counted_states]
    cats = ("claims", "caveats", "questions", "accuracy", "seo", "crawl")
    return {
        "pages": len(doc["pages"]),
        "findings": len(counted),
        "by_severity": {
            s: sum(1 for f in counted if f["severity"] == s) for s in ("error", "warning", "info")
        },
        "by_category": {c: sum(1 for f in counted if f["category"] == c) for c in cats},
        "waived": sum(1 for f in every if f["state"] == "waived"),
        "health_score": doc["sites"][0]["health_score"] if doc["sites"] else None,
        "changes": {
            "previous_run": previous_run,
            "new": sum(1 for f in counted if f["state"] in ("new", "expired_waiver")),
            "persisting": sum(1 for f in counted if f["state"] == "persisting"),
            "resolved": len(doc["resolved"]),
        },
    }


def history() -> list[dict[str, Any]]:
    """Four earlier weekly runs, oldest first, as the store hands them to the renderer."""
    out = []
    for week, (health, errors, warnings, info, claims) in enumerate(
        [(40.0, 14, 20, 6, 40.0), (44.4, 12, 19, 6, 40.0), (50.0, 10, 15, 5, 50.0), (52.5, 9, 14, 5, 55.0)],
        start=1,
    ):
        run_id = f"202610{week * 7:02d}T070000Z-00{week}a"
        out.append(
            {
                "run": {
                    "id": run_id,
                    "kind": "scheduled",
                    "started": f"2026-10-{week * 7:02d}T07:00:00+00:00",
                    "finished": f"2026-10-{week * 7:02d}T07:00:09+00:00",
                    "status": "complete",
                },
                "summary": {
                    "pages": 9,
                    "findings": errors + warnings + info,
                    "health_score": health,
                    "by_severity": {"error": errors, "warning": warnings, "info": info},
                },
                "sites": [
                    {
                        "name": "Example Clinic",
                        "root_url": ROOT,
                        "pages": 9,
                        "health_score": health,
                        "category_scores": {
                            "claims": claims,
                            "caveats": 71.4,
                            "questions": 100.0,
                            "accuracy": 100.0,
                            "seo": 50.0,
                            "crawl": 85.7,
                        },
                    }
                ],
            }
        )
    return out


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "js_url": "javascript:alert(1)",
    "style_break": "</style><script>alert(2)</script>",
    "textarea": "</textarea><script>alert(3)</script>",
    "css": "</style><style>body{display:none}</style>",
    "svg": "<svg onload=alert(4)>",
    "title_break": "</title><script>alert(5)</script>",
    "comment": "--><script>alert(6)</script><!--",
    "attr": "' onmouseover='alert(7)",
}


def hostile_doc() -> dict[str, Any]:
    """A run over pages whose every field carries markup: titles, headings, text, alt text, URLs, JSON-LD."""
    doc = sample_doc()
    h = HOSTILE
    bad_url = ROOT + 'x"><script>alert(8)</script>'
    doc["sites"][0]["name"] = "Clinic " + h["script"]
    doc["run"]["targets"] = [h["js_url"]]
    for index, entry in enumerate(doc["pages"]):
        entry["title"] = f"{h['title_break']} {h['css']} page {index}"
        entry["meta_description"] = h["textarea"] + h["attr"]
        entry["site"] = doc["sites"][0]["name"]
        for f in entry["findings"]:
            f["message"] = f"{f['message']} {h['img']}"
            f["suggestion"] = f"{f['suggestion']} {h['style_break']}"
            f["details"] = {
                "alt": h["svg"],
                "link": h["js_url"],
                "json_ld": '{"@type":"<script>alert(9)</script>"}',
            }
            if f["evidence"]:
                ev = f["evidence"]
                ev["heading_path"] = [h["script"], h["comment"]]
                ev["excerpt"] = ev["excerpt"] + " " + h["svg"]
                ev["context"] = f"{h['css']} Before {h['img']} {ev['excerpt']} after {h['script']}"
                ev["start"] = ev["context"].find(ev["excerpt"])
                ev["end"] = ev["start"] + len(ev["excerpt"])
    # URLs that must never become links, and a page whose own address carries markup.
    doc["pages"][5]["url"] = h["js_url"]
    for f in doc["pages"][5]["findings"]:
        f["url"] = h["js_url"]
    doc["pages"][6]["url"] = bad_url
    doc["pages"][6]["redirects"][0]["url"] = bad_url
    doc["pages"][6]["redirects"][1]["location"] = "javascript:alert(10)"
    doc["pages"][6]["final_url"] = " JaVaScRiPt:alert(11)"
    doc["site_findings"][1]["details"] = {"target": "java\tscript:alert(12)", "status": 404}
    doc["skipped"].append({"url": "data:text/html,<script>alert(13)</script>", "reason": h["script"]})
    doc["questions"][0]["question"] = "Is it safe? " + h["script"]
    doc["questions"][0]["best"]["excerpt"] = h["img"] + " " + h["css"]
    doc["questions"][0]["best"]["quality"] = [h["textarea"]]
    doc["questions"][4]["question"] = h["title_break"]
    doc["rules"] = copy.deepcopy(doc["rules"])
    doc["rules"]["CLM001"]["rationale"] = "Rule text " + h["script"]
    doc["rules"]["SEO007"]["failure_title"] = "Missing alt " + h["img"]
    doc["resolved"][0]["url"] = h["js_url"]
    return doc

"""Nothing private is ever public (SPEC §7): crawl the whole public site of
a demo database, every page and every PDF, and look in each for every
natural person's name, ID number and phone number in the register."""
from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pdfplumber
import sqlalchemy as sa

HREF = re.compile(r'href="([^"#]+)"')


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:  # lines wrap anywhere in Chinese: join them
        return "".join((page.extract_text() or "") for page in pdf.pages)


def _private_values(db) -> set[str]:
    """Every natural person of the register: parties who are persons, legal
    representatives, agents — names, ID numbers, phone numbers."""
    from casesys.cases.models import Agent, Party
    from casesys.domain.enums import PartyKind

    values: set[str] = set()
    for kind, name, id_number, phone, representative in db.session.execute(
            sa.select(Party.kind, Party.name, Party.id_number, Party.phone, Party.legal_representative)):
        if kind == PartyKind.PERSON:
            values |= {name, id_number or "", phone}
        values.add(representative or "")
    for name, phone in db.session.execute(sa.select(Agent.name, Agent.phone)):
        values |= {name, phone}
    return {v.strip() for v in values if v and v.strip()}


def crawl(client, start: str = "/public/") -> tuple[dict[str, str], list[str]]:
    """Every public page reachable from `start`: {url: text}; and the links
    that leave /public/ (which must not show anything without login)."""
    seen, texts, outside = {start}, {}, []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.mimetype == "application/pdf":
            texts[url] = _pdf_text(response.data)
            continue
        html = response.get_data(as_text=True)
        texts[url] = html
        for href in HREF.findall(html):
            target = urljoin(url, href.replace("&amp;", "&"))
            path = urlsplit(target).path
            if path.startswith("/static/"):
                continue
            if not path.startswith("/public/"):
                outside.append(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    return texts, outside


def test_the_public_site_of_a_demo_database_shows_no_private_value(app, db, client):
    from casesys.demo.data import generate_cases
    from casesys.demo.public import publish_demo_items

    generate_cases(300, seed=7)
    shown = publish_demo_items()
    db.session.commit()
    assert shown["rulings"] >= 3 and shown["typical"] >= 1 and shown["dishonesty"] >= 1

    texts, outside = crawl(client)
    values = _private_values(db)
    leaks = [(url, value) for url, text in texts.items() for value in values if value in text]
    pdfs = [url for url in texts if url.endswith(".pdf")]
    print(f"\npublic crawl: {len(texts) - len(pdfs)} pages, {len(pdfs)} PDFs, "
          f"{len(values)} private values checked, leaks: {len(leaks)}")
    assert not leaks, leaks[:10]
    assert len(pdfs) == shown["rulings"]
    assert sum("/dishonesty/" in url for url in texts) == shown["dishonesty"]
    assert sum("/typical/" in url for url in texts) == shown["typical"]
    for target in set(outside):  # a link out of the public site shows nothing without login
        response = client.get(target)
        assert response.status_code in (302, 404), target
    # Masking is visible: a person's name appears as 某某, never in full.
    assert any("某" in text for text in texts.values())

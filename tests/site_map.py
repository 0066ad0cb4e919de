"""What a user reaches: the pages, links and forms found by following the
links from the entry pages, as that user. The fuzz test
(tests/web/test_fuzz.py) posts hostile values to every form found here."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from werkzeug.exceptions import HTTPException


@dataclass
class FormField:
    name: str
    kind: str                      # the input type, "select", "textarea" or "button"
    values: list[str] = field(default_factory=list)  # what the page offers: option values, the value shown


@dataclass
class Form:
    method: str                    # "GET" (a filter) or "POST"
    action: str                    # path and query
    endpoint: str
    fields: dict[str, FormField]
    multipart: bool = False

    @property
    def key(self) -> tuple:
        return self.method, self.action, tuple(sorted(self.fields))


class _PageParser(HTMLParser):
    """Links and forms of one page: inputs, selects, textareas and named
    buttons, also those tied to a form by `form="id"`; a button's
    `formaction` is a form of its own."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._form: dict | None = None
        self._select: FormField | None = None
        self._option: list[str] | None = None
        self._textarea: FormField | None = None
        self._orphans: list[tuple[str, FormField]] = []

    def _add(self, attrs: dict, item: FormField) -> None:
        if attrs.get("form"):
            self._orphans.append((attrs["form"], item))
        elif self._form is not None:
            existing = self._form["fields"].get(item.name)
            if existing is None:
                self._form["fields"][item.name] = item
            else:
                existing.values += item.values

    def handle_starttag(self, tag, attr_list):
        attrs = {k: (v if v is not None else "") for k, v in attr_list}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").upper(),
                          "action": urljoin(self.url, attrs.get("action") or self.url),
                          "multipart": "multipart" in attrs.get("enctype", ""), "fields": {}, "actions": []}
            self.forms.append(self._form)
            if attrs.get("id"):
                self._by_id[attrs["id"]] = self._form
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            self._add(attrs, FormField(attrs["name"], kind, [attrs.get("value", "on" if kind == "checkbox" else "")]))
        elif tag == "button":
            if self._form is not None and attrs.get("formaction"):
                self._form["actions"].append(urljoin(self.url, attrs["formaction"]))
            if attrs.get("name"):
                self._add(attrs, FormField(attrs["name"], "button", [attrs.get("value", "")]))
        elif tag == "select" and attrs.get("name"):
            self._select = FormField(attrs["name"], "select", [])
            self._add(attrs, self._select)
        elif tag == "option" and self._select is not None:
            if "value" in attrs:
                self._select.values.append(attrs["value"])
            else:
                self._option = []
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = FormField(attrs["name"], "textarea", [""])
            self._add(attrs, self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea.values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None:
            if self._select is not None:
                self._select.values.append("".join(self._option).strip())
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def close(self):
        super().close()
        for form_id, item in self._orphans:
            if form_id in self._by_id:
                self._by_id[form_id]["fields"].setdefault(item.name, item)


def match(app, url: str, method: str = "GET"):
    """(rule, view_args) of a same-site URL, or None."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        return app.url_map.bind("localhost").match(parts.path, method=method, return_rule=True)
    except HTTPException:
        return None


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class SiteMap:
    pages: dict[str, str] = field(default_factory=dict)      # url → endpoint
    forms: dict[tuple, Form] = field(default_factory=dict)
    query_names: dict[str, set[str]] = field(default_factory=dict)  # endpoint → query parameters seen in links


def explore(app, get, starts: list[str], *, per_endpoint: int = 2, skip=lambda endpoint, url: False) -> SiteMap:
    """Fetch `starts` (with `get(url)` → response), then follow same-site
    links breadth first, fetching at most `per_endpoint` more pages of each
    endpoint (other ids, other filters); collect the forms of every page.
    Downloads (not HTML) are not parsed."""
    found = SiteMap()
    fetched: dict[str, int] = {}
    queue = deque(starts)
    first = set(starts)
    seen = set(first)
    while queue:
        url = queue.popleft()
        matched = match(app, url)
        if matched is None:
            continue
        endpoint = matched[0].endpoint
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        found.query_names.setdefault(endpoint, set()).update(query)
        if url not in first and fetched.get(endpoint, 0) >= per_endpoint or skip(endpoint, url):
            continue
        response = get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        fetched[endpoint] = fetched.get(endpoint, 0) + 1
        found.pages[url] = endpoint
        parser = _PageParser("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        parser.close()
        for raw in parser.forms:
            for action in [raw["action"], *raw["actions"]]:
                target = match(app, action, raw["method"])
                if target is None:
                    continue
                form = Form(raw["method"], local(action), target[0].endpoint,
                            {name: FormField(f.name, f.kind, list(f.values)) for name, f in raw["fields"].items()},
                            raw["multipart"])
                found.forms.setdefault(form.key, form)
        for link in parser.links:
            target = local(link)
            if target not in seen and urlsplit(link).netloc in ("", "localhost"):
                seen.add(target)
                queue.append(target)
    return found

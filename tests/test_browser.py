"""The page, the widget and the editors' page in real headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright). Each test saves a screenshot under tests/artefacts/.

Without Chromium these tests fail (CI installs it), unless CATALYSE_SKIP_BROWSER_TESTS=1 says to
skip them on purpose."""
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import ARTEFACTS, EDITOR_TOKEN, SKIP_BROWSER_TESTS
from pdfgen import make_pdf

pytestmark = pytest.mark.skipif(SKIP_BROWSER_TESTS, reason="CATALYSE_SKIP_BROWSER_TESTS=1")


def test_typing_a_question_shows_results_then_groups_without_repeats(page, server):
    page.goto(server["url"] + "/")
    page.fill("#q", "Comment les entreprises s'engagent avec les associations ?")
    page.wait_for_selector(".result", timeout=20_000)
    assert page.locator(".result").count() == 10
    assert page.locator(".overview li").count() >= 3
    assert parse_qs(urlparse(page.url).query)["q"] == ["Comment les entreprises s'engagent avec les associations ?"]
    shown = set(page.eval_on_selector_all(".result", "rs => rs.map(r => r.dataset.id)"))
    assert page.locator(".group").count() >= 1
    in_groups = page.eval_on_selector_all(".group .mini", "ms => ms.length")
    assert in_groups and not shown & set(page.eval_on_selector_all(".group [data-id]", "ms => ms.map(m => m.dataset.id)"))
    summary = page.locator("#resume").inner_text()
    assert re.match(r"\d+ passages pertinents pour", summary) and " ms" not in summary   # no developer timing
    page.screenshot(path=str(ARTEFACTS / "results-grouped.png"), full_page=True)


def test_ticking_a_facet_changes_results_and_url(page, server):
    page.goto(server["url"] + "/?q=alliances+entre+acteurs")
    before = page.locator(".result").first.get_attribute("data-id")
    box = page.locator("#facets input[name=entry_point][value=outil]")
    box.check()
    page.wait_for_url(lambda url: "entry_point=outil" in url, timeout=20_000)
    expect(page.locator("#facets input[name=entry_point][value=outil]")).to_be_checked(timeout=20_000)
    assert page.locator(".result").first.get_attribute("data-id") != before
    assert set(page.eval_on_selector_all(".group", "gs => gs.map(g => g.dataset.entryPoint)")) <= {"outil"}
    page.screenshot(path=str(ARTEFACTS / "facet-ticked.png"), full_page=True)
    page.go_back()
    page.wait_for_url(lambda url: "entry_point" not in url, timeout=20_000)
    expect(page.locator("#facets input[name=entry_point][value=outil]")).not_to_be_checked(timeout=20_000)


def test_related_resources_on_demand(page, server):
    page.goto(server["url"] + "/?q=garage+solidaire")
    page.locator("details.related summary").first.click()
    page.wait_for_selector("details.related .related-list li", timeout=20_000)
    assert page.locator("details.related .related-list li").count() >= 3


def test_widget_on_another_origin_renders_related_resources(page, server, widget_origin):
    (widget_origin["folder"] / "article.html").write_text(f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Un article du réseau</title><style>li {{ color: red; font-size: 40px; }}</style></head>
<body><main><h1>Mobilité solidaire</h1><p>Dans le bassin minier, un garage solidaire aide les personnes sans emploi
à se déplacer pour aller aux entretiens d'embauche ; il crée des emplois et des lieux de rencontre.</p>
<script src="{server['url']}/widget.js" data-catalyse-related="auto" async></script></main></body></html>""",
                                                             encoding="utf-8")
    page.goto(widget_origin["url"] + "/article.html")
    page.wait_for_function("""() => { const h = document.querySelector('.catalyse-related');
        return h && h.shadowRoot && h.shadowRoot.querySelectorAll('li').length > 0; }""", timeout=30_000)
    items = page.evaluate("[...document.querySelector('.catalyse-related').shadowRoot.querySelectorAll('li')]"
                          ".map(li => [li.textContent, getComputedStyle(li).color])")
    assert len(items) == 5
    assert all(color != "rgb(255, 0, 0)" for _, color in items)          # the page's styles do not leak in
    assert "bassin minier" in items[0][0]      # the passage on the solidarity garage comes first
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") != "rgb(25, 72, 106)"
    page.screenshot(path=str(ARTEFACTS / "widget.png"), full_page=True)


def test_editor_uploads_a_pdf_found_by_search_without_restart(page, server, tmp_path):
    pdf = make_pdf(tmp_path / "fiche-vergers.pdf",
                   [["Fiche pratique : les vergers partagés de Saint-Nazaire.",
                     "Une association plante des pommiers avec les écoles et la ville ;",
                     "les habitants récoltent ensemble et pressent le jus chaque automne."]], "Vergers partagés")
    page.goto(server["url"] + "/editor")
    page.fill("#token", EDITOR_TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#editor-area:not([hidden])")
    page.set_input_files("#file", str(pdf))
    page.fill("#title", "Fiche vergers partagés")
    page.select_option("#genre", "kit")
    page.click("#upload-form button")
    page.wait_for_selector("#documents li:has-text('Fiche vergers partagés')", timeout=120_000)
    [sent] = [d for d in page.request.get(server["url"] + "/api/documents").json()["documents"]
              if d["title"] == "Fiche vergers partagés"]
    assert sent["metadata"]["genre"] == "kit" and "kind" not in sent["metadata"]    # the form says « genre »
    page.screenshot(path=str(ARTEFACTS / "editor-upload.png"), full_page=True)
    page.goto(server["url"] + "/?q=vergers+partagés+pommiers")
    page.wait_for_selector(".result")
    assert "Fiche vergers partagés" in page.locator(".result").first.inner_text()
    page.screenshot(path=str(ARTEFACTS / "editor-upload-found.png"), full_page=True)


def test_editor_page_shows_an_uploads_progress_and_its_slide_in_results(page, server):
    """A scanned PDF's OCR takes a few seconds: long enough to see the job's bar; then a deck's
    passage is cited by its slide."""
    import httpx

    from conftest import AUTH, wait_for_job

    publications = Path(__file__).parent / "data" / "publications"
    page.goto(server["url"] + "/editor")
    page.fill("#token", EDITOR_TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#editor-area:not([hidden])")
    try:
        page.set_input_files("#file", str(publications / "actes-page-scannee.pdf"))
        page.click("#upload-form button")
        bar = page.wait_for_selector("#jobs li progress", timeout=60_000)
        assert "documents" in bar.evaluate("b => b.parentElement.textContent")
        page.screenshot(path=str(ARTEFACTS / "editor-progress.png"), full_page=True)
        page.wait_for_selector("#documents li:has-text('actes-page-scannee')", timeout=120_000)
        page.set_input_files("#file", str(publications / "presentation-metiers.pptx"))
        page.click("#upload-form button")
        page.wait_for_selector("#documents li:has-text('presentation-metiers')", timeout=120_000)
        page.goto(server["url"] + "/?q=Notre+premier+public,+ce+sont+les+jeunes&doc=presentation-metiers")
        link = page.locator(".result .meta a").first
        expect(link).to_contain_text("diapositive 5")
        assert link.get_attribute("href").endswith("presentation-metiers.pptx#slide=5")
        page.screenshot(path=str(ARTEFACTS / "slide-result.png"), full_page=True)
    finally:       # the index as the other tests expect it
        with httpx.Client(base_url=server["url"], timeout=120) as client:
            for doc_id in ("actes-page-scannee", "presentation-metiers"):
                removal = client.delete(f"/api/documents/{doc_id}", headers=AUTH)
                if removal.status_code == 202:
                    wait_for_job(client, removal.json())


def test_editor_page_shows_what_readers_did_not_find(page, server):
    """Readers' traffic, then the editor page: the nonsense questions in the unanswered table, the
    answered one only among the frequent ones; typing on the page is not logged."""
    import httpx

    with httpx.Client(base_url=server["url"], timeout=120) as client:
        for q in ("xkcd qwop wubba lubba", "zzqx blorf vrump", "zzqx blorf vrump"):
            assert client.get("/api/search", params={"q": q}).json()["total"] == 0
        assert client.get("/api/search", params={"q": "les 7 leviers de la co-construction"}).json()["total"] > 0
    page.goto(server["url"] + "/")
    with page.expect_response(lambda r: "fragment=results" in r.url and "blorfquokka" in r.url, timeout=20_000):
        page.fill("#q", "blorfquokka tapé")               # as-you-type: answered, not logged
    page.goto(server["url"] + "/editor")
    page.fill("#token", EDITOR_TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#unanswered tbody tr", timeout=20_000)
    unanswered = page.locator("#unanswered tbody").inner_text()
    assert "zzqx blorf vrump" in unanswered and "xkcd qwop wubba lubba" in unanswered
    assert "leviers de la co-construction" not in unanswered and "blorfquokka" not in unanswered
    expect(page.locator("#frequent tbody")).to_contain_text("les 7 leviers de la co-construction")
    with page.expect_download() as download:
        page.click("#questions-csv")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "question,fois,sans_reponse,premier_jour,dernier_jour"
    assert any(line.startswith("zzqx blorf vrump,") for line in lines)
    page.screenshot(path=str(ARTEFACTS / "editor-questions.png"), full_page=True)


def _contrast(page, selector: str) -> list[dict]:
    """WCAG 2.1 contrast of each element's text colour on its background, computed in the browser."""
    return page.eval_on_selector_all(selector, """els => els.map(el => {
        const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
            .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
            .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
        const style = getComputedStyle(el);
        const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
        return {sdg: el.dataset.sdg, name: el.querySelector('.odd-name').textContent.trim(),
                count: Number(el.dataset.count), link: el.tagName === 'A',
                background: style.backgroundColor, ratio: (a + 0.05) / (b + 0.05)};
    })""")


def _tags_counted(base_url: str) -> dict[str, dict[str, int]]:
    """For every value of each taxonomy, the passages that carry it, counted from the editors' list of
    every publication's passages and their tags (not from the facet counts the page shows)."""
    from collections import Counter

    import httpx

    from conftest import AUTH

    counts = {key: Counter() for key in ("sdg", "levers", "trades", "entry_point")}
    with httpx.Client(base_url=base_url, timeout=120) as client:
        for doc in client.get("/api/documents").json()["documents"]:
            listed = client.get(f"/api/documents/{doc['id']}/passages", headers=AUTH)
            assert listed.status_code == 200, listed.text
            for p in listed.json()["passages"]:
                for key in ("sdg", "levers", "trades"):
                    counts[key].update(str(label["id"]) for label in p[key])
                if p["entry_point"]:
                    counts["entry_point"][str(p["entry_point"]["id"])] += 1
    return counts


def _home_lists(page) -> dict[str, list[dict]]:
    """The home page's lists of levers, trades and entry points: each value, its label, its count, a link or not."""
    return {key: page.eval_on_selector_all(f".home-grid section[data-facet={key}] li", """ls => ls.map(l => ({
                id: l.dataset.value, count: l.querySelector('.count').textContent.trim(),
                label: l.firstChild.textContent.trim(), link: !!l.querySelector('a')}))""")
            for key in ("levers", "trades", "entry_point")}


def _check_home_lists(page, counted: dict) -> None:
    """Every value of each taxonomy in its order, even at 0, with its label and the count of its passages;
    a link only when it has some."""
    from ingest.taxonomy import taxonomy

    for key, name in (("levers", "levers"), ("trades", "trades"), ("entry_point", "entry_points")):
        listed = _home_lists(page)[key]
        terms = taxonomy()[name]
        assert [v["id"] for v in listed] == [str(t.id) for t in terms], key
        assert [v["label"] for v in listed] == [t.label for t in terms], key
        expected = [counted[key].get(str(t.id), 0) for t in terms]
        assert [v["count"] for v in listed] == [f"{n} passage{'s' if n > 1 else ''}" for n in expected], key
        assert [v["link"] for v in listed] == [n > 0 for n in expected], key


def test_home_page_shows_the_sdg_picture(page, server):
    """17 tiles, each with its number and official short name visible, in the official colour at
    full strength, the text readable on it (WCAG AA: 4.5:1, computed here), each with the count of its
    passages; all seven levers, every trade and every entry point, with their counts (those of the
    passages' own tags). Tiles and values at 0: test_a_home_page_with_values_at_0_links_none."""
    from ingest.taxonomy import sdg_goals

    page.goto(server["url"] + "/")
    tiles = _contrast(page, ".odd-tile")
    assert [t["sdg"] for t in tiles] == [str(n) for n in range(1, 18)]
    assert [t["name"] for t in tiles] == [g.short for g in sdg_goals()]
    assert tiles[7]["name"] == "Travail décent et croissance économique"
    assert tiles[0]["background"] == "rgb(229, 36, 59)" and tiles[16]["background"] == "rgb(25, 72, 106)"
    assert all(t["ratio"] >= 4.5 for t in tiles), [(t["sdg"], round(t["ratio"], 2)) for t in tiles if t["ratio"] < 4.5]
    assert all(t["link"] == (t["count"] > 0) for t in tiles)
    assert tiles[16]["count"] > 0
    expect(page.locator(".odd-picture .legend")).to_be_visible()
    counted = _tags_counted(server["url"])
    assert [t["count"] for t in tiles] == [counted["sdg"].get(str(n), 0) for n in range(1, 18)]
    _check_home_lists(page, counted)
    assert "Qualifier son innovation" in page.locator(".home-grid section[data-facet=levers]").inner_text()
    assert not re.search(r"\b1 passages\b", page.locator("main").inner_text())
    page.screenshot(path=str(ARTEFACTS / "home-sdg.png"), full_page=True)


@pytest.fixture(scope="module")
def small_server(embedder, settings, tmp_path_factory):
    """A second real service whose corpus is one short kit on a youth-run tiers-lieu: most ODD, levers
    and trades have no passage there (in the bundled corpus every ODD has some)."""
    from api.context import Context
    from api.service import Service, ServiceConfig
    from conftest import KIT_TEXT, serving
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("small")
    (root / "corpus").mkdir()
    (root / "corpus" / "kit-tiers-lieux.md").write_text(KIT_TEXT, encoding="utf-8")
    served = Settings(data_dir=root / "data", corpus_dir=root / "corpus", model=settings.model,
                      model_cache=settings.model_cache)
    service = Service(Context(served, embedder=embedder), ServiceConfig(editor_token=EDITOR_TOKEN))
    with serving(service, wait=300) as base:         # it indexes its kit first
        yield {"url": base, "service": service}


def test_a_home_page_with_values_at_0_links_none(page, small_server):
    """A tile at 0 passages is there, in its colour, readable, but not a link and shown disabled
    (aria-disabled, dashed border, « not-allowed » cursor): a click goes nowhere. Levers, trades and
    entry points at 0 are listed too, not as links."""
    page.goto(small_server["url"] + "/")
    tiles = _contrast(page, ".odd-tile")
    assert [t["sdg"] for t in tiles] == [str(n) for n in range(1, 18)]
    counted = _tags_counted(small_server["url"])
    assert [t["count"] for t in tiles] == [counted["sdg"].get(str(n), 0) for n in range(1, 18)]
    empty = [t for t in tiles if t["count"] == 0]
    assert empty, tiles                                  # the kit does not speak of all 17
    assert all(t["link"] == (t["count"] > 0) for t in tiles)
    assert all(t["ratio"] >= 4.5 for t in empty), [(t["sdg"], round(t["ratio"], 2)) for t in empty]
    tile = page.locator(f".odd-tile[data-sdg='{empty[0]['sdg']}']")
    expect(tile).to_have_attribute("aria-disabled", "true")
    expect(tile.locator(".odd-count")).to_have_text("0 passage")
    assert tile.evaluate("e => e.closest('a') === null && !e.querySelector('a') && !e.hasAttribute('href')")
    assert tile.evaluate("e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).cursor]") == ["dashed", "not-allowed"]
    assert tile.evaluate("e => getComputedStyle(e).backgroundColor") == empty[0]["background"] != "rgba(0, 0, 0, 0)"
    before = page.url
    tile.click()
    page.wait_for_timeout(500)
    assert page.url == before
    _check_home_lists(page, counted)
    assert any(not v["link"] for v in _home_lists(page)["levers"])      # a lever at 0, listed
    page.screenshot(path=str(ARTEFACTS / "home-sdg-empty.png"), full_page=True)


def test_a_deep_section_shows_its_innermost_heading_and_the_full_path_on_demand(page, server):
    """A result whose section has several levels shows only the innermost heading; the whole path,
    as the API gives it, appears once the summary is opened. A one-level section is shown as it is."""
    import httpx

    page.goto(server["url"] + "/?q=fracture+numérique")
    sections = {r["id"]: r["section"] for r in httpx.get(server["url"] + "/api/search", timeout=120,
                                                          params={"q": "fracture numérique", "k": 20}).json()["results"]}
    results = page.locator(".result")
    deep = [i for i in range(results.count()) if len(sections[results.nth(i).get_attribute("data-id")].split(" › ")) >= 3]
    flat = [i for i in range(results.count()) if " › " not in sections[results.nth(i).get_attribute("data-id")]]
    assert deep and flat
    result = results.nth(deep[0])
    path = sections[result.get_attribute("data-id")]
    crumb = result.locator("details.section")
    expect(crumb.locator("summary")).to_have_text(path.split(" › ")[-1])
    expect(crumb.locator("p")).to_be_hidden()
    assert " › " not in result.inner_text() and path.split(" › ")[0] not in result.inner_text()
    page.screenshot(path=str(ARTEFACTS / "section-short.png"))
    crumb.locator("summary").click()
    expect(crumb.locator("p")).to_be_visible()
    expect(crumb.locator("p")).to_have_text(path)
    result.screenshot(path=str(ARTEFACTS / "section-opened.png"))
    one = results.nth(flat[0])
    assert one.locator("details.section").count() == 0
    expect(one.locator("p.section")).to_have_text(sections[one.get_attribute("data-id")])


def test_page_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(server["url"] + "/?q=tiers-lieu+Orléans&entry_point=temoignage")
    assert pg.locator(".result").count() > 0
    assert pg.locator("#facets input[value=temoignage]").is_checked()
    pg.screenshot(path=str(ARTEFACTS / "no-javascript.png"))
    context.close()


def test_phone_layout(browser, server):
    """390×844: no sideways scroll, the first result on the first screen, the filters behind a
    « Filtres » button that opens them over the results."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="fr-FR")
    pg = context.new_page()
    pg.goto(server["url"] + "/?q=alliances")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    widest = pg.evaluate("Math.max(...[...document.querySelectorAll('.overview, .result')]"
                         ".map(e => e.getBoundingClientRect().right))")
    assert widest <= 390
    first = pg.locator(".result").first.bounding_box()
    assert first["y"] + 60 < 844, first          # the first result starts on the first screen
    expect(pg.locator("#filtres")).to_be_hidden()
    pg.screenshot(path=str(ARTEFACTS / "phone.png"))
    button = pg.locator("[data-open-filters]")
    expect(button).to_be_visible()
    button.click()
    expect(pg.locator("#filtres")).to_be_visible()
    box = pg.locator("#facets input[name=entry_point]:not([disabled])").first
    value = box.get_attribute("value")
    box.check()
    pg.wait_for_url(lambda url: f"entry_point={value}" in url, timeout=20_000)
    expect(pg.locator("#filtres")).to_be_visible()          # still open over the results after the update
    pg.screenshot(path=str(ARTEFACTS / "phone-filters.png"))
    pg.locator("[data-close-filters]").click()
    expect(pg.locator("#filtres")).to_be_hidden()
    expect(pg.locator("[data-open-filters]")).to_contain_text("(1)")
    context.close()


def _count(text: str) -> int:
    return int(re.match(r"\d+", text.strip()).group())


def _total_is(n: int) -> re.Pattern:
    """The summary's total, exactly: « 5 passages » is not « 15 passages » nor « 5 000 passages »."""
    return re.compile(rf"^\s*{n} passages? pertinents? pour ")


def test_two_values_of_one_facet_combine_and_the_count_shown_is_the_total(page, server):
    """OR within a facet: ticking a second value adds its passages, and the count it showed before
    the click is the total after it; the values keep their order; the keyboard focus stays on the box."""
    page.goto(server["url"] + "/?q=alliances+entre+acteurs")
    group = "#facets fieldset[data-facet=entry_point]"
    order = page.eval_on_selector_all(group + " input", "bs => bs.map(b => b.value)")
    boxes = page.locator(group + " input:not([disabled])")
    assert boxes.count() >= 2
    first = boxes.nth(0).get_attribute("value")
    shown = _count(page.locator(f"{group} input[value={first}] ~ .count").inner_text())
    page.locator(f"{group} input[value={first}]").focus()
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: f"entry_point={first}" in url, timeout=20_000)
    expect(page.locator("#resume")).to_have_text(_total_is(shown), timeout=20_000)
    assert page.evaluate("document.activeElement.value") == first      # focus kept on the control
    page.keyboard.press("Tab")                                         # the next value of the group
    second = page.evaluate("document.activeElement.value")
    assert second in order and second != first
    shown_second = _count(page.locator(f"{group} input[value={second}] ~ .count").inner_text())
    assert shown_second > shown               # OR within a facet: a second value adds passages
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: f"entry_point={second}" in url and f"entry_point={first}" in url, timeout=20_000)
    expect(page.locator("#resume")).to_have_text(_total_is(shown_second), timeout=20_000)
    assert page.evaluate("document.activeElement.value") == second
    assert page.locator(f"{group} input[value={first}]").is_checked()
    assert page.locator(f"{group} input[value={second}]").is_checked()
    assert page.eval_on_selector_all(group + " input", "bs => bs.map(b => b.value)") == order
    page.screenshot(path=str(ARTEFACTS / "facets-combined.png"), full_page=True)
    # a pill removes its filter; « Tout effacer » removes them all and keeps the question
    expect(page.locator(".pill")).to_have_count(2)
    page.locator(".pill").first.click()
    page.wait_for_url(lambda url: f"entry_point={first}" not in url, timeout=20_000)
    expect(page.locator(".pill")).to_have_count(1)
    page.locator(".clear-all").click()
    page.wait_for_url(lambda url: "entry_point" not in url and "q=alliances" in url, timeout=20_000)
    expect(page.locator(".pill")).to_have_count(0)
    assert page.locator(".result").count() == 10


def test_a_filter_with_nothing_left_keeps_the_filters_removable(page, server):
    page.goto(server["url"] + "/?q=alliances&entry_point=temoignage&page_min=100000")
    expect(page.locator(".nothing")).to_be_visible()
    assert page.locator(".result").count() == 0
    expect(page.locator(".pill")).to_have_count(2)
    expect(page.locator("#filtres")).to_be_visible()
    # a value that would give nothing is shown, disabled, not a dead end
    assert page.locator("#facets input[disabled]").count() > 0
    page.screenshot(path=str(ARTEFACTS / "no-result-filters.png"), full_page=True)
    page.locator(".pill", has_text="page").click()
    page.wait_for_url(lambda url: "page_min" not in url, timeout=20_000)
    expect(page.locator(".result").first).to_be_visible(timeout=20_000)
    expect(page.locator(".pill")).to_have_count(1)


def test_more_results_loads_the_next_ones_and_the_url_keeps_the_page(page, server):
    page.goto(server["url"] + "/?q=alliances")
    assert page.locator(".result").count() == 10
    first_ten = page.eval_on_selector_all(".result", "rs => rs.map(r => r.dataset.id)")
    page.locator("a[data-more]").click()
    page.wait_for_url(lambda url: "page=2" in url, timeout=20_000)
    expect(page.locator(".result")).to_have_count(20, timeout=20_000)
    ids = page.eval_on_selector_all(".result", "rs => rs.map(r => r.dataset.id)")
    assert ids[:10] == first_ten and len(set(ids)) == 20
    assert page.evaluate("document.activeElement.id") == "r11"          # the reader goes on where the new ones start
    page.reload()
    expect(page.locator(".result")).to_have_count(20)
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url, timeout=20_000)
    expect(page.locator(".result")).to_have_count(10, timeout=20_000)


def test_history_one_entry_per_question_and_back_to_the_home_page(page, server):
    page.goto(server["url"] + "/")
    start = page.evaluate("history.length")
    page.locator("#q").press_sequentially("fracture numérique", delay=60)
    page.wait_for_url(lambda url: "q=fracture+num%C3%A9rique" in url, timeout=20_000)
    expect(page.locator("#resume")).to_contain_text("« fracture numérique »", timeout=20_000)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.evaluate("history.length") == start + 1          # typing refined one entry; Enter added none
    page.go_back()
    page.wait_for_url(lambda url: urlparse(url).query == "", timeout=20_000)
    expect(page.locator(".odd-grid")).to_be_visible(timeout=20_000)
    assert page.locator("#q").input_value() == ""
    page.go_forward()
    expect(page.locator("#resume")).to_contain_text("« fracture numérique »", timeout=20_000)
    assert page.locator("#q").input_value() == "fracture numérique"


def test_a_late_answer_for_an_older_text_is_discarded(page, server):
    """The answer for « fracture numér » arrives after the one for « fracture numérique »: the page
    keeps the newer; while a search runs the page says so."""
    held = []

    def hold_the_prefix(route):
        if "q=fracture+num%C3%A9r&" in route.request.url:
            held.append(route)        # answered only once the newer text's answer is shown
        else:
            route.continue_()

    page.goto(server["url"] + "/")
    page.route(lambda url: "fragment=results" in url, hold_the_prefix)
    page.locator("#q").fill("fracture numér")
    expect(page.locator("#loading")).to_contain_text("Recherche en cours", timeout=5_000)
    page.wait_for_timeout(600)          # the prefix's request is on its way, held
    assert held
    page.locator("#q").fill("fracture numérique")
    expect(page.locator("#resume")).to_contain_text("« fracture numérique »", timeout=20_000)
    try:
        held[0].continue_()             # the late answer for the older text
    except Exception:                   # noqa: BLE001 — the page gave up that request already: discarded too
        pass
    page.wait_for_timeout(1_500)
    expect(page.locator("#resume")).to_contain_text("« fracture numérique »")
    assert "q=fracture+num%C3%A9rique" in page.url
    assert "Recherche en cours" not in page.locator("#loading").inner_text()


def test_the_skip_link_reaches_the_results_in_three_tab_stops(page, server):
    page.goto(server["url"] + "/?q=alliances")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller aux résultats"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.result') && document.activeElement.closest('.result').id") == "r1"


def test_widget_on_a_site_not_allowed_links_to_catalyse(page, server):
    """An origin the service does not allow (CORS) gets a link to the search page instead of a dead end."""
    import http.server
    import tempfile
    import threading

    from conftest import _free_port

    folder = Path(tempfile.mkdtemp())
    (folder / "article.html").write_text(f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Un site pas encore autorisé</title></head><body><main><h1>Garage solidaire</h1><p>Un garage solidaire aide à se déplacer.</p>
<script src="{server['url']}/widget.js" data-catalyse-related="auto" async></script></main></body></html>""",
                                         encoding="utf-8")
    port = _free_port()
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{port}/article.html")
        page.wait_for_function("""() => { const h = document.querySelector('.catalyse-related');
            return h && h.shadowRoot && h.shadowRoot.querySelector('a'); }""", timeout=30_000)
        link = page.evaluate("(() => { const a = document.querySelector('.catalyse-related').shadowRoot.querySelector('a');"
                             " return [a.textContent, a.href]; })()")
        assert link[0] == "Voir les ressources sur Catalyse"
        assert link[1] == server["url"] + "/?q=Garage%20solidaire"
        page.screenshot(path=str(ARTEFACTS / "widget-not-allowed.png"), full_page=True)
    finally:
        httpd.shutdown()


def test_the_dossier_keeps_passages_and_exports_them_with_their_citations(page, server, tmp_path, browser):
    """« Ajouter au dossier » on two results; the dossier reorders them, keeps a note, exports a
    Word file that python-docx reads back with the passages and their page citations, and a link
    that reopens the same dossier elsewhere."""
    from docx import Document

    page.goto(server["url"] + "/?q=garage+solidaire")
    results = page.locator(".result")
    ids = [results.nth(i).get_attribute("data-id") for i in (0, 1)]
    for i in (0, 1):
        results.nth(i).locator("[data-dossier-add]").click()
    expect(results.nth(0).locator("[data-dossier-add]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-dossier-count]")).to_have_text("Mon dossier (2)")
    cited = [results.nth(i).locator(".meta a").first.inner_text() for i in (0, 1)]
    page.goto(server["url"] + "/dossier")
    items = page.locator("#dossier-list > li")
    expect(items).to_have_count(2, timeout=20_000)
    assert [items.nth(i).get_attribute("data-id") for i in (0, 1)] == ids
    items.nth(1).locator("[data-move='-1']").click()                # the second first
    items.nth(0).locator("[data-note]").fill("À montrer au comité de pilotage")
    assert [items.nth(i).get_attribute("data-id") for i in (0, 1)] == ids[::-1]
    page.screenshot(path=str(ARTEFACTS / "dossier.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("[data-export=docx]").click()
    path = tmp_path / "dossier.docx"
    download.value.save_as(path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    pages = [re.search(r"p\. \d+(–\d+)?", c).group() for c in cited]
    headings = [p.text for p in Document(str(path)).paragraphs if p.style.name == "Heading 1"]
    assert headings[0].startswith("1. ") and pages[1] in headings[0]        # in the reader's order
    assert headings[1].startswith("2. ") and pages[0] in headings[1]
    assert "À montrer au comité de pilotage" in text and "Bibliographie" in text
    # the dossier survives a reload (kept in the browser) and its link reopens it elsewhere
    page.reload()
    expect(page.locator("#dossier-list > li")).to_have_count(2, timeout=20_000)
    share = page.locator("#share").input_value()
    other = browser.new_context()
    elsewhere = other.new_page()
    elsewhere.goto(share)
    assert elsewhere.eval_on_selector_all("#dossier-list > li", "ls => ls.map(l => l.dataset.id)") == ids[::-1]
    assert elsewhere.locator("[data-note]").first.input_value() == "À montrer au comité de pilotage"
    other.close()


@pytest.mark.parametrize("path", ["/", "/?q=fracture+numérique", "/?q=alliances+entre+associations+et+entreprises",
                                  "/?q=alliances&entry_point=temoignage&page_min=100000", "/editor", "/editor#connecté",
                                  "/dossier", "/acteurs"])
def test_no_accessibility_violation(page, server, path):
    """axe-core (run in the page) finds no violation at any impact, minor to critical (docs/accessibility.md);
    « /editor#connecté » is the editors' page once the token is given."""
    from axe_playwright_python.sync_playwright import Axe

    page.goto(server["url"] + path)
    page.wait_for_load_state("networkidle")
    if path.endswith("#connecté"):
        page.fill("#token", EDITOR_TOKEN)
        page.click("#token-form button")
        page.wait_for_selector("#editor-area:not([hidden])")
        page.wait_for_selector("#frequent tbody tr", timeout=20_000)
    found = Axe().run(page).response["violations"]
    assert not found, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def test_the_api_documentation_reads_offline_under_the_csp(page, server):
    """/docs is rendered by the service itself: no request leaves the machine, nothing is blocked."""
    outside, blocked = [], []
    page.on("request", lambda r: None if r.url.startswith(server["url"]) else outside.append(r.url))
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server["url"] + "/docs")
    expect(page.locator("h1")).to_contain_text("API de Catalyse")
    assert page.locator("section.operation").count() >= 10
    expect(page.locator("#contenu")).to_contain_text("/api/search")
    page.screenshot(path=str(ARTEFACTS / "api-docs.png"), full_page=False)
    assert not outside and not blocked, (outside, blocked)


def test_directory_of_actors_finds_a_name_and_opens_its_passages(page, server):
    """« Qui fait quoi », from the search page's header: search a name, follow the actor to its passages."""
    page.goto(server["url"] + "/")
    page.click("header a[href='/acteurs']")
    page.wait_for_url(lambda url: urlparse(url).path == "/acteurs", timeout=20_000)
    assert page.locator(".actor").count() == 20            # the first page of the directory
    page.fill("#actor-q", "fondation de france")
    page.click("#actors-search button[type=submit]")
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("q") == ["fondation de france"], timeout=20_000)
    first = page.locator(".actor-name").first
    expect(first).to_have_text("Fondation de France")
    page.screenshot(path=str(ARTEFACTS / "actors-search.png"), full_page=True)
    first.click()
    page.wait_for_url(lambda url: "/acteurs/organisation-fondation-de-france" in url, timeout=20_000)
    mentions = page.locator(".mention")
    assert mentions.count() >= 3
    link = mentions.first.locator(".meta a").first
    assert "#page=" in link.get_attribute("href") and link.inner_text().startswith("p. ")
    assert page.locator("a[href='/acteurs/personne-axelle-davezac']").count() >= 1   # its people
    page.screenshot(path=str(ARTEFACTS / "actor-passages.png"), full_page=True)

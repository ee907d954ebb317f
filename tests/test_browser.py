"""The page, the widget and the editors' page in real headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright). Each test saves a screenshot under tests/artefacts/.

Without Chromium these tests fail (CI installs it), unless CATALYSE_SKIP_BROWSER_TESTS=1 says to
skip them on purpose."""
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import EDITOR_TOKEN
from pdfgen import make_pdf

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parent / "artefacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

SKIP = os.environ.get("CATALYSE_SKIP_BROWSER_TESTS") == "1"

pytestmark = pytest.mark.skipif(SKIP, reason="CATALYSE_SKIP_BROWSER_TESTS=1")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): `apt-get install chromium`, "
                    "or set CATALYSE_SKIP_BROWSER_TESTS=1 to skip the browser tests on purpose")

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors


def test_typing_a_question_shows_grouped_results(page, server):
    page.goto(server["url"] + "/")
    page.fill("#q", "Comment les entreprises s'engagent avec les associations ?")
    page.wait_for_selector(".group", timeout=20_000)
    groups = page.locator(".group")
    assert groups.count() >= 3
    assert page.locator(".result").count() == 10
    assert page.locator(".overview li").count() >= 3
    assert parse_qs(urlparse(page.url).query)["q"] == ["Comment les entreprises s'engagent avec les associations ?"]
    page.screenshot(path=str(ARTEFACTS / "results-grouped.png"), full_page=True)


def test_ticking_a_facet_changes_results_and_url(page, server):
    page.goto(server["url"] + "/?q=alliances+entre+acteurs")
    before = page.locator(".result").first.get_attribute("data-id")
    box = page.locator("#facets input[name=entry_point][value=outil]")
    box.check()
    page.wait_for_url(lambda url: "entry_point=outil" in url, timeout=20_000)
    expect(page.locator(".group")).to_have_count(1, timeout=20_000)
    assert page.locator("#facets input[name=entry_point][value=outil]").is_checked()
    assert page.locator(".result").first.get_attribute("data-id") != before
    assert page.locator(".group").get_attribute("data-entry-point") == "outil"
    page.screenshot(path=str(ARTEFACTS / "facet-ticked.png"), full_page=True)
    page.go_back()
    page.wait_for_url(lambda url: "entry_point" not in url, timeout=20_000)
    expect(page.locator("#facets input[name=entry_point][value=outil]")).not_to_be_checked(timeout=20_000)
    assert page.locator(".group").count() > 1


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
    page.click("#upload-form button")
    page.wait_for_selector("#documents li:has-text('Fiche vergers partagés')", timeout=120_000)
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


def test_home_page_shows_the_sdg_picture(page, server):
    page.goto(server["url"] + "/")
    tiles = page.locator("svg .odd-tile")
    assert tiles.count() == 17
    colours = page.evaluate("[...document.querySelectorAll('svg .odd-tile rect')].map(r => r.getAttribute('fill'))")
    assert colours[0] == "#E5243B" and colours[16] == "#19486A"
    assert int(page.locator("svg .odd-tile[data-sdg='17']").get_attribute("data-count")) > 0
    page.screenshot(path=str(ARTEFACTS / "home-sdg.png"), full_page=True)


def test_page_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(server["url"] + "/?q=tiers-lieu+Orléans&entry_point=temoignage")
    assert pg.locator(".result").count() > 0
    assert pg.locator("#facets input[value=temoignage]").is_checked()
    pg.screenshot(path=str(ARTEFACTS / "no-javascript.png"))
    context.close()


def test_phone_layout(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.goto(server["url"] + "/?q=alliances")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    widest = pg.evaluate("Math.max(...[...document.querySelectorAll('.overview, .result')]"
                         ".map(e => e.getBoundingClientRect().right))")
    assert widest <= 390
    pg.screenshot(path=str(ARTEFACTS / "phone.png"))
    context.close()


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

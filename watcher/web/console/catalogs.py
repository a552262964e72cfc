"""Keeps the console's gettext catalogs current (a developer's tool; needs babel, a dev extra):

    python -m watcher.web.console.catalogs      # extract, merge into each .po, compile each .mo

Message ids are the English text in the templates and in `_()`, `gettext()` and `N_()` calls.
New ids arrive in each .po untranslated; translate them in zh_CN/console.po and run it again.
The tests check that every id has a Chinese translation and that each .mo matches its .po.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from watcher.web.console.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).parent
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                 "lstrip_blocks": "true", "newstyle_gettext": "true"}


def extract() -> Any:
    """Every message of the console's templates and Python modules, as a babel Catalog."""
    from babel.messages.catalog import Catalog  # babel: a dev dependency, for this tool only
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="watcher", domain=DOMAIN)
    method_map = [("templates/**.html", "jinja2.ext:babel_extract"), ("*.py", "python")]
    options = {"templates/**.html": JINJA_OPTIONS}
    for filename, line, message, comments, context in extract_from_dir(
            PACKAGE, method_map, options_map=options, keywords={"N_": None, "_": None,
                                                                "gettext": None}):
        catalog.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_po(language: str) -> Any:
    from babel.messages.pofile import read_po as read  # babel: dev only (see above)

    with po_path(language).open("rb") as file:
        return read(file, locale=language)


def mo_bytes(catalog: Any) -> bytes:
    from babel.messages.mofile import write_mo  # babel: dev only (see above)

    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def update() -> None:
    from babel.messages.pofile import write_po  # babel: dev only (see above)

    template = extract()
    for language in LANGUAGES:
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read_po(language)
        else:
            from babel.messages.catalog import Catalog  # babel: dev only (see above)

            catalog = Catalog(locale=language, domain=DOMAIN, project="watcher")
        template.creation_date = catalog.creation_date  # a date that changes on every run
        catalog.update(template, no_fuzzy_matching=True)  # would only make the diff noisy
        catalog.obsolete.clear()
        catalog.fuzzy = False
        with path.open("wb") as file:
            write_po(file, catalog, width=100, omit_header=False, sort_output=False)
        path.with_suffix(".mo").write_bytes(mo_bytes(catalog))


if __name__ == "__main__":
    update()

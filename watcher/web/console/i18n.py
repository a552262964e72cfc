"""The console's languages: gettext catalogs (locale/LANG/LC_MESSAGES/console.mo) read with the
standard library. Message ids are English; zh_CN is the default language.

Names the store keeps as codes (statuses, actions, levels, categories, risks) are listed here,
marked with N_ so the catalog tool extracts them, and translated where they are shown.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
DOMAIN = "console"
LOCALE_DIR = Path(__file__).parent / "locale"
LANG_COOKIE = "watcher_lang"


def N_(message: str) -> str:  # the name gettext tools look for
    """Marks a message for extraction; it is translated where it is shown."""
    return message


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES:
        raise ValueError(language)
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def choose(query: str | None, cookie: str | None, default: str) -> str:
    """The language asked for in the query, else remembered in the cookie, else the default."""
    for wanted in (query, cookie):
        if wanted in LANGUAGES:
            return wanted
    return default


STATUSES = {
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "reopened": N_("Reopened"),
    "false_positive": N_("Not a complaint"),
}
# What each event in a ticket's history is called; the buttons have their own, shorter words.
EVENTS = {
    "created": N_("Created"),
    "ack": N_("Acknowledged"),
    "note": N_("Note"),
    "assign": N_("Assigned"),
    "resolve": N_("Resolved"),
    "close": N_("Closed"),
    "reopen": N_("Reopened"),
    "repeat": N_("Repeat complaint"),
    "reach": N_("Spreading widely: raised"),
    "correct": N_("Scorer corrected"),
    "incident": N_("Joined an incident"),
    "reminded": N_("Overdue reminder sent"),
    "escalated": N_("Escalated to the supervisor"),
    "progress_reminder": N_("Progress reminder sent"),
    "followup": N_("Follow-up recorded"),
    "followup_reminded": N_("Follow-up reminder sent"),
    "followup_escalated": N_("Follow-up escalated to the supervisor"),
}
BUTTONS = {
    "ack": N_("Acknowledge"),
    "note": N_("Add note"),
    "assign": N_("Assign"),
    "resolve": N_("Resolve"),
    "close": N_("Close ticket"),
    "reopen": N_("Reopen ticket"),
    "followup": N_("Record follow-up"),
    "correct": N_("Correct the scorer"),
}
FOLLOWUP_STATES = {
    "none": N_("None"),
    "pending": N_("Due"),
    "overdue": N_("Overdue"),
    "satisfied": N_("Satisfied"),
    "unsatisfied": N_("Dissatisfied"),
    "cancelled": N_("Cancelled"),
}
LEVELS = {1: N_("Red"), 2: N_("Orange"), 3: N_("Yellow"), 4: N_("Green")}
CATEGORIES = {
    "product_quality": N_("Product quality"),
    "product_function": N_("Product function"),
    "service": N_("Service experience"),
    "logistics": N_("Logistics"),
    "after_sales": N_("After-sales"),
    "price": N_("Price and fees"),
    "inquiry": N_("Inquiry"),
    "suggestion": N_("Suggestion"),
    "other": N_("Other"),
}
# The owning departments the scorer names (watcher.scoring.CATEGORIES), for the page.
DEPARTMENTS = {
    "Quality": N_("Quality and tech"),
    "Tech": N_("Tech and product"),
    "Customer Service": N_("Customer service"),
    "Operations": N_("Operations"),
    "After-sales": N_("After-sales service"),
    "Billing": N_("Billing"),
    "Front-line": N_("Front-line service"),
    "Product": N_("Product"),
}
RISKS = {
    "safety": N_("Safety"),
    "money": N_("Money or account"),
    "regulator": N_("Regulator"),
    "media": N_("Media"),
    "legal": N_("Lawyer or court"),
    "complaint_platform": N_("Complaint platform"),
    "deadline": N_("Explicit deadline"),
    "repeat": N_("Repeat"),
    "group": N_("Group complaint"),
    "reach": N_("Wide reach"),
}
ROLES = {"viewer": N_("Viewer"), "staff": N_("Staff"), "admin": N_("Admin")}

"""The words of the safety information requirements (17 to 21 of the product
brief, checked in :mod:`kinmap.core.carers`) that a practitioner reads: each
requirement's title, why we ask (to say aloud to a parent or carer) and a
suggested way to ask, keyed by the carer checks' own rule keys
(``R17_ICON``...). Plain Python, no Django."""

from __future__ import annotations

from .carers import R17_ICON, R18_SAFER_SLEEP, R18_SLEEP_PLACE, R19_REOFFER, R20_ROUTE

# The words the rules show a practitioner: a title, why we ask (to say aloud to
# a parent or carer) and a suggested way to ask.
RULE_TEXT: dict[str, dict[str, str]] = {
    R17_ICON: {
        "title": "ICON given to every carer of the baby",
        "why_we_ask": (
            "All babies cry, and some cry a lot. It can be hard for anyone, however much they love "
            "the baby. We share the ICON advice with everyone who looks after a baby, mums, dads, "
            "partners and grandparents, so that each of them knows crying is normal, has ways to "
            "comfort the baby, and knows it is OK to put the baby down safely and walk away for a "
            "few minutes. We give it again to anyone who starts looking after the baby."
        ),
        "wording": (
            "We talk to everyone who looks after a baby about crying, because it can be really hard. "
            "Could I go through it with you, or send you the leaflet?"
        ),
    },
    R18_SAFER_SLEEP: {
        "title": "Safer sleep advice given to every carer who may settle the baby",
        "why_we_ask": (
            "Anyone who puts the baby down to sleep, for a nap or overnight, needs the same safer "
            "sleep advice: on their back, in their own clear cot or Moses basket, in a smoke-free "
            "room, never on a sofa or armchair with an adult. We want every home the baby sleeps in "
            "to be as safe as the next."
        ),
        "wording": (
            "When the baby stays with you, where do they sleep? Could I share the safer sleep "
            "advice we give to everyone who looks after a baby?"
        ),
    },
    R18_SLEEP_PLACE: {
        "title": "Every place the baby sleeps recorded",
        "why_we_ask": (
            "Babies sleep wherever they are cared for. Knowing where the baby sleeps in each home "
            "lets us give advice that fits that place, and check there is a safe space for them."
        ),
        "wording": (
            "When the baby is with you, where do they sleep: in a cot, a Moses basket, or somewhere else?"
        ),
    },
    R19_REOFFER: {
        "title": "Core information offered again after a change",
        "why_we_ask": (
            "When someone new starts looking after the baby, when anyone moves home, or when the "
            "baby starts staying overnight somewhere, things change: a different bed, a different "
            "routine, a tired new carer. That is when the crying and safer sleep advice matters "
            "most, so we offer it again."
        ),
        "wording": (
            "Things have changed since we last talked. Would it help to go through the crying and "
            "sleep advice again for the new arrangements?"
        ),
    },
    R20_ROUTE: {
        "title": "Carers who live elsewhere offered the information directly",
        "why_we_ask": (
            "Parents and carers who live at another address often miss the advice given at home "
            "visits. We want them to have it first hand, and to feel part of the baby's care: we "
            "can invite them to the next appointment, send their own copies of the leaflets and "
            "links, or talk it through by telephone, whichever suits them."
        ),
        "wording": (
            "We'd like the baby's dad (or other carer) to have the same information. Would he like "
            "to come to the next visit, have his own copies, or a call from us?"
        ),
    },
}

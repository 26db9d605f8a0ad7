"""The partnership's starting catalogue of safety materials (synthetic
"Northshire" details; the telephone numbers are in the 01632 960 range that
Ofcom keeps for drama, so they reach nobody)."""

from django.db import migrations

MATERIALS = [
    {
        "code": "icon",
        "title": "ICON: Babies cry, you can cope",
        "summary": (
            "Infant crying is normal. All babies cry, and crying often gets more from about "
            "2 weeks of age, peaking at around 6 to 8 weeks, before it gets better.\n"
            "Comforting methods can help. Check your baby is fed, winded, clean and not too hot "
            "or cold. Try holding them close, gentle rocking, singing, a walk in the pram, or a warm "
            "bath. Sometimes nothing works, and that is not your fault.\n"
            "It's OK to walk away. If the crying is getting to you, put your baby down safely on "
            "their back in their cot, close the door, and take a few minutes to calm down. Check on "
            "them every 5 to 10 minutes.\n"
            "Never, ever shake a baby. Shaking can cause serious brain injury or death. If you "
            "feel you might lose control, put the baby down and call someone for support."
        ),
        "audience": "all",
        "due_from_days": 0,
        "due_to_days": 365,
        "formats": ["leaflet", "web", "pdf"],
        "languages": ["English", "Polish", "Romanian", "Urdu", "Arabic"],
        "url": "https://northshire.example/icon",
    },
    {
        "code": "safer-sleep",
        "title": "Safer sleep for your baby",
        "summary": (
            "Every sleep, day and night, wherever the baby is staying: put your baby on their back, "
            "in their own clear, flat, firm cot or Moses basket, with their feet at the foot end and "
            "no pillows, bumpers, loose blankets or toys. Keep the room smoke-free and not too warm "
            "(16 to 20 degrees). For the first six months the safest place for your baby to sleep is "
            "in a cot in the same room as you. Never fall asleep with your baby on a sofa or in an "
            "armchair. Do not share a bed with your baby if you or anyone in the bed has been "
            "drinking alcohol, has taken drugs or medicine that makes you drowsy, or smokes, or if "
            "the baby was born early or small. If the baby stays with you at another home, have a "
            "cot or Moses basket ready there too."
        ),
        "audience": "all",
        "due_from_days": 0,
        "due_to_days": 365,
        "formats": ["leaflet", "web", "pdf"],
        "languages": ["English", "Polish", "Romanian", "Urdu", "Arabic"],
        "url": "https://northshire.example/safer-sleep",
    },
    {
        "code": "coping-plan",
        "title": "My coping with crying plan",
        "summary": (
            "A short plan to fill in before you need it, for everyone who looks after the baby. "
            "Write down what usually settles your baby; the signs that tell you that you are "
            "getting stressed; what you will do to calm down (put the baby down safely in their "
            "cot, walk away, breathe slowly, have a drink of water, step outside for a few "
            "minutes); and who you will call - a partner, a relative, a friend or a helpline. Keep "
            "it on the fridge or in your phone."
        ),
        "audience": "all",
        "due_from_days": 0,
        "due_to_days": 365,
        "formats": ["leaflet", "pdf"],
        "languages": ["English", "Polish", "Urdu"],
        "url": "",
    },
    {
        "code": "local-support",
        "title": "Support for families in Northshire",
        "summary": (
            "Northshire Family Hubs run free baby groups, feeding support and parenting courses: "
            "call 01632 960 100. The Northshire Parent Line is there every day from 8am to 10pm "
            "when it all feels too much: 01632 960 200. The health visiting duty line answers "
            "questions about your baby on weekdays from 9am to 5pm: 01632 960 300. The dads' and "
            "male carers' group meets on Thursday evenings at the Family Hub: 01632 960 400."
        ),
        "audience": "all",
        "due_from_days": 0,
        "due_to_days": 1826,
        "formats": ["leaflet", "web"],
        "languages": ["English", "Polish", "Romanian"],
        "url": "https://northshire.example/family-hubs",
    },
    {
        "code": "for-fathers",
        "title": "For dads and male carers: your baby and you",
        "summary": (
            "Written for dads, partners and other men who look after a baby, including those who "
            "live apart from the baby's mother or have the baby to stay. What to expect in the "
            "first weeks; crying, and how to cope when it gets to you; safer sleep when the baby "
            "stays with you; looking after yourself; and how to keep in touch with the baby's "
            "health visitor, who is there for you as well as for the baby's mum."
        ),
        "audience": "fathers",
        "due_from_days": 0,
        "due_to_days": 730,
        "formats": ["leaflet", "web", "pdf"],
        "languages": ["English", "Polish"],
        "url": "https://northshire.example/dads",
    },
]


def seed(apps, schema_editor):
    Material = apps.get_model("carers", "Material")
    for m in MATERIALS:
        Material.objects.update_or_create(code=m["code"], defaults=m)


def unseed(apps, schema_editor):
    Material = apps.get_model("carers", "Material")
    Material.objects.filter(code__in=[m["code"] for m in MATERIALS], given__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("carers", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]

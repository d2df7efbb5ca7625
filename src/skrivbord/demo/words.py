"""Word lists for the demo data: Swedish towns, streets, names, trades and notes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    name: str
    area_code: str
    postal_prefixes: tuple[str, ...]  # first three digits of the town's postal codes


# fmt: off
TOWNS = (
    Town("Stockholm", "08", ("111", "113", "114", "116", "118", "120", "171", "172")),
    Town("Göteborg", "031", ("411", "413", "414", "416", "417", "421")),
    Town("Malmö", "040", ("211", "212", "214", "215", "217")),
    Town("Uppsala", "018", ("751", "752", "753", "754", "756")),
    Town("Västerås", "021", ("721", "722", "723", "724")),
    Town("Örebro", "019", ("702", "703", "704", "705")),
    Town("Linköping", "013", ("582", "583", "584", "587")),
    Town("Umeå", "090", ("903", "904", "906")),
    Town("Luleå", "0920", ("972", "973", "974")),
    Town("Sundsvall", "060", ("852", "853", "854", "856")),
    Town("Jönköping", "036", ("553", "554", "555", "556")),
    Town("Norrköping", "011", ("602", "603", "604")),
    Town("Helsingborg", "042", ("252", "253", "254", "256")),
    Town("Gävle", "026", ("802", "803", "805")),
    Town("Karlstad", "054", ("652", "653", "654")),
    Town("Växjö", "0470", ("352", "353")),
    Town("Borås", "033", ("503", "504", "506")),
    Town("Falun", "023", ("791", "793")),
    Town("Kiruna", "0980", ("981",)),
    Town("Visby", "0498", ("621",)),
)
# Bigger towns have more businesses: weights in the order of TOWNS.
TOWN_WEIGHTS = (30, 18, 14, 8, 6, 6, 6, 5, 4, 4, 5, 4, 4, 3, 3, 3, 3, 2, 1, 1)

STREETS = (
    "Storgatan", "Drottninggatan", "Kungsgatan", "Industrivägen", "Verkstadsgatan",
    "Hamngatan", "Järnvägsgatan", "Skolgatan", "Kyrkogatan", "Södra vägen",
    "Norra Långgatan", "Björkvägen", "Ekbacken", "Tallstigen", "Företagsvägen",
    "Sågverksgatan", "Lagergatan", "Fabriksgatan", "Åkergränd", "Mästargatan",
    "Hantverkargatan", "Smedjegatan", "Bryggaregatan", "Tullgatan", "Repslagaregatan",
    "Stationsgatan", "Göksvängen", "Lövängsvägen", "Magasinsgatan", "Östra Hamngatan",
)

FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Johanna",
    "Linnea", "Elin", "Sofia", "Maja", "Ida", "Astrid", "Frida", "Malin", "Hanna", "Åsa",
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan", "Oskar",
    "Lukas", "Hugo", "Olof", "Gustav", "Björn", "Magnus", "Henrik", "Fredrik", "Sven", "Göran",
)
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Lindberg", "Lindqvist", "Lindström", "Berg", "Bergström", "Lundberg",
    "Lundgren", "Nordin", "Holm", "Sandberg", "Forsberg", "Sjöberg", "Wallin", "Engström",
    "Åkesson", "Öberg", "Ekström", "Håkansson", "Björk", "Hedlund", "Nyström", "Falk",
    "Sundqvist", "Westerberg", "Dahl",
)
TITLES = (
    "VD", "Ekonomichef", "Inköpare", "Inköpschef", "Säljare", "Försäljningschef",
    "Projektledare", "Kundansvarig", "Redovisningsekonom", "Platschef", "Kontorschef",
    "Lagerchef", "Ägare", "Produktionsledare", "Administratör",
)

TRADES = (
    "Bygg", "El", "El & VVS", "VVS", "Måleri", "Plåt", "Snickeri", "Rör", "Mark & Anläggning",
    "Transport", "Åkeri", "Städ", "Fastigheter", "Redovisning", "Konsult", "Data", "IT-tjänster",
    "Reklam", "Tryckeri", "Trädgård", "Bil", "Maskin", "Verkstad", "Elektronik", "Design",
    "Kontorsmaterial", "Livs", "Bageri", "Catering", "Hotell", "Arkitekter", "Golv", "Glas",
    "Låsservice", "Ventilation", "Kyl & Frys", "Säkerhet", "Logistik", "Trä", "Sten",
)
NATURE_PREFIXES = (
    "Fjäll", "Norr", "Syd", "Väst", "Öst", "Sjö", "Berg", "Skog", "Älv", "Dal", "Ek", "Björk",
    "Gran", "Lind", "Ström", "Sol", "Vind", "Havs", "Ängs", "Sten",
)
NATURE_SUFFIXES = (
    "kraft", "sten", "byn", "vik", "dalen", "ljus", "gården", "bron", "holmen", "viken", "nova",
    "tech", "form", "verket", "kompaniet",
)
SMALL_SHOPS = (
    "Kafé", "Salong", "Blomsterhandel", "Bokhandel", "Frisör", "Restaurang", "Konditori",
    "Ateljé", "Studio", "Cykelverkstad",
)
PARTNER_TRADES = ("Advokatbyrå", "Revisionsbyrå", "Arkitektkontor", "Tandläkare", "Juristbyrå")
REGIONS = ("Fjäll", "Skogs", "Älv", "Sjö", "Dal", "Slätt", "Kust", "Mellan")
ASSOCIATIONS = ("ekonomiska förening", "bygdegårdsförening", "energikooperativ", "vattenförening")

NOTES = (
    "Betalar alltid i tid.",
    "Ramavtal till och med 2026-12-31.",
    "Kontakta helst via e-post.",
    "Leverans via godsmottagningen, port 3.",
    "Fakturor skickas som PDF till ekonomiavdelningen.",
    "Ange alltid ordernummer på fakturan.",
    "Stängt under juli, ring efter semestern.",
    "Har frågat om offert på serviceavtal.",
    "Ny kund sedan i våras, mycket nöjd med första leveransen.",
    "Kräver inköpsorder före leverans.",
    "30 dagar netto enligt avtal.",
    "Föredrar möten på förmiddagen.",
)

MOBILE_PREFIXES = ("070", "072", "073", "076", "079")
PRIVATE_MAIL_DOMAINS = ("telia.se", "gmail.com", "outlook.com", "bredband.net")
ROLE_MAILBOXES = ("info", "kontakt", "order", "faktura")
# fmt: on

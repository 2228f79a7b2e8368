"""The small built-in name lists surrogates draw from, by language.

Common given names and surnames, deliberately generic. A surrogate is a fake, not
a disguise: it only has to read naturally to the model.
"""

from __future__ import annotations

__all__ = ["CITIES", "FREEMAIL", "GIVEN", "SURNAMES", "TITLES", "names_for"]

GIVEN: dict[str, tuple[str, ...]] = {
    "en": (
        "James", "Mary", "Robert", "Linda", "Michael", "Susan", "David", "Karen",
        "Daniel", "Laura", "Thomas", "Emma", "Peter", "Olivia", "George", "Grace",
        "Henry", "Chloe", "Oliver", "Hannah", "Samuel", "Ruth", "Edward", "Alice",
    ),
    "de": (
        "Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie",
        "Maximilian", "Julia", "Tobias", "Katrin", "Stefan", "Sabine", "Jan", "Lena",
    ),
    "fr": (
        "Louis", "Camille", "Hugo", "Manon", "Jules", "Chloé", "Lucas", "Léa",
        "Antoine", "Julie", "Mathieu", "Claire", "Nicolas", "Élodie", "Pierre", "Inès",
    ),
    "es": (
        "Javier", "Lucía", "Pablo", "Carmen", "Diego", "Sofía", "Alejandro", "Elena",
        "Sergio", "Paula", "Andrés", "Marta", "Raúl", "Isabel", "Jorge", "Beatriz",
    ),
    "it": (
        "Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Andrea", "Sara",
        "Davide", "Elisa", "Simone", "Valentina", "Stefano", "Martina", "Paolo", "Silvia",
    ),
    "nl": (
        "Daan", "Sanne", "Bram", "Lotte", "Thijs", "Anouk", "Ruben", "Femke",
        "Joris", "Eva", "Sven", "Iris", "Niels", "Marloes", "Koen", "Floor",
    ),
}  # fmt: skip

SURNAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Smith", "Johnson", "Williams", "Brown", "Taylor", "Wilson", "Davies", "Evans",
        "Walker", "Wright", "Thompson", "Hughes", "Green", "Hall", "Wood", "Clarke",
        "Baker", "Harris", "Lewis", "Turner", "Parker", "Cooper", "Morris", "Bennett",
    ),
    "de": (
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Keller",
    ),
    "fr": (
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Roux", "Fournier",
    ),
    "es": (
        "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
        "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno", "Álvarez", "Romero", "Navarro", "Torres",
    ),
    "it": (
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
        "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano",
    ),
    "nl": (
        "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit",
        "Meijer", "de Boer", "Mulder", "Bos", "Vos", "Peters", "Hendriks", "Dekker", "Brouwer",
    ),
}  # fmt: skip

CITIES: dict[str, tuple[str, ...]] = {
    "en": ("Springfield", "Riverton", "Fairview", "Kingsbridge", "Ashford", "Milton"),
    "de": ("Neustadt", "Lindenberg", "Rosenheim", "Waldkirch", "Bergheim", "Altdorf"),
    "fr": ("Villeneuve", "Beaumont", "Montreuil", "Saint-Martin", "Fontaine", "Rochefort"),
    "es": ("Villanueva", "Torrejón", "San Miguel", "Valdemoro", "Alcalá", "Miraflores"),
    "it": ("Castelnuovo", "Villafranca", "Montebello", "San Vito", "Roccaforte", "Borgo"),
    "nl": ("Nieuwdorp", "Oosterhout", "Zandvoort", "Westerveld", "Hoogland", "Broek"),
}

# Titles are kept as typed: they carry tone, not identity.
TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau",
     "m", "mme", "mlle", "sr", "sra", "srta", "don", "doña", "sig", "dott", "dhr", "mevr"}
)  # fmt: skip

# Webmail domains say nothing about who someone is, so a surrogate may keep them.
FREEMAIL = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
     "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net",
     "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net", "libero.it", "mail.com"}
)  # fmt: skip


def names_for(locale: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(given names, surnames, cities) for a locale like "de_AT"; English otherwise."""
    lang = locale.split("_")[0].split("-")[0].lower()
    if lang not in GIVEN:
        lang = "en"
    return GIVEN[lang], SURNAMES[lang], CITIES[lang]

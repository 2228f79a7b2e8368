"""Closed word classes and context cues for person and place detection.

These are small, hand-written lists of general knowledge (titles, particles,
calendar words, medical eponyms, cue phrases); the open classes (names, places,
common words) come from :mod:`veil.detect.lexicon`. Everything is lower-case.
"""

from __future__ import annotations

__all__ = [
    "CALENDAR",
    "EPONYMS",
    "FOREIGN_WORDS",
    "FUNCTION_WORDS",
    "LOCATION_CUES",
    "NAME_CUE_ENDINGS",
    "NAME_CUE_PHRASES",
    "NAME_CUE_WORDS",
    "NOT_NAME",
    "NOT_PERSON_AFTER",
    "PARTICLES",
    "PERSON_AFTER",
    "PLACE_NOUNS",
    "SUFFIXES",
    "TITLES",
    "foreign_noun_shape",
    "phrase_before",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Honorifics that precede a name; the title itself is not part of the span.
TITLES = _words(
    """
    mr mrs ms miss mx dr doctor prof professor sir dame lady lord madam madame herr frau fräulein
    herrn mme mlle monsieur sr sra srta señor señora señorita don doña dona dom sig sig.ra signor
    signora signorina dott dott.ssa rev reverend fr father sister brother pastor rabbi imam
    sheikh capt captain sgt sergeant lt lieutenant col colonel gen general officer det
    detective judge justice mevrouw meneer dhr mw pan pani senhor senhora hr fru
    """
)
# Generational and academic suffixes, kept inside the span.
SUFFIXES = _words("jr jnr sr snr ii iii iv v phd md dds dmd esq rn cpa mba msc bsc")
# Lower-case words that sit inside names: "van der Berg", "de la Cruz", "bin Salman".
PARTICLES = _words(
    "van von der den de del della dei di da das dos du la le les lo ter ten zu bin binti bint "
    "ibn al el abu ben y e mac st"
)
CALENDAR = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    sat sun january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec montag dienstag mittwoch
    donnerstag freitag samstag sonntag januar februar märz juni juli oktober dezember lundi
    mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet
    août septembre octobre novembre décembre lunes martes miércoles jueves viernes sábado
    domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre
    diciembre christmas easter today tomorrow yesterday
    """
)
# Surnames that name conditions, tests or signs far more often than people in
# customer messages. A title ("Dr. Parkinson") still makes them a person. Eponyms
# that are also common surnames (Wilson, Graves, Bell) are left to the context
# rules: "Wilson's disease" is caught by the possessive and the word after it.
EPONYMS = _words(
    """
    parkinson parkinsons alzheimer alzheimers crohn crohns hodgkin hodgkins tourette tourettes
    asperger aspergers cushing cushings hashimoto hashimotos raynaud raynauds sjögren sjogren
    kaposi guillain barré barre marfan ménière meniere menieres gehrig munchausen paget
    behçet behcet kawasaki klinefelter apgar heimlich babinski rorschach addison addisons
    huntington huntingtons epstein lyme
    """
)
# Capitalised words that are not names even when a lexicon says so (pronouns,
# greetings, form labels, frequent chat words).
NOT_NAME = _words(
    """
    i i'm im i'll i've i'd ok okay hi hello hey dear thanks thank thx please yes no hmm
    customer client user patient team support service admin sir madam all everyone
    god lord jesus allah christ bible covid corona internet wifi email e-mail
    english spanish french german chinese arabic hindi
    iban bic swift dni nif ssn cpf bsn pesel
    """
)
# Frequent words of German, French, Spanish, Italian, Portuguese and Dutch customer
# messages (greetings, pronouns, verbs, question words) that open sentences in upper
# case: the English common-word list does not know them, so alone they look like
# unknown names. Words that are also common given names are left out.
FOREIGN_WORDS = _words(
    """
    hallo guten morgen abend tag danke bitte vielen dank ich wir sie mein meine meinen
    unser unsere können könnten kann möchte möchten würde habe haben hatte ist sind war
    wann warum wie was wo wer gibt leider außerdem seit heute gestern morgen sehr geehrte
    geehrter damen herren liebe lieber grüße gruß freundlichen anbei bezüglich betreff
    rechnung konto karte termin praxis versicherung überweisung zahlung adresse frage
    bonjour bonsoir merci salut je nous vous mon ma mes notre votre pouvez pourriez
    voudrais souhaite suis sommes avons ai est était quand pourquoi comment quel quelle
    où cordialement madame monsieur aujourd'hui hier demain depuis facture compte carte
    rendez-vous hola buenos buenas días tardes noches gracias saludos atentamente quiero
    quisiera necesito tengo puedo puede podría estoy estamos soy somos mi mis nuestro
    nuestra usted ustedes cuándo cuando por qué cómo dónde hoy ayer mañana desde
    factura cuenta tarjeta cita seguro pago dirección pregunta ciao buongiorno buonasera
    grazie salve vorrei voglio posso può potrebbe sono siamo ho abbiamo il lo gli mio
    nostro quando perché come dove oggi ieri domani cordiali saluti fattura conto
    carta appuntamento olá bom boa dia obrigado obrigada quero preciso tenho posso
    pode estou meu minha nosso nossa hoje ontem amanhã conta cartão consulta goedemorgen
    goedemiddag dank bedankt graag ik wij mijn onze kunt kan wil heb hebben zijn
    wanneer waarom hoe waar vandaag gisteren morgen rekening kaart afspraak
    est-ce c'est qu'il qu'elle j'ai n'est envoyez pouvons merci viajo envíen envíe envíenme
    necesitamos quisiéramos podrían pueden tenemos hemos tiene
    """
    # Frequent German nouns of customer messages. German capitalises every noun, so
    # mid-sentence they look like unknown names; several are rare surnames in the
    # lexicon ("Monat", "Arzt"). Nouns that are also common surnames (Koch, Bauer,
    # Winter, Vogel) are left out.
    """
    stadt straße strasse konto termin arzt ärztin praxis woche monat jahr tag tage herren
    nummer kunde kundin frage problem paket auftrag vertrag antrag bescheid zimmer büro
    firma arbeit schule krankenhaus apotheke bestellung lieferung lieferadresse zahlung
    rückerstattung erstattung kündigung anmeldung buchung abbuchung lastschrift mahnung
    vertragsnummer kundennummer sendungsnummer bestellnummer rechnungsnummer hilfe fehler
    passwort kontonummer betrag gebühr gebühren nachricht anruf
    telefon app unterlagen dokumente formular versichertenkarte krankenkasse
    rezept medikament behandlung untersuchung befund schmerzen beschwerde
    neue neuen neues nächste nächsten nächstes letzte letzten letztes ständig hause
    ordnung versehen absprache zukunft siehe unten oben
    """
)
# Articles, prepositions, pronouns and conjunctions of German, French, Spanish,
# Italian, Dutch and Portuguese. None of them is ever the first or last word of a
# place, nor of a name found by the model alone; inside a name with a capitalised
# part on both sides some are particles ("Jan van der Berg", "María de la Cruz").
FUNCTION_WORDS = _words(
    """
    der die das den dem des ein eine einer einem einen eines im am zum zur vom beim ins
    auf mit bei nach aus von zu für über unter vor hinter neben und oder aber ich du er
    sie es wir ihr mich mir dich dir uns euch sich mein meine dein sein
    le la les un une des du de au aux à dans sur pour avec chez par et ou je tu il elle
    nous vous ils elles moi toi lui leur ce cette ces mon ma mes ton ta son sa ses
    el los las del al lo uno una unos unas en con por para sin sobre desde hasta y o yo
    tú él ella nosotros ellos ellas me te se nos mi tu su sus
    il gli i uno una dei degli delle della dello nel nella nei negli dal dalla da di
    con su per tra fra e io lei noi voi loro
    het een van op met voor naar uit bij aan en ik jij je hij zij wij jullie
    o a os as um uma do da dos das em no na nos nas ao aos pelo pela com sem eu ele ela
    """
)
# Common nouns for settlements and parts of them in those languages: lexicon
# places too ("ciudad", "centro"), but in lower case almost always the ordinary word.
PLACE_NOUNS = _words(
    """
    stadt straße strasse dorf platz zentrum mitte innenstadt altstadt ort ville rue place
    centre quartier village ciudad calle plaza pueblo barrio centro città via piazza
    paese centro cidade rua praça bairro stad straat plein dorp centrum wijk city town
    """
)
# German noun and participle endings: a long capitalised word ending so is a
# noun ("Bestellung", "Versichertennummer") or a verb form ("funktioniert").
_FOREIGN_ENDINGS = ("ung", "heit", "keit", "schaft", "nummer", "iert", "ieren", "adresse")


def foreign_noun_shape(low: str) -> bool:
    """A long lower-case word with a German noun or participle ending."""
    return len(low) >= 8 and low.endswith(_FOREIGN_ENDINGS)


# Words right after a candidate that say it is a condition, an organisation or an
# address rather than a person.
NOT_PERSON_AFTER = _words(
    """
    disease diseases syndrome disorder palsy sarcoma lymphoma test tests scale sign
    inc ltd llc gmbh corp corporation co plc ag sa bv group bank hospital clinic
    university college school institute foundation street st avenue ave road rd boulevard
    blvd drive dr lane ln way court ct square place airport station park bridge
    pharmacy pharma labs mall hotel center centre medical insurance
    """
)
# Words after a candidate that suggest a person did something.
PERSON_AFTER = _words(
    "said says told asked wrote called emailed replied mentioned explained who whose herself "
    "himself was is will can has had"
)
# Single words right before a candidate that announce a person.
NAME_CUE_WORDS = _words(
    """
    dear hi hello hey thanks cc attn attention regards cheers sincerely signed
    daughter son wife husband mother father mom mum dad brother sister child kid baby
    grandson granddaughter grandmother grandfather grandma grandpa aunt uncle nephew niece
    cousin partner fiancé fiancée girlfriend boyfriend friend colleague coworker boss
    manager supervisor doctor nurse physician surgeon dentist therapist agent advisor
    adviser representative rep patient customer client member user employee tenant
    landlord owner holder cardholder beneficiary spouse guardian caregiver contact named
    called
    """
)
# Multi-word cues (tuples of lower-case words) that announce a name; ``strong`` ones
# make even a lower-case or common word a name ("my name is hope").
NAME_CUE_PHRASES: dict[tuple[str, ...], bool] = {
    ("my", "name", "is"): True,
    ("name", "is"): True,
    ("name's",): True,
    ("name",): False,
    ("names",): False,
    ("call", "me"): True,
    ("this", "is"): False,
    ("i", "am"): False,
    ("i'm",): False,
    ("im",): False,
    ("ask", "for"): False,
    ("speak", "to"): False,
    ("speak", "with"): False,
    ("talk", "to"): False,
    ("talked", "to"): False,
    ("spoke", "to"): False,
    ("spoke", "with"): False,
    ("appointment", "with"): False,
    ("booked", "with"): False,
    ("married", "to"): False,
    ("on", "behalf", "of"): False,
    ("goes", "by"): True,
    ("full", "name"): True,
    ("signed", "by"): False,
    ("prescribed", "by"): False,
    ("referred", "by"): False,
    ("je", "m'appelle"): True,
    ("je", "suis"): False,
    ("soy",): False,
    ("sono",): False,
    ("ich", "heiße"): True,
    ("ich", "bin"): False,
    ("me", "llamo"): True,
    ("mi", "nombre", "es"): True,
    ("mi", "chiamo"): True,
    ("chamo-me",): True,
    ("meu", "nome", "é"): True,
}
# The last words of the cue phrases: a name cue can only end with one of these.
NAME_CUE_ENDINGS = frozenset(phrase[-1] for phrase in NAME_CUE_PHRASES)
# Words before a candidate place (up to three back) that make it a place.
LOCATION_CUES = _words(
    """
    in from to near at into towards toward via visit visiting visited live lives living
    lived moved moving move relocated relocating based born located travel travelling
    traveling trip flight flights fly flying flew city town country state province region
    county across throughout around outside inside within nach aus en à au desde em
    wohne wohnt wohnen lebe lebt habite habitons vivo vive vivimos resido abito abita
    moro mora woon woont
    """
)


def phrase_before(words: list[str]) -> bool | None:
    """The strength of a name cue that ``words`` (lower-case, oldest first) end with.

    Returns ``True`` for a strong cue, ``False`` for a weak one and ``None`` for none.
    """
    found: bool | None = None
    for size in (3, 2, 1):
        if len(words) >= size:
            strength = NAME_CUE_PHRASES.get(tuple(words[-size:]))
            if strength is not None:
                found = strength if found is None else (found or strength)
    return found

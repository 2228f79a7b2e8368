"""Hand-written message templates for training the name model (general knowledge only).

Slots: {P} a person's name in some form, {F} a given name, {L} a surname after a title
({T}), {C} a city or town, {K} a country, {R} a region, {W} any place. Negative slots
(never names here): {TC} Title Case ordinary words, {ORG} company, {PROD} product,
{DAY} weekday, {MON} month,
{EPO} eponymous condition, {DEPT} department, {CAP} a capitalised ordinary word.
None of these is copied from any benchmark corpus.
"""

from __future__ import annotations

TEMPLATES = """
Hi, my name is {P} and I need help with my account.
my name is {P}
Hello, this is {P} from {C}.
Hi there, {F} here. I moved to {C} last month and need to update my address.
Can I book an appointment with {T} {L} on {DAY}?
I saw {T} {L} at the {C} clinic and she referred me to {T} {L}.
My daughter {F} has a fever since yesterday, can {T} {L} see her?
Please cancel the appointment for my son {F}.
The account holder is {P}, born in {C}, {K}.
I am writing on behalf of my mother, {P}, who lives in {C}.
Dear {P}, thank you for contacting {ORG} support.
Thanks {F}, that fixed it!
{F}: hi, is anyone there?
Agent {F}: Sure, can you confirm your full name?
Customer: {P}
Name: {P}
Full name: {P}
Beneficiary name: {P}, relationship: spouse
Please transfer 200 euros to {P}, account at {ORG}.
I live in {C} but I was born in {K}.
We are relocating from {C} to {C} in {MON}.
My flight from {C} to {C} was cancelled.
Is the branch in {C} open on {DAY}?
Do you ship to {K}?
The package is stuck in {C}, {R}.
I'm based in {C}, {K}.
I travel to {K} next week, will my card work there?
I used my card in {C} yesterday and it was declined.
{P} called me about the claim yesterday.
I spoke with {F} on the phone and {F} said the refund was approved.
Can {F} pick up my prescription? She is my wife.
My husband {P} is also on the policy.
Please add {P} as an authorized user.
{T} {L} prescribed {PROD} for my {EPO}.
I was diagnosed with {EPO} in {MON}.
My father has {EPO} and lives in {C}.
Is {PROD} covered by my plan?
I bought a {PROD} and it stopped working.
The {PROD} I ordered never arrived.
I'd like to speak to someone in {DEPT}.
Please transfer me to {DEPT}, {F} said they could help.
{DEPT} told me to contact you.
Our office in {C} handles claims for {R}.
The claim was filed by {P} on {DAY}.
Policy holder: {P}. Address: {C}, {K}.
Emergency contact: {P} (sister)
Regards, {P}
Best wishes,
{P}
Kind regards,
{F}
Sent from my {PROD}
cheers {F}
thanks a lot {F}!!
hey its {F} again
this is {F} {L} calling about my bill
{F} {L} here, from {C}
Can you tell {F} that I called?
I want to close the account of my late father {P}.
My landlord {P} needs proof of payment.
The invoice was addressed to {P} at {ORG}.
I work for {ORG} in {C}.
{ORG} charged me twice this month.
Why did {ORG} decline my payment?
I have a {PROD} from {ORG}.
We met {P} at the {C} office.
{P} and {P} are both on the lease.
My kids {F} and {F} need new insurance cards.
Is there a pharmacy near {C}?
Our clinic moved from {C} to {W}.
I'm currently in {W} on vacation.
I'm from {W} originally.
Shipping address is in {R}, {K}.
The hotel in {C} charged my card.
On {DAY} I went to the {C} branch and talked to {F}.
{CAP} I have a question about my bill.
{CAP}, the app keeps crashing.
{CAP} is my card blocked?
Could {T} {L} call me back?
I would like to see {T} {L} again, she was great.
Ask for {F} at the front desk.
{F} from {DEPT} was very helpful.
Please update the name on the account to {P}.
The card was issued to {P}.
My maiden name is {L}.
My surname is {L}.
Last name: {L}
First name: {F}
Patient: {P}, DOB on file
Referred by {T} {L}, {C} General Hospital
I had surgery at {C} Memorial last {MON}.
I was treated at the {C} University Hospital.
{T} {L} from cardiology said I should call.
Can {P} access my records?
I give permission to {P} to discuss my account.
Who is {P}? I don't know this person.
There is a charge from {C} I don't recognise.
A transaction in {K} was flagged.
I'm travelling around {K} and {K} this summer.
We drove from {C} through {R} to {C}.
Where is your nearest branch to {C}?
{C} is where I live now.
{K} does not accept my card.
Moving to {W} next {MON}, please change my address.
Hello {F}, your order is ready.
Good morning {T} {L}, I have a question.
Hi {T} {L}
{F} said hi
Tell {F} I said thanks.
Let {F} know the results please.
{F} {L} ({C})
{P}, {C}
To: {P}
From: {P}
CC: {P}
Signed, {P}
Name of insured: {P}
Driver: {P}; vehicle registered in {R}
My partner {F} and I live in {C}.
Grandma {F} is visiting from {K}.
My colleague {P} recommended {ORG}.
I use {PROD} on my {PROD}.
{PROD} update broke the login.
Does {ORG} operate in {K}?
I'm calling from {C} about the {PROD} recall.
I will pay the bill on {DAY}, I hope that is fine.
Can you mark the payment as received?
I'd like to grant access to my accountant.
We hope to hear from you soon.
The rose in price was unexpected, my premium went up again.
I can't find the Online Banking page.
My Direct Debit failed again this month.
The Customer Portal says Error 502.
I need a new Debit Card, the old one is broken.
Where do I find the Annual Statement?
The Premium Account fee is too high.
My Home Insurance Policy renews in {MON}.
I have a question about the Travel Insurance cover.
The Patient Portal won't let me log in.
I got a letter from the Tax Office.
Please send the form to Head Office.
{TC} is not working for me.
I clicked {TC} but nothing happened.
Where is the {TC} button?
The {TC} page shows an error.
Is {TC} included in my plan?
{CAP} I will call back later.
Will you be open on {DAY}?
Mark my words, this is the last time.
Can you bill me monthly instead?
Rose from the front desk said to email you.
Victoria from {DEPT} told me to write.
Jordan {L} is my case manager.
I was born in {W} and grew up in {W}.
{P}'s appointment is at 3pm.
{T} {L}'s office called me.
Is {T} {L} available next week?
{F}'s card was stolen in {C}.
my wife {F} lost her card
my mom {F} {L} is in hospital in {C}
the account is under {P}
please call {F} on 07700 900123
contact {P} at the {C} branch
{P} - 0151 496 0321
{P} (account 88123401)
Order 55721 for {P}, delivered to {C}
Appointment: {DAY} 10:30 with {T} {L}
Claim #4471 submitted by {P}
Reference {PROD}-2231 for {P}
I'm {F}, nice to meet you.
I am {P} and I need a refund.
Hello I am {F} from {C}
We spent two weeks in {W} and then flew home to {C}.
The parcel left {C} on {DAY} and is now in {C}.
Can I use my card in {K} and {K}?
My address changed, I now live in {C}, {R}.
I'm in {C} for work until {MON}.
Hi {F}! Is {F} still handling my case?
{F} {L} and {F} {L} signed the contract.
Both {F} and I are on the account.
It was {F} who answered the phone.
Guten Tag, mein Name ist {P} und ich habe eine Frage zur Rechnung.
Hallo, ich bin {F} und wohne in {C}.
Ich möchte meinen Termin bei {T} {L} am {DAY} absagen.
Meine Tochter {F} hat seit gestern Fieber.
Die Überweisung an {P} ist nicht angekommen.
Können Sie mir bitte die Kontoauszüge schicken? Vielen Dank, {P}
Ich bin nach {C} umgezogen, bitte ändern Sie meine Adresse.
Meine Karte wurde in {C} gesperrt, was kann ich tun?
Der Versicherungsnehmer ist {P}, geboren in {C}.
Sehr geehrte Damen und Herren, ich habe meine Kreditkarte verloren.
Mit freundlichen Grüßen
{P}
Die Zahlung für die Rechnung ist noch offen, bitte um Rückruf.
Mein Mann {F} ist ebenfalls versichert.
Wann ist die Praxis in {C} geöffnet?
Ich habe Schmerzen im Rücken und brauche ein Rezept.
Bonjour, je m'appelle {P} et j'habite à {C}.
Je voudrais annuler mon rendez-vous avec {T} {L}.
Ma fille {F} a de la fièvre depuis hier.
Merci beaucoup, {F}. Bonne journée.
Ma carte bancaire a été bloquée à {C}.
Pouvez-vous m'envoyer le relevé de compte ? Cordialement, {P}
Le virement vers {P} n'est pas arrivé.
Je suis né à {C} en {K}.
Hola, me llamo {P} y vivo en {C}.
Quiero cancelar mi cita con {T} {L} el {DAY}.
Mi hijo {F} tiene fiebre desde ayer.
Mi tarjeta fue bloqueada en {C}, ¿qué puedo hacer?
Gracias {F}, saludos cordiales.
La transferencia a {P} no ha llegado todavía.
Necesito una receta nueva, por favor. Atentamente, {P}
Buenos días, tengo una pregunta sobre la factura.
Ciao, mi chiamo {P} e abito a {C}.
Vorrei spostare l'appuntamento con {T} {L}.
La mia carta è stata bloccata a {C}.
Grazie mille {F}, buona giornata.
Olá, meu nome é {P} e moro em {C}.
Preciso de uma segunda via do boleto, obrigado. {P}
Hallo, mijn naam is {P} en ik woon in {C}.
Ik wil mijn afspraak met {T} {L} verzetten.
Bedankt {F}, fijne dag nog.
Dzień dobry, nazywam się {P} i mieszkam w {C}.
"""

PREFIXES = ["", "", "", "Hi, ", "Hello! ", "Hey, ", "Good morning. ", "Quick question: ", "Ok so ",
            "Sorry to bother you. ", "Thanks. ", "Yes. ", "No, ",
            "Hi team,\n", "Hello,\n"]  # fmt: skip
SUFFIXES = ["", "", "", " Thanks.", " Thank you!", " Please help.", " Regards", "\nThanks",
            " Is that possible?", " :)", " ASAP please.", " Account 4471 0023."]  # fmt: skip

ORGS = """Acme Corp|Globex|Initech|Northwind Bank|Blue Cross|Allianz|Vodafone|Amazon|PayPal|Visa
|Mastercard|Apple|Google|Microsoft|Samsung|Netflix|Spotify|Uber|Airbnb|Revolut|Monzo|Barclays
|HSBC|Santander|Deutsche Telekom|Orange|Aetna|Cigna|Kaiser Permanente|Walgreens|CVS|Boots
|Tesco|Lidl|IKEA|DHL|FedEx|UPS|Royal Mail|Zurich Insurance|AXA|MetLife|Prudential|Chase
|Wells Fargo|Citibank|Capital One|American Express|Discover|Verizon|Comcast|Expedia"""
PRODUCTS = """iPhone|iPhone 14|Galaxy S23|Pixel|MacBook|Kindle|Echo Dot|PlayStation|Xbox|Windows
|Android|Chrome|Outlook|Excel|Teams|Zoom|WhatsApp|Instagram|Facebook|Ozempic|Metformin
|Lipitor|Ventolin|Advil|Tylenol|Ibuprofen|Prozac|Xanax|Humira|Premium Plus|Gold Card
|Platinum Card|Smart Saver|Home Shield|Roomba|Fitbit|Garmin|Nespresso|Dyson V11|Tesla"""
EPONYMS = """Parkinson's disease|Alzheimer's|Crohn's disease|Hashimoto's|Graves' disease
|Addison's disease|Cushing's syndrome|Down syndrome|Lyme disease|Hodgkin lymphoma
|Tourette syndrome|Asperger's|Bell's palsy|Raynaud's|Huntington's disease|Sjogren's syndrome
|Guillain-Barre syndrome|Meniere's disease|Wilson's disease|Kawasaki disease"""
DEPTS = """Billing|Claims|Customer Service|Cardiology|Radiology|Oncology|Pediatrics|Dermatology
|Accounts|Fraud Prevention|Technical Support|Underwriting|Collections|Pharmacy|Human Resources
|Sales|Returns|Member Services|Emergency|Orthopedics"""
CAPS = """Also|Actually|Unfortunately|Today|Yesterday|Again|Honestly|Please|Urgent|Update
|Question|Important|Sadly|Apparently|Meanwhile|Otherwise|However|Anyway|Basically|Still"""
TITLES = ["Dr", "Dr.", "Doctor", "Mr", "Mr.", "Mrs.", "Ms", "Ms.", "Miss", "Prof.", "Nurse",
          "Dr", "Dr.", "Herr", "Frau", "Mme", "M.", "Sr.", "Sra."]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
]


def split(block: str) -> list[str]:
    return [p.strip() for p in block.replace("\n", "").split("|") if p.strip()]

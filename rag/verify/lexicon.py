"""The words the rules look for: drugs, routes, populations, negation and restriction cues, units.

Lists, not a model: every verdict must be explainable by a word the reader can see. Drug names
cover the corpus's guidelines (malaria, IMCI, pocket book, hypertension, essential medicines);
unknown names are caught by their INN stems (`DRUG_SUFFIXES`).
"""

from __future__ import annotations

DRUGS = frozenset("""
artesunate artemether lumefantrine amodiaquine mefloquine sulfadoxine pyrimethamine piperaquine dihydroartemisinin
artemisinin pyronaridine chloroquine primaquine tafenoquine quinine atovaquone proguanil doxycycline clindamycin
amoxicillin ampicillin benzylpenicillin penicillin procaine cloxacillin flucloxacillin gentamicin ceftriaxone cefotaxime
cefixime ciprofloxacin azithromycin erythromycin clarithromycin metronidazole cotrimoxazole co-trimoxazole
trimethoprim sulfamethoxazole chloramphenicol nitrofurantoin tetracycline vancomycin meropenem amikacin
praziquantel albendazole mebendazole ivermectin niclosamide oxamniquine levamisole pyrantel
paracetamol acetaminophen ibuprofen aspirin morphine tramadol diclofenac codeine
salbutamol epinephrine adrenaline prednisolone prednisone dexamethasone hydrocortisone beclometasone budesonide
ipratropium aminophylline theophylline
diazepam phenobarbital phenytoin lorazepam midazolam carbamazepine valproate magnesium
zinc ors resomal iron folic vitamin retinol thiamine glucose dextrose insulin metformin gliclazide glibenclamide
furosemide hydrochlorothiazide chlorthalidone indapamide amlodipine nifedipine lisinopril enalapril ramipril
captopril losartan telmisartan valsartan atenolol bisoprolol propranolol metoprolol carvedilol spironolactone
hydralazine methyldopa labetalol digoxin atorvastatin simvastatin
oxytocin misoprostol nystatin fluconazole miconazole clotrimazole griseofulvin amphotericin
isoniazid rifampicin pyrazinamide ethambutol streptomycin zidovudine nevirapine lamivudine efavirenz tenofovir
dolutegravir abacavir lopinavir ritonavir oseltamivir acyclovir aciclovir
tetracaine lidocaine ketamine atropine naloxone oxygen potassium sodium calcium
benzathine omeprazole ranitidine ondansetron metoclopramide promethazine chlorphenamine loratadine
permethrin benzyl gentian tetanus bcg measles
""".split())

DRUG_SUFFIXES = ("mycin", "cillin", "azole", "oquine", "sunate", "floxacin", "pril", "sartan", "olol", "dipine",
                 "thiazide", "vir", "mab", "cycline", "cef", "triaxone", "quantel", "endazole", "amine", "statin")

ROUTES = {  # cue -> canonical route
    "oral": "oral", "orally": "oral", "po": "oral", "by mouth": "oral",

    "iv": "IV", "intravenous": "IV", "intravenously": "IV", "infusion": "IV",
    "im": "IM", "intramuscular": "IM", "intramuscularly": "IM",
    "rectal": "rectal", "rectally": "rectal", "suppository": "rectal",
    "sc": "subcutaneous", "subcutaneous": "subcutaneous", "subcutaneously": "subcutaneous",
    "inhaled": "inhaled", "nebulized": "inhaled", "nebulised": "inhaled", "inhaler": "inhaled",
    "nasogastric": "nasogastric", "ng tube": "nasogastric", "topical": "topical", "topically": "topical",
    "intraosseous": "intraosseous",
    "sublingual": "sublingual", "sublingually": "sublingual", "buccal": "buccal", "buccally": "buccal",
    "intranasal": "intranasal", "intranasally": "intranasal", "intradermal": "intradermal",
    "intradermally": "intradermal", "transdermal": "transdermal", "intrathecal": "intrathecal",
    "intrathecally": "intrathecal", "vaginally": "vaginal", "intravaginal": "vaginal", "per rectum": "rectal",
}
# Anatomy, not a route: these phrases are read before the route cues and name none.
NOT_ROUTES = ("buccal mucosa", "buccal mucous", "buccal cavity")
ROUTE_GROUPS = {"IV": "parenteral", "IM": "parenteral", "intraosseous": "parenteral", "subcutaneous": "parenteral"}

POPULATIONS = {  # cue -> canonical population
    "child": "children", "children": "children", "childhood": "children", "paediatric": "children",
    "pediatric": "children",
    "infant": "infants", "infants": "infants", "baby": "infants", "babies": "infants",
    "neonate": "neonates", "neonates": "neonates", "newborn": "neonates", "newborns": "neonates",
    "neonatal": "neonates",
    "adult": "adults", "adults": "adults",
    "adolescent": "adolescents", "adolescents": "adolescents",
    "pregnant": "pregnant women", "pregnancy": "pregnant women",
    "breastfeeding": "breastfeeding women", "lactating": "breastfeeding women",
    "elderly": "older people", "older people": "older people", "older adults": "older people",
    "men": "men", "women": "women",
}
# Populations a claim may not swap for each other: a span about one says nothing about the other.
POPULATION_OPPOSITES = {frozenset(p) for p in (
    ("children", "adults"), ("infants", "adults"), ("neonates", "adults"), ("children", "older people"),
    ("infants", "older people"), ("pregnant women", "children"), ("pregnant women", "infants"),
    ("pregnant women", "men"), ("men", "women"), ("adolescents", "infants"), ("adolescents", "neonates"),
    ("breastfeeding women", "children"), ("breastfeeding women", "men"),
)}

NEGATIONS = ("not", "no", "never", "cannot", "n't", "avoid", "avoided", "contraindicated", "contra-indicated",
             "withhold", "neither", "nor")
RESTRICTIONS = ("only if", "only when", "only in", "only for", "unless", "except")

# Units, longest first; canonical names group spellings (mg/kg = mg/kg bw = mg per kg).
UNITS = [
    (r"mg\s*/\s*kg(?:\s*(?:bw|body\s*weight))?(?:\s*/\s*(?:day|d))?", "mg/kg"),
    (r"mg\s+per\s+kg", "mg/kg"),
    (r"(?:µg|mcg|microgram)s?\s*/\s*kg", "µg/kg"),
    (r"ml\s*/\s*kg", "ml/kg"), (r"ml\s+per\s+kg", "ml/kg"),
    (r"g\s*/\s*kg", "g/kg"), (r"mmol\s*/\s*l(?:itre|iter)?", "mmol/l"), (r"mg\s*/\s*dl", "mg/dl"),
    (r"mmhg", "mmHg"), (r"iu|units?", "IU"),
    (r"mg", "mg"), (r"(?:µg|mcg|micrograms?)", "µg"), (r"g(?:rams?)?\b", "g"), (r"ml|millilit(?:re|er)s?", "ml"),
    (r"l(?:it(?:re|er)s?)?\b", "l"), (r"kg", "kg"), (r"%", "%"), (r"°\s*c|degrees?", "°C"),
    (r"breaths?\s*(?:/|per)\s*min(?:ute)?", "breaths/min"), (r"beats?\s*(?:/|per)\s*min(?:ute)?", "beats/min"),
    (r"(?:times|x)\s+(?:a|per)\s+day|times\s+daily", "times/day"),
    (r"hours?|hrs?|h\b", "hours"), (r"days?", "days"), (r"weeks?|wks?", "weeks"), (r"months?", "months"),
    (r"years?|yrs?", "years"), (r"minutes?|mins?", "minutes"), (r"doses?", "doses"), (r"times", "times"),
    (r"tablets?|tabs?", "tablets"), (r"capsules?|caps?", "capsules"), (r"sachets?", "sachets"),
    (r"drops?", "drops"), (r"cm", "cm"), (r"mm", "mm"),
]

# Light synonyms so a paraphrase meets the guideline's word (both sides are mapped).
SYNONYMS = {
    "administer": "give", "administered": "give", "given": "give", "giving": "give", "receive": "give",
    "received": "give", "prescribe": "give", "use": "give", "used": "give", "treat": "give", "treated": "give",
    "kid": "child", "paediatric": "child", "pediatric": "child", "children": "child",
    "intravenously": "intravenous", "iv": "intravenous", "im": "intramuscular", "intramuscularly": "intramuscular",
    "orally": "oral", "mouth": "oral", "recommended": "recommend", "recommends": "recommend",
    "should": "recommend", "suggested": "recommend", "suggest": "recommend",
    "weighing": "weight", "weigh": "weight", "kilogram": "kg", "kilograms": "kg", "daily": "day",
    "twice": "two", "thrice": "three", "once": "one", "hour": "hours", "hr": "hours", "days": "day",
    "week": "weeks", "month": "months", "year": "years", "minute": "minutes", "min": "minutes",
    "patients": "patient", "women": "woman", "adults": "adult", "infants": "infant", "aged": "age",
    "fever": "fever", "febrile": "fever", "paracetamol": "paracetamol", "acetaminophen": "paracetamol",
    "adrenaline": "epinephrine", "aciclovir": "acyclovir", "co-trimoxazole": "cotrimoxazole",
}

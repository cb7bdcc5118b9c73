"""Rebuild the derived taxonomy files from the public data sets in ``../shared/data``.

Run from the project root (Django settings are loaded only to reuse the loader's merge rules
and ``Skill.Category``):

    DEBUG=1 .venv/bin/python -m network.data.taxonomy.build [--data ../shared/data]

It writes, next to this file:

- ``linguist.json``: mainstream programming languages from GitHub Linguist (MIT);
- ``esco.json``: ESCO ICT "knowledge" concepts with short labels (CC BY 4.0);
- ``stackoverflow/stackoverflow_aliases.csv``: Stack Overflow tag synonyms whose master tag is
  one of the skills above (CC BY-SA 4.0, kept apart because it is share-alike).

``curated.yaml`` is written by hand and only read here. The output is sorted and stable, so a
rebuild over the same inputs changes no byte. Every hand-made decision sits in a named set
below with the reason for it.
"""

import argparse
import csv
import json
import os
import re
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[2]
DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data"

# --- GitHub Linguist --------------------------------------------------------------------------

# "Mainstream": the language's name (or one of its aliases) is a Stack Overflow tag with at
# least this many questions.
MIN_QUESTIONS = 5000
# Markup in Linguist, but skills every web request names.
LINGUIST_FORCED = {"HTML": "web", "CSS": "web"}
# Languages whose matching tag means something else ("io" is input/output, "click" a mouse
# click, "vim" the editor), or that are build files and debugger scripts rather than skills.
LINGUIST_EXCLUDED = {
    "Click",
    "Emacs Lisp",
    "GDB",
    "Io",
    "Makefile",
    "Max",
    "Processing",
    "ShellSession",
    "Slice",
    "Vim script",
}
LINGUIST_CATEGORIES = {
    "ASP.NET": "web",
    "ColdFusion": "web",
    "Cypher": "data",
    "PLSQL": "data",
    "SAS": "data",
    "TSQL": "data",
}
# Linguist aliases that are file extensions, tools or jokes rather than ways to name the
# language ("inc" for PHP, "node" for JavaScript, "rake" for Ruby, "apples" for AppleScript).
LINGUIST_NOT_SKILL_ALIASES = {
    "apples",
    "aspx",
    "aspx-vb",
    "bsdmake",
    "cake",
    "cakescript",
    "cfm",
    "coffee",
    "cperl",
    "envrc",
    "inc",
    "make",
    "mf",
    "node",
    "rake",
    "rusthon",
    "sdc",
    "xdc",
}
# Aliases of one or two characters collide with ordinary words and initials ("sh", "rb", "ts",
# "md"), so they are dropped from every derived source, except these, which are unmistakable.
SAFE_SHORT_ALIASES = {"js"}

# --- ESCO -------------------------------------------------------------------------------------

MAX_LABEL_CHARS, MAX_LABEL_WORDS = 40, 4
MAX_ALIAS_CHARS, MAX_ALIAS_WORDS = 60, 6
# Knowledge concepts outside an IT consultancy for nonprofits (manufacturing, electronics,
# agriculture, ESCO's service-modelling paradigms), or too vague to match a request by.
ESCO_EXCLUDED = {
    "aquaculture production planning software",
    "ATM systems",
    "automatic meter reading",
    "CAD for footwear",
    "CAD software",
    "CADD software",
    "CAE software",
    "CAM software",
    "call routing",
    "call-centre technologies",
    "circuit diagrams",
    "computational fluid dynamics",
    "computer equipment",
    "configuration of the tote room hardware",
    "control panel components",
    "dredging consoles",
    "e-agriculture",
    "firmware",
    "hardware components",
    "hardware industry",
    "hardware materials",
    "hardware platforms",
    "hardware testing methods",
    "hybrid control systems",
    "hybrid model",
    "ICT environmental policies",
    "ICT network cable limitations",
    "ICT power consumption",
    "industrial software",
    "information structure",
    "keywords in digital content",
    "microchip scanners",
    "microprocessors",
    "microsystem test procedures",
    "ML (computer programming)",
    "Open source model",
    "Outsourcing model",
    "printed circuit boards",
    "product usage risks analysis",
    "real-time computing",
    "SaaS (service-oriented modelling)",
    "sand blasting machine parts",
    "scientific modelling",
    "security panels",
    "service-oriented modelling",
    "specialised astrology software",
    "statistical quality control",
    "systems theory",
    "systems thinking",
    "task algorithmisation",
    "transmission technology",
    "types of storage facilities",
    "types of wire mesh",
    "vehicle-to-everything technologies",
}
# ESCO adds a qualifier in brackets to tell products apart ("Python (computer programming)").
# It is dropped from the display name (the full label stays as an alias) unless the bare word is
# an everyday one that free text would match by accident ("from scratch", "a blank canvas").
ESCO_RENAMED = {
    "Absorb (learning management systems)": "Absorb LMS",
    "Canvas (learning management systems)": "Canvas LMS",
    "Chef (tools for software configuration management)": "Chef (configuration management)",
    "Eclipse (integrated development environment software)": "Eclipse IDE",
    "LESS": "Less CSS",
    "Puppet (tools for software configuration management)": "Puppet (configuration management)",
    "Salt (tools for software configuration management)": "Salt (configuration management)",
    "Scratch (computer programming)": "Scratch (programming language)",
}
# Alternative labels that name something else: earlier names reused by other products
# ("Mocha" is now a test framework), sub-communities ("Java Posse"), neighbouring fields
# (search engine marketing is paid search, not SEO) and labels ESCO shares between a field and
# a product, which would make both ambiguous.
ESCO_ALIAS_BLOCKED = {
    "Access",  # Microsoft Access: "access" is an everyday word in requests
    "C and Smalltalk",
    "CAT tranlsation",
    "computer-assisted translation",
    "CrackBerry",
    "data analytics",
    "dot net",
    "Escript",
    "Java Posse",
    "Javax",
    "Live script",
    "Live Script",
    "Live-script",
    "Live-Script",
    "Mac OS X",
    "Mocha",
    "Network Magic",
    "Perl Camel",
    "Perl golf",
    "PONIE",
    "Ponie",
    "SEM",
    "Search marketing",
    "search engine marketing",
    "Smalltalk and C",
    "Subquery",
    "Informix 4GL/SQL",
    "Adobe Photoshop Elements",  # a separate, consumer product
    "PHP-FPM",  # a process manager for PHP, not the language
    "cascading style sheets",  # claimed by both CSS and "style sheet languages": keep it on CSS
    "museum archives",
    "museum records",
    "output of a penetration test",
}
# Labels that stand for a field, matched by keyword when no rule below names the category.
ESCO_CATEGORIES = {
    "programming": {
        "ABAP",
        "APL",
        "Assembly (computer programming)",
        "COBOL",
        "CoffeeScript",
        "Common Lisp",
        "computer programming",
        "Erlang",
        "Groovy",
        "Haskell",
        "ICT system programming",
        "Lisp",
        "MATLAB",
        "OpenEdge Advanced Business Language",
        "Pascal (computer programming)",
        "Perl",
        "PHP",
        "R",
        "SAS language",
        "Scala",
        "Smalltalk (computer programming)",
        "TypeScript",
        "VBScript",
        "Visual Studio .NET",
        "Microsoft Visual C++",
        "C#",
        "C++",
        "Objective-C",
        "JavaScript",
        "algorithms",
        "object-oriented modelling",
        "unified modelling language",
    },
    "web": {
        "AJAX",
        "Ajax Framework",
        "ASP.NET",
        "CSS",
        "Drupal",
        "Joomla",
        "JavaScript Framework",
        "JSSS",
        "LESS",
        "Sass",
        "SPARK",
        "search engine optimisation",
        "web analytics",
        "web programming",
        "WebCMS",
        "WordPress",
        "World Wide Web Consortium standards",
        "e-commerce systems",
        "application usability",
        "usability engineering",
        "software interaction design",
        "software UI design patterns",
        "human-computer interaction",
        "information architecture",
    },
    "accessibility": {"ICT accessibility standards"},
    "security": {
        "attack vectors",
        "computer forensics",
        "cyber attack counter-measures",
        "data protection",
        "ICT encryption",
        "ICT network security risks",
        "ICT recovery techniques",
        "ICT security standards",
        "information confidentiality",
        "information security strategy",
        "system backup best practice",
        "web application security threats",
        "cloud security and compliance",
    },
    "infrastructure": {
        "Apache Tomcat",
        "Cisco",
        "cloud monitoring and reporting",
        "cloud technologies",
        "distributed computing",
        "distributed directory information services",
        "ICT network routing",
        "ICT network simulation",
        "ICT networking hardware",
        "Jboss",
        "IBM WebSphere",
        "LDAP",
        "mobile device management",
        "network management system tools",
        "Oracle WebLogic",
        "proxy servers",
        "data storage",
        "Internet of Things",
        "ICT hardware specifications",
        "iOS",
        "Android (mobile operating systems)",
        "mobile operating systems",
        "BlackBerry",
        "Windows Phone",
        "Kali Linux",
        "Parrot Security OS",
        "BlackArch",
        "ICT system integration",
        "solution deployment",
    },
    "practice": {
        "Agile development",
        "ICT problem management techniques",
        "ICT process quality models",
        "Incremental development",
        "Iterative development",
        "Prototyping development",
        "Rapid application development",
        "Spiral development",
        "systems development life-cycle",
        "Waterfall development",
        "ICT system user requirements",
        "ICT software specifications",
        "ICT architectural frameworks",
        "ICT help platforms",
        "levels of software testing",
        "software metrics",
        "software anomalies",
        "internet governance",
        "ICT performance analysis methods",
    },
}
_ESCO_DATA_WORDS = (
    "SQL",
    "data",
    "database",
    "Datacom",
    "DB2",
    "Informix",
    "InfoSphere",
    "Informatica",
    "MarkLogic",
    "MongoDB",
    "ObjectStore",
    "Teradata",
    "Pentaho",
    "Hadoop",
    "query",
    "SPARQL",
    "XQuery",
    "LINQ",
    "MDX",
    "N1QL",
    "TripleStore",
    "Filemaker",
    "Microsoft Access",
    "Oracle",
    "QlikView",
    "SAS Data",
    "machine learning",
    "analytical",
    "information extraction",
    "decision support",
    "artificial intelligence",
    "computer vision",
)
_ESCO_SECURITY_WORDS = ("penetration testing", "Nessus", "Nexpose", "Metasploit", "Maltego")
_ESCO_SECURITY_TOOLS = {
    "OWASP ZAP",
    "Samurai Web Testing Framework",
    "THC Hydra",
    "WhiteHat Sentinel",
    "Wireshark",
}
_ESCO_INFRASTRUCTURE_WORDS = (
    "configuration management",
    "Ansible",
    "Vagrant",
    "DevOps",
    "Octopus Deploy",
)

# --- Stack Overflow ---------------------------------------------------------------------------

# Words that may wrap a tag name in a synonym without changing its meaning: "r-language",
# "vanilla-javascript", "ms-excel", "windows-powershell".
SO_QUALIFIERS = {
    "apache",
    "apple",
    "classic",
    "core",
    "framework",
    "google",
    "js",
    "lang",
    "language",
    "microsoft",
    "ms",
    "net",
    "office",
    "script",
    "scripting",
    "server",
    "vanilla",
    "visual",
    "windows",
}
# Synonyms kept although the cheap filters would drop them: version names people really list
# as skills, and an old standard name.
SO_ALWAYS_KEPT = {
    "css3",
    "dotnetcore",
    "ecmascript",
    "html5",
    "revision-control",
    "source-control",
    "transact-sql",
}
# Synonyms that pass the filters but name a part or an adjective, not the skill.
SO_BLOCKED = {
    "coffee",
    "domain",
    "domains",
    "exchange",
    "javax",
    "mining",
    "network",
    "networks",
    "pythonic",
    "sheets",
    "sql-srever",
    "stripe.net",  # a .NET library for Stripe
}


def words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s\-_/.,()]+", text.casefold()) if word]


def significant(text: str) -> set[str]:
    """Content words of a label, singular, for comparing a label with its alternatives."""
    stop = {"a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "ict", "it"}
    # Words every software label shares, which say nothing about which software it is.
    stop |= {"application", "program", "programme", "software", "system", "tool"}
    return {word.removesuffix("s") for word in words(text) if len(word) > 2 and word not in stop}


def initials(text: str) -> set[str]:
    every = [word for word in words(text)]
    content = [word for word in every if word not in {"and", "of", "for", "the", "to"}]
    return {"".join(word[0] for word in every), "".join(word[0] for word in content)}


def is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return bool(short) and short[0] == long[:1] and all(char in letters for char in short)


# --- Builders ---------------------------------------------------------------------------------


def build_linguist(data: Path, fold, question_counts: dict[str, int]) -> list[dict]:
    languages = yaml.safe_load(
        (data / "linguist-languages" / "languages.yml").read_text(encoding="utf-8")
    )
    skills = []
    for name, language in languages.items():
        aliases = language.get("aliases") or []
        if name in LINGUIST_FORCED:
            category = LINGUIST_FORCED[name]
        elif language["type"] != "programming" or name in LINGUIST_EXCLUDED:
            continue
        elif language.get("group") not in (None, name):
            continue  # a dialect or a library of another language (TSX, NumPy)
        else:
            tags = [name, *(alias for alias in aliases if len(alias) > 2)]
            if max(question_counts.get(tag.lower().replace(" ", "-"), 0) for tag in tags) < (
                MIN_QUESTIONS
            ):
                continue
            category = LINGUIST_CATEGORIES.get(name, "programming")
        kept = [
            alias
            for alias in aliases
            if alias not in LINGUIST_NOT_SKILL_ALIASES
            and (len(fold(alias)) > 2 or fold(alias) in SAFE_SHORT_ALIASES)
            and fold(alias) != fold(name)
        ]
        skills.append({"name": name, "category": category, "description": "", "aliases": kept})
    return sorted(skills, key=lambda skill: skill["name"].casefold())


def esco_name(label: str) -> str:
    if label in ESCO_RENAMED:
        return ESCO_RENAMED[label]
    name = re.sub(r"\s*\([^)]*\)\s*$", "", label).strip()
    # Fields are lower case in ESCO ("data mining"); names here start with a capital. Products
    # keep their own spelling ("iOS").
    first_word = name.split()[0]
    return name[:1].upper() + name[1:] if first_word.islower() else name


def esco_category(label: str, name: str) -> str:
    if label.endswith("(computer programming)"):
        return "programming"
    for category, labels in ESCO_CATEGORIES.items():
        if label in labels:
            return category
    if name in _ESCO_SECURITY_TOOLS or any(word in label for word in _ESCO_SECURITY_WORDS):
        return "security"
    if any(word.casefold() in label.casefold() for word in _ESCO_DATA_WORDS):
        return "data"
    if any(word in label for word in _ESCO_INFRASTRUCTURE_WORDS):
        return "infrastructure"
    return "software"


def esco_alias_kept(alt: str, label: str, name: str, fold) -> bool:
    """Keep an alternative label that is a spelling, abbreviation or expansion of the label.

    ESCO's alternative labels for fields are often examples ("computer programming" lists 200
    languages, "graphics editor software" lists products); only labels that share a content
    word with the concept, contain it, abbreviate it or spell out its initials are kept.
    """
    folded, name_folded = fold(alt), fold(name)
    if alt in ESCO_ALIAS_BLOCKED or folded in (name_folded, fold(label)):
        return False
    if len(alt) > MAX_ALIAS_CHARS or len(words(alt)) > MAX_ALIAS_WORDS:
        return False
    if len(folded) <= 2 and folded not in SAFE_SHORT_ALIASES:
        return False
    if label[:1].islower() and alt[:1].isupper() and folded not in initials(label):
        return False  # a product named as an example of a field, not another name for it
    extra = set(words(alt)) - set(words(label))
    if any(re.search(r"\d", word) for word in extra) or {"edition", "editions"} & extra:
        return False  # a version or an edition of the same product
    related = (
        significant(alt) & significant(label)
        or (len(name_folded) > 3 and (name_folded in folded or folded in name_folded))
        or folded in initials(label)
        or fold(name) in initials(alt)
    )
    return bool(related)


def build_esco(data: Path, fold) -> list[dict]:
    concepts = json.loads(
        (data / "esco-ict-skills" / "esco_ict_skills.json").read_text(encoding="utf-8")
    )
    skills = []
    for concept in concepts:
        label = " ".join(concept["label"].split())
        if concept["skillType"] != "knowledge" or label in ESCO_EXCLUDED:
            continue
        name = esco_name(label)
        if len(name) > MAX_LABEL_CHARS or len(name.split()) > MAX_LABEL_WORDS:
            continue
        aliases = [label] if fold(label) != fold(name) else []
        for alt in concept.get("altLabel") or []:
            alt = " ".join(alt.split())
            if esco_alias_kept(alt, label, name, fold) and fold(alt) not in map(fold, aliases):
                aliases.append(alt)
        description = " ".join((concept.get("description") or "").split())
        skills.append(
            {
                "name": name,
                "category": esco_category(label, name),
                "description": description,
                "aliases": aliases,
                "uri": concept["uri"],
            }
        )
    return sorted(skills, key=lambda skill: skill["name"].casefold())


def so_synonym_kept(source: str, target: str, skill, fold) -> bool:
    """Keep a tag synonym that is another way to write the skill, not a part or a version."""
    if source in SO_ALWAYS_KEPT:
        return True
    if source in SO_BLOCKED:
        return False
    folded, target_folded, name_folded = fold(source), fold(target), fold(skill.name)
    if len(folded) <= 2 and folded not in SAFE_SHORT_ALIASES:
        return False
    plural = {target_folded + "s", target_folded + "es", target_folded.removesuffix("y") + "ies"}
    if folded in plural or target_folded in {folded + "s", folded + "es"}:
        return False
    if re.sub(r"[\d.x]+$", "", folded) in (target_folded, name_folded):
        return False  # angular2, php5, python-3.x: versions of the same tag
    extra = set(words(source)) - set(words(target))
    if set(words(source)) & set(words(target)):
        return extra <= SO_QUALIFIERS  # "wordpress-plugin" is a part, "r-language" the skill
    if len(target_folded) > 1 and target_folded in folded:
        # "vuejs", "golang" are the skill; "mysqldump", "bashrc", "cudamalloc" are parts of it.
        return all(part in SO_QUALIFIERS | {""} for part in folded.split(target_folded))
    return (
        folded in target_folded
        or folded in name_folded
        or is_subsequence(folded, target_folded)
        or is_subsequence(folded, name_folded)
        or folded in initials(target)
        or folded in initials(skill.name)
        or target_folded in initials(source)
    )


def build_stackoverflow(data: Path, taxonomy, fold) -> list[tuple[str, str]]:
    folder = data / "stackoverflow-tag-synonyms"
    # A master tag maps to a skill by name, or by an alias the merged taxonomy kept.
    skill_for = {key: skill for key, skill in taxonomy.skills.items()}
    for folded, alias in taxonomy.aliases.items():
        skill_for.setdefault(folded, taxonomy.skills[alias.skill_key])
    known = set(taxonomy.aliases) | set(taxonomy.skills)
    pairs = {}
    with (folder / "TagSynonyms.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            source, target = row["SourceTagName"], row["TargetTagName"]
            skill = skill_for.get(fold(target))
            if skill is None or fold(source) in known:
                continue
            if so_synonym_kept(source, target, skill, fold):
                pairs.setdefault(fold(source), (source, skill.name))
    return sorted(pairs.values(), key=lambda pair: (pair[1].casefold(), pair[0]))


def write_json(path: Path, attribution: str, skills: list[dict]) -> None:
    document = {"attribution": attribution, "skills": skills}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "network.settings")
    import django

    django.setup()
    from network import taxonomy
    from network.text import fold

    with (options.data / "stackoverflow-tag-synonyms" / "Tags.csv").open(
        encoding="utf-8", newline=""
    ) as stream:
        question_counts = {row["TagName"]: int(row["Count"]) for row in csv.DictReader(stream)}

    linguist = build_linguist(options.data, fold, question_counts)
    write_json(
        HERE / "linguist.json",
        "GitHub Linguist languages.yml, (c) GitHub, Inc., MIT licence; filtered, see README.md",
        linguist,
    )
    esco = build_esco(options.data, fold)
    write_json(
        HERE / "esco.json",
        "ESCO, European Commission; CC BY 4.0; labels shortened and filtered, see README.md",
        esco,
    )

    merged = taxonomy.read_taxonomy(sources=taxonomy.SKILL_SOURCES, directory=HERE)
    synonyms = build_stackoverflow(options.data, merged, fold)
    with (HERE / "stackoverflow" / "stackoverflow_aliases.csv").open(
        "w", encoding="utf-8", newline=""
    ) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(["alias", "skill"])
        writer.writerows(synonyms)

    full = taxonomy.read_taxonomy(directory=HERE)
    by_source = Counter(skill.source for skill in full.skills.values())
    alias_sources = Counter(alias.source for alias in full.aliases.values())
    print(f"linguist.json: {len(linguist)} languages; esco.json: {len(esco)} concepts;")
    print(f"stackoverflow_aliases.csv: {len(synonyms)} synonyms.")
    for source in taxonomy.SOURCES:
        print(f"  {source:14} {by_source[source]:4} skills {alias_sources[source]:5} aliases")
    print(
        f"  merged: {len(full.skills)} skills, {len(full.aliases)} aliases; "
        f"{full.duplicates} entries merged into another; {len(full.ambiguous)} ambiguous "
        f"aliases dropped: {', '.join(full.ambiguous)}"
    )


if __name__ == "__main__":
    main()

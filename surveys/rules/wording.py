"""Wording rules for English question text.

Hand-written patterns, no model: every rule runs in microseconds and needs no download.
Their precision and recall are measured on a labelled corpus by bench/lint_accuracy.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from surveys.rules import Finding
from surveys.rules.document import QuestionDoc, SurveyDoc

# --- double-barrelled ----------------------------------------------------------------------

# Pairs that name one thing: never two questions.
FIXED_PAIRS = [
    "terms and conditions",
    "friend or colleague",
    "friends or colleagues",
    "friend or family",
    "friends and family",
    "friends or family",
    "pros and cons",
    "research and development",
    "r&d",
    "q&a",
    "b&b",
    "at&t",
    "h&m",
    "m&a",
    "p&l",
    "bread and butter",
    "back and forth",
    "more or less",
    "sooner or later",
    "one or more",
    "two or more",
    "three or more",
    "one or two",
    "and/or",
    "either or",
    "whether or not",
    "or not",
    "black and white",
    "rock and roll",
    "salt and pepper",
    "trial and error",
    "rules and regulations",
    "health and safety",
    "arts and crafts",
    "up and running",
    "ups and downs",
    "now and then",
    "here and there",
    "by and large",
    "each and every",
    "first and foremost",
    "over and above",
    "safe and sound",
    "odds and ends",
    "give and take",
    "wait and see",
    "touch and go",
    "name and address",
    "question and answer",
    "questions and answers",
    "terms of service",
    "plug and play",
    "drag and drop",
    "copy and paste",
    "search and replace",
    "sign in or sign up",
    "log in or sign up",
    "mergers and acquisitions",
    "profit and loss",
    "supply and demand",
    "law and order",
    "time and again",
    "again and again",
    "more and more",
    "less and less",
    "on and off",
    "on or off",
    "yes or no",
    "true or false",
    "agree or disagree",
    "satisfied or dissatisfied",
    "likely or unlikely",
    "easy or difficult",
    "better or worse",
    "more or fewer",
    "higher or lower",
    "increase or decrease",
    "in and out",
    "sales and marketing",
    "customer success and support",
    "read and write",
    "terms & conditions",
    "pros & cons",
    "black & white",
    "before or after",
    "sales & marketing",
    "thank you and",
    "please and",
]
_FIXED = re.compile("|".join(sorted((re.escape(p) for p in FIXED_PAIRS), key=len, reverse=True)))
_NAME_PAIR = re.compile(r"\b[A-Z][\w'.-]*\s+(?:&|and)\s+[A-Z][\w'.-]*")
_BETWEEN = re.compile(r"\bbetween\s+[\w$€£%.,'-]+\s+and\s+", re.IGNORECASE)
_NUMBER_PAIR = re.compile(r"\d[\d.,%]*\s+(?:and|or|&)\s+\d")
_CONJUNCTION = re.compile(r"\s(?:and|or|as well as|&|along with|plus)\s", re.IGNORECASE)
_WH_OR_AUX = re.compile(
    r"\b(how|what|which|why|when|where|who|would|did|do|does|are|is|was|were|have|has|had|"
    r"will|can|could|should|rate|please|to what extent)\b",
    re.IGNORECASE,
)
# "… and why?" or a second clause asking again: two questions in one.
_SECOND_QUESTION = re.compile(
    r"\b(?:and|or)\s+(?:why|how|what|which|would|will|did|do|does|are|is|was|were|could|can|"
    r"please|if so|explain|tell)\b",
    re.IGNORECASE,
)
_CHOICE_OR = re.compile(r"\bor\b", re.IGNORECASE)


def _strip(text: str) -> str:
    text = text.replace("{company}", "Acme")
    text = _NAME_PAIR.sub(lambda m: "NAME" if not _starts_sentence(text, m.start()) else m[0], text)
    text = _BETWEEN.sub("between X ", text)
    text = _NUMBER_PAIR.sub("N", text)
    return _FIXED.sub("FIXED", text.lower()) if _FIXED.search(text.lower()) else text


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".?!:"


def double_barrelled(question: QuestionDoc) -> str | None:
    """The joined pair, when the question asks about two things at once."""
    text = _strip(question.text)
    second = _SECOND_QUESTION.search(text)
    if second and second.start() > 0:
        return second[0].strip()
    for match in _CONJUNCTION.finditer(text):
        word = match[0].strip().lower()
        if word == "or" and question.is_choice:
            continue  # "Do you prefer email or SMS?" offers alternatives
        left = text[: match.start()].split()
        right = text[match.end() :].split()
        if not left or not right:
            continue
        if not _WH_OR_AUX.search(text[: match.start()]) and not question.text.endswith("."):
            continue
        if (
            left[-1].endswith(",")
            and word == "and"
            and len(left) > 3
            and "," in " ".join(left[-4:-1])
        ):
            return f"{left[-1]} {word} {right[0]}"  # a list: "speed, price and quality"
        return f"{left[-1]} {word} {right[0]}".strip(",?.")
    return None


# --- leading, loaded, absolute ---------------------------------------------------------------

_LEADING = [
    (
        re.compile(
            r"\b(don'?t|do not|wouldn'?t|would not|isn'?t|is not|aren'?t|didn'?t|won'?t|"
            r"shouldn'?t|can'?t) (you|it|we|they|this|that)\b",
            re.I,
        ),
        "a question that expects agreement",
    ),
    (
        re.compile(
            r"\b(wouldn'?t you say|don'?t you agree|isn'?t it true|you agree that|"
            r"as you know|as most|like most|most (people|customers|users|experts)|"
            r"(many|most|all) (of our )?(customers|users|people|experts) (agree|say|think|"
            r"feel|prefer|love|find)|everyone (agrees|knows|loves))",
            re.I,
        ),
        "an appeal to agreement or to what others think",
    ),
    (
        re.compile(r"^\s*(should|shouldn'?t|could|couldn'?t|must)\b", re.I),
        "“should/could” suggests an answer",
    ),
    (
        re.compile(
            r"\b(should|shouldn'?t|must) (we|you|they|our|the|acme|[a-z]+ (?:be|have))\b", re.I
        ),
        "“should” suggests an answer",
    ),
    (
        re.compile(
            r"(?<!how )(?<!what )(?<!where )(?<!which )\bcould (we|you|our|the|it|acme)\b"
            r".*\b(better|more|improve|anything)\b",
            re.I,
        ),
        "“could” suggests an answer",
    ),
    (
        re.compile(r"\bfeel(s|ing)?\b(?! free)", re.I),
        "“feel” invites a mood instead of a judgement",
    ),
    (
        re.compile(
            r"\b(given|considering|since|because of|now that|after|thanks to) (our|the|all|"
            r"acme'?s?) (recent |many |new |great |continued |latest )?(improvements?|"
            r"investments?|efforts?|upgrades?|changes|success|awards?|hard work|"
            r"enhancements?|updates?)",
            re.I,
        ),
        "a premise that argues for one answer",
    ),
    (
        re.compile(
            r"\bhow (much|great|good|amazing|wonderful|happy|pleased|delighted|"
            r"frustrated|annoyed|disappointed|bad|poor|terrible) (did|do|were|was|are|is)\b"
            r"(?!.*\bor\b)",
            re.I,
        ),
        "the question assumes the answer's direction",
    ),
    (
        re.compile(
            r"\bhow much (did|do) you (enjoy|love|like|appreciate|value|hate|dislike)\b", re.I
        ),
        "the question assumes the answer's direction",
    ),
]
_PRAISE = re.compile(
    r"\b(excellent|great|amazing|outstanding|wonderful|fantastic|superb|exceptional|brilliant|"
    r"awesome|incredible|best|finest|terrific|fabulous|stellar|superior|first-class|top-notch|"
    r"improved|new and improved|helpful and friendly|friendly and helpful|dedicated|"
    r"hard-working|talented|expert|knowledgeable|caring|beloved|popular|exciting|"
    r"terrible|awful|horrible|poor|bad|frustrating|annoying|confusing|slow|clunky|outdated|"
    r"buggy|broken|unreliable|overpriced|disappointing|lousy|useless|incompetent|rude)\b",
    re.I,
)
_OUR_THING = re.compile(
    r"\b(our|the|acme'?s?|your|this|these|that)\s+(?:[a-z-]+\s+){0,2}?"
    r"$",
    re.I,
)


def leading(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme")
    for pattern, reason in _LEADING:
        if pattern.search(text):
            return reason
    for match in _PRAISE.finditer(text):
        if _OUR_THING.search(text[: match.start()]) or re.search(
            r"\b(our|acme)\b", text[: match.start()], re.I
        ):
            return f"“{match[0]}” praises or blames inside the question"
    return None


_LOADED = re.compile(
    r"\b(award[- ]winning|world[- ]class|industry[- ]leading|best[- ]in[- ]class|"
    r"market[- ]leading|cutting[- ]edge|state[- ]of[- ]the[- ]art|revolutionary|"
    r"game[- ]changing|trusted by|leading|renowned|famous|premium|legendary|"
    r"waste(d|s)?|wasting|suffer(ed|ing|s)?|forced|force you|ridiculous|outrageous|absurd|"
    r"greedy|scam|rip[- ]off|disaster|nightmare|crisis|fail(ed|ure|ing)? to|struggl(e|ed|ing)|"
    r"pain(ful)?|hassle|burden|gouging|exploit|abandon(ed)?|hate|love|stop)\b",
    re.I,
)
_PRESUPPOSE = re.compile(
    r"\b(where|when|how often|how much|why) (do|did|does|have|has) (you|your team) "
    r"(enjoy|like|love|prefer|recommend|hate|dislike|value|choose|rely)\b"
    r"|\bwhy (do|did) you (like|love|prefer|enjoy|choose|hate|dislike|trust)\b"
    r"|\bwhat do you (like|love|enjoy|value) most\b"
    r"|\bhow (has|have|did) .{0,40}(improved|helped|saved|transformed|benefited|increased)\b"
    r"|\bwhen did you (stop|start|realize|notice)\b",
    re.I,
)


def loaded(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme")
    match = _LOADED.search(text)
    if match:
        return f"“{match[0]}” is charged or assumes something"
    match = _PRESUPPOSE.search(text)
    if match:
        return f"“{match[0]}” takes for granted what it should ask"
    return None


_ABSOLUTE = re.compile(
    r"\b(always|never|every|everything|everyone|everybody|all|none|nothing|nobody|no one|"
    r"completely|totally|entirely|absolutely|each time|any time|at all times|without exception)"
    r"\b",
    re.I,
)
_ABSOLUTE_OK = re.compile(
    r"\b(at all likely|not at all|all in all|above all|after all|"
    r"all-in-one|overall|all of the above|none of the above)\b",
    re.I,
)


def absolute(question: QuestionDoc) -> str | None:
    text = _ABSOLUTE_OK.sub("", question.text)
    match = _ABSOLUTE.search(text)
    return match[0] if match else None


# --- double negative -----------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(not|no|never|neither|nor|none|nobody|nothing|cannot|without)\b|n't\b", re.I
)
_NEGATIVE_WORD = re.compile(
    r"\b(un(?!der|til|ion|ique|iform|it|iversal|less|ited)[a-z]{3,}|dis(?!cuss|cover|play|tance|"
    r"patch|count|k|c\b)[a-z]{3,}|in(?:correct|accurate|adequate|effective|efficient|"
    r"convenient|complete|consistent|sufficient|frequent|appropriate|capable)|"
    r"im(?:possible|proper|practical|patient)|il(?:legal|logical)|ir(?:relevant|regular|"
    r"responsible)|non[a-z-]{3,}|oppose[ds]?|against|refuse[ds]?|reject(ed|s)?|fail(ed|s)?|"
    r"lack(s|ed|ing)?|avoid(ed|s)?|prevent(ed|s)?|ban(ned|s)?|prohibit(ed|s)?|deny|denied)\b",
    re.I,
)


def double_negative(question: QuestionDoc) -> str | None:
    text = question.text
    negations = [m[0] for m in _NEGATION.finditer(text)]
    negative_words = [
        m[0]
        for m in _NEGATIVE_WORD.finditer(text)
        if m[0].lower() not in {"understand", "until", "unit", "disk"}
    ]
    if len(negations) >= 2 or (negations and negative_words):
        return " … ".join([*negations, *negative_words][:2])
    return None


# --- jargon, length, yes/no, known data --------------------------------------------------------

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}s?\b|\b[A-Z]\d\b")
COMMON_ACRONYMS = {
    "I",
    "OK",
    "US",
    "USA",
    "UK",
    "EU",
    "TV",
    "PC",
    "IT",
    "CEO",
    "CFO",
    "CTO",
    "AM",
    "PM",
    "FAQ",
    "SMS",
    "PDF",
    "ID",
    "PIN",
    "ATM",
    "GPS",
    "APP",
    "DIY",
    "VIP",
    "HR",
    "ASAP",
    "USB",
    "URL",
    "Q1",
    "Q2",
    "Q3",
    "Q4",
    "NPS",
    "AI",
    "N",
    "A",
    "NA",
    "N/A",
}
JARGON_TERMS = re.compile(
    r"\b(synerg(y|ies)|leverage[ds]?|bandwidth|deflection|omnichannel|touchpoints?|"
    r"time[- ]to[- ]value|escalation matrix|tier[- ]?\d|l\d support|p\d tickets?|"
    r"runbook|playbook|north star|win[- ]back|upsell|cross[- ]sell|churn(ed)?|"
    r"health score|csm|qbr|ebr|mrr|arr|sla|kpi|okr|tco|roi|ttv|sso|saml|scim|api)\b",
    re.I,
)


def jargon(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme")
    for match in _ACRONYM.finditer(text):
        word = match[0].rstrip("s") if match[0].endswith("s") and len(match[0]) > 2 else match[0]
        if word in COMMON_ACRONYMS or _explained(text, match.start(), match.end()):
            continue
        return match[0]
    match = JARGON_TERMS.search(text)
    if match and not _explained(text, match.start(), match.end()):
        return match[0]
    return None


def _explained(text: str, start: int, end: int) -> bool:
    after, before = text[end : end + 3], text[max(0, start - 2) : start]
    return after.lstrip().startswith("(") or before.endswith("(")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z{\"“(])")


def too_long(question: QuestionDoc) -> str | None:
    words = len(question.text.split())
    sentences = [s for s in _SENTENCE_END.split(question.text.strip()) if s]
    if words > 25:
        return f"{words} words"
    if len(sentences) > 2:
        return f"{len(sentences) - 1} sentences before the question"
    return None


_YES_NO = re.compile(
    r"^\s*(?:overall,?\s*|in general,?\s*|so,?\s*)?(are|is|was|were|do|does|did|have|has|had|"
    r"can|could|will|would)\s+(you|your|the|our|acme|it|this|that|they|we)\b",
    re.I,
)
_GRADED = re.compile(
    r"\b(satisf\w*|happy|pleased|content|easy|easily|difficult|hard|simple|useful|helpful|"
    r"good|clear|likely|enjoy\w*|like[ds]?|fast|quick(ly)?|slow|friendly|important|valuable|"
    r"effective|reliable|efficient|convenient|intuitive|responsive|professional|"
    r"knowledgeable|courteous|worth|fair|reasonable|accurate|confident|comfortable|"
    r"recommend|well|enough|sufficient|adequate|quality|improved|better|trust|agree|"
    r"meet (your|the) (needs|expectations)|met (your )?(needs|expectations))\b",
    re.I,
)


def yes_no_graded(question: QuestionDoc) -> str | None:
    if question.type in {"nps", "text"}:
        return None
    text = question.text.replace("{company}", "Acme")
    if not _YES_NO.search(text) or " or " in text.lower():
        return None
    match = _GRADED.search(text)
    return match[0] if match else None


_KNOWN = re.compile(
    r"\b(what is|what's|please (enter|give|provide|type|share)|enter|provide|confirm|"
    r"tell us|may we have|can you give us) (your|the name of your) "
    r"(full |first |last |work |business |mobile |cell )?(name|e-?mail( address)?|phone"
    r"( number)?|mobile( number)?|telephone( number)?|company( name)?|employer|organi[sz]ation"
    r"( name)?|account (name|number|id)|customer id)\b"
    r"|\b(which|what) (company|organi[sz]ation|employer|business|firm) (do|are) you (work|"
    r"employed|with|from)"
    r"|\bwho (do|is) you(r)? (work for|employer)\b"
    r"|\bwhat (company|organi[sz]ation) are you (with|from)\b",
    re.I,
)


def asks_known_data(question: QuestionDoc) -> str | None:
    match = _KNOWN.search(question.text)
    return match[0] if match else None


def check(doc: SurveyDoc) -> Iterator[Finding]:
    for index, question in enumerate(doc.questions):
        yield from _check_question(index, question)


def _check_question(index: int, question: QuestionDoc) -> Iterator[Finding]:
    pair = double_barrelled(question)
    if pair:
        yield Finding(
            "double-barrelled",
            index,
            f"This asks about two things at once (“{pair}”): an answer cannot say "
            "which one it is about.",
            "Split it into two questions, each about one thing, or keep the one that matters most.",
        )
    reason = leading(question)
    if reason:
        yield Finding(
            "leading",
            index,
            f"The wording pushes toward an answer: {reason}.",
            "Ask neutrally, e.g. “How satisfied or dissatisfied are you with …?”.",
        )
    reason = loaded(question)
    if reason:
        yield Finding(
            "loaded",
            index,
            f"Charged or assuming wording: {reason}.",
            "Describe the thing plainly and do not presume the respondent's "
            "experience; ask first whether it applies.",
        )
    word = absolute(question)
    if word:
        yield Finding(
            "absolute",
            index,
            f"“{word}” forces an extreme: almost nobody can honestly say yes.",
            "Ask how often or how much instead (e.g. “How often …?”).",
        )
    pair = double_negative(question)
    if pair:
        yield Finding(
            "double-negative",
            index,
            f"Two negations (“{pair}”) make the question hard to read and to answer.",
            "Say it positively: “Do you agree that …?” with a scale from disagree to agree.",
        )
    term = jargon(question)
    if term:
        yield Finding(
            "jargon",
            index,
            f"“{term}” may not mean anything to the customer.",
            "Use plain words, or explain the term in brackets the first time.",
        )
    length = too_long(question)
    if length:
        yield Finding(
            "too-long",
            index,
            f"The question is long ({length}); on a phone it will be skimmed.",
            "Keep questions under 25 words and put at most one short sentence of "
            "context before them.",
        )
    word = yes_no_graded(question)
    if word:
        yield Finding(
            "yes-no-graded",
            index,
            f"A yes/no question about something that comes in degrees (“{word}”).",
            "Build the scale into the question: “How satisfied or dissatisfied …?” "
            "with a labelled scale.",
        )
    asked = asks_known_data(question)
    if asked:
        yield Finding(
            "asks-known-data",
            index,
            f"Pulse already knows this about the contact (“{asked}”).",
            "Remove the question: answers are linked to the contact and the customer.",
        )

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
    "every now and then",
    "here and there",
    "by and large",
    "each and every",
    "first and foremost",
    "over and above",
    "safe and sound",
    "odds and ends",
    "give and take",
    "give or take",
    "wait and see",
    "touch and go",
    "question and answer",
    "questions and answers",
    "plug and play",
    "drag and drop",
    "copy and paste",
    "search and replace",
    "mergers and acquisitions",
    "profit and loss",
    "supply and demand",
    "law and order",
    "time and again",
    "again and again",
    "more and more",
    "less and less",
    "on and off",
    "in and out",
    "read and write",
    "terms & conditions",
    "pros & cons",
    "black & white",
    "plans & pricing",
    "plans and pricing",
    "above and beyond",
    "first and last name",
    "or higher",
    "or more",
    "or less",
    "or lower",
    "or above",
    "or below",
    "or better",
    "or worse",
    "or fewer",
    "ernst & young",
]
_FIXED = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(p) for p in FIXED_PAIRS), key=len, reverse=True)) + r")\b"
)
# "Johnson & Johnson", "Marks and Spencer": capitalised words (not acronyms like SAML).
_NAME_PAIR = re.compile(r"\b[A-Z][a-z][\w'.-]*\s+(?:&|and)\s+[A-Z][a-z][\w'.-]*")
_BETWEEN = re.compile(r"\bbetween\s+(?:\S+\s+){0,8}?and\s+", re.IGNORECASE)
_NUMBER_PAIR = re.compile(r"\d[\d.,%]*\s+(?:and|or|&)\s+\d")
_CONJUNCTION = re.compile(r"\s(?:and|or|as well as|&|along with|plus)\s", re.IGNORECASE)
# "or" offers alternatives when the question asks for a preference or a balanced judgement.
_PREFERENCE = re.compile(
    r"\b(prefer|preference|rather|favou?r|oppose|choose|which|whether|"
    r"either)\b",
    re.IGNORECASE,
)
_OPPOSITES = re.compile(
    r"\b(\w+) or (?:un|dis|in|im|non-?)\1\b|\b(easy or difficult|easy or hard|good or bad|"
    r"better or worse|positive or negative|support or oppose|increase or decrease|"
    r"yes or no|true or false|agree or disagree|more or fewer|higher or lower|"
    r"same or different|fast or slow|on or off|before or after|"
    r"(satisfied|likely|agree|happy|helpful|clear) or (dis|un)\w+)\b",
    re.IGNORECASE,
)
_INSTRUCTION = {"tell", "let"}
_AUX = r"(?:would|did|do|does|are|is|was|were|have|has|had|will|can|could|should)(?:n'?t)?"
_WH_OR_AUX = re.compile(
    rf"\b(how|what|which|why|when|where|who|{_AUX}|rate|please|to what extent)\b", re.IGNORECASE
)
# "… and why?": a second question after the first.
_SECOND_QUESTION = re.compile(
    r"\b(?:and|or)\s+(?:why|how|what|which|would|will|did|do|does|are|is|was|were|could|can|"
    r"if so|explain)\b",
    re.IGNORECASE,
)
# "the checkout and payment page": two words naming one thing by the noun they share.
_SHARED_HEAD = re.compile(
    r"^(page|pages|screen|screens|process|flow|form|portal|module|section|tab|team|teams|"
    r"department|departments|tool|feature|dashboard|settings|center|centre|app|system|"
    r"workflow|integration|plan|area|function|report|window|menu|bar|button|field|option|"
    r"options|category|role|service|services|platform|suite|program|programme)\b",
    re.IGNORECASE,
)


def _strip(text: str) -> str:
    text = text.replace("{company}", "Acme").replace("{product}", "Widget")
    text = _NAME_PAIR.sub(lambda m: m[0] if _starts_sentence(text, m.start()) else "NAME", text)
    text = _BETWEEN.sub("between X ", text)
    text = _NUMBER_PAIR.sub("N", text)
    return _FIXED.sub("FIXED", text.lower()) if _FIXED.search(text.lower()) else text


_STOP = {"the", "a", "an", "of", "to", "your", "our", "you", "it", "is", "was", "more", "less"}


def _shares_words(left: list[str], right: list[str]) -> bool:
    words = {w.strip(",?.").lower() for w in left} - _STOP
    return bool(words & ({w.strip(",?.").lower() for w in right} - _STOP))


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return not before or before[-1] in ".?!:"


def double_barrelled(question: QuestionDoc) -> str | None:
    """The joined pair, when the question asks about two things at once.

    "or" is not a trigger: it offers alternatives ("email or phone", "favor or oppose").
    """
    text = _strip(question.text)
    second = _SECOND_QUESTION.search(text)
    if second and second.start() > 0:
        return second[0].strip()
    for match in _CONJUNCTION.finditer(text):
        left = text[: match.start()].split()
        right = text[match.end() :].split()
        if not left or not right:
            continue
        if match[0].strip().lower() == "or" and (
            question.is_choice
            or left[-1].endswith(",")
            or _PREFERENCE.search(text)
            or _OPPOSITES.search(f"{left[-1]} or {right[0]}".strip(",?."))
        ):
            continue
        if right[0].lower() in _INSTRUCTION:  # "…, and tell us how satisfied you were"
            continue
        if match[0].strip().lower() == "or" and _shares_words(left[-4:], right[:3]):
            continue  # "much more productive or somewhat more productive": steps of one scale
        if not _WH_OR_AUX.search(text[: match.start()]) and not question.text.endswith("."):
            continue
        following = right[1] if len(right) > 1 else ""
        if _SHARED_HEAD.match(following.strip(",?.")):
            continue
        return f"{left[-1]} {match[0].strip()} {right[0]}".strip(",?.")
    return None


# --- leading, loaded, absolute ---------------------------------------------------------------

_NEGATIVE_START = re.compile(
    r"^\s*(don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|wouldn'?t|"
    r"shouldn'?t|can'?t|couldn'?t|haven'?t|hasn'?t)\b",
    re.I,
)
_LEADING = [
    (_NEGATIVE_START, "a negative question expects “yes”"),
    (
        re.compile(
            r"\b(don'?t|do not|wouldn'?t|would not|isn'?t|is not|aren'?t|didn'?t|won'?t) "
            r"you (agree|think|say|feel|find)\b",
            re.I,
        ),
        "a question that expects agreement",
    ),
    (
        re.compile(
            r"\b(wouldn'?t you say|don'?t you agree|isn'?t it true|as you know|"
            r"everyone (agrees|knows|loves))\b",
            re.I,
        ),
        "an appeal to what others think",
    ),
    (
        re.compile(
            r",\s*(right|correct|isn'?t it|don'?t you|wouldn'?t you|didn'?t it|no)\s*\?\s*$", re.I
        ),
        "a tag question that asks for agreement",
    ),
    (re.compile(r"^\s*(should|shouldn'?t|must)\b", re.I), "“should” suggests an answer"),
    (
        re.compile(
            r"(?<!how )\b(surely|obviously|of course|undoubtedly|certainly|naturally|"
            r"is it fair to say|it is clear that|clearly)\b",
            re.I,
        ),
        "it tells the respondent what to think",
    ),
    (
        re.compile(
            r"\b\d+\s?%\s+of\s+(our\s+)?(customers|users|teams|people|clients|companies)\b", re.I
        ),
        "an appeal to what others think",
    ),
    (
        re.compile(r"\b(even|any) (more|better|easier|faster|simpler|smoother|further)\b", re.I),
        "“even more” assumes it was already good",
    ),
    (
        re.compile(
            r"\bhow much (better|worse|easier|harder|faster|slower|more|less|simpler)\b", re.I
        ),
        "the question assumes the direction of the change",
    ),
    (
        re.compile(
            r"^\s*(given|considering|since|because|now that|after|thanks to|with)\b[^?]*?,", re.I
        ),
        "a premise that argues for one answer",
    ),
    (
        re.compile(
            r"\bhow (great|good|amazing|wonderful|happy|pleased|delighted|"
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
    (
        re.compile(
            r"\bhow (painful|annoying|frustrating|irritating|disappointing|exciting|excited|"
            r"thrilled|delighted) (was|were|is|are|did|do|would)\b",
            re.I,
        ),
        "the question assumes the answer's direction",
    ),
    (
        re.compile(
            r",\s*((?:\w+n'?t|am|is|are|was|were|did|do|does|have|has|will|would|can) "
            r"(?:it|they|you|i|he|she|we|there|that)(?: right)?|right|correct|yes|no|ok|okay|"
            r"true)\s*\?\s*$",
            re.I,
        ),
        "a tag question that asks for agreement",
    ),
    (
        re.compile(
            r",\s*(given|considering|bearing in mind|in light of|now that|since|especially|"
            r"at (?:its|our|this) (?:low|special|introductory|discounted))\b",
            re.I,
        ),
        "a premise that argues for one answer",
    ),
    (
        re.compile(
            r"^\s*(having|as a|as an|as one of|to avoid|with so many|with all|in light of|"
            r"bearing in mind|knowing)\b[^?]*?,",
            re.I,
        ),
        "a premise that argues for one answer",
    ),
    (
        re.compile(
            r"\b(what|which) benefits\b(?!,? if any)|\bin what ways? (has|have|did)\b"
            r"|\bby how (many|much)\b"
            r"|\bhow (many|much) [\w\s-]{0,40}?(has|have|did) [\w\s{}-]{0,40}?(saved?|cut|"
            r"reduced?|improved?|gained|helped|boosted|increased)\b",
            re.I,
        ),
        "the question assumes a benefit",
    ),
    (
        re.compile(
            r"\b(stayed late|worked (so )?hard|spent (\w+ )?(months|weeks|years)|"
            r"put (a lot of|so much) (work|effort)|went the extra mile|above and beyond|"
            r"risk (losing|missing)|avoid losing|don'?t miss|before it'?s too late|"
            r"limited time|select customers|exclusive offer|valued customer|"
            r"loyal (customer|partner)s?)\b",
            re.I,
        ),
        "an appeal that argues for one answer",
    ),
    (
        re.compile(r"\b(would it be|is it) fair to say\b", re.I),
        "it tells the respondent what to think",
    ),
]
# "Some teams like it and others do not": a balanced context, not social proof.
_BALANCED = re.compile(r"\b(others|other (teams|customers|users|people)|while some)\b", re.I)
_SOCIAL = re.compile(
    r"(?<!how )\b(most|many|nine out of ten|\d+ (?:in|out of) \d+|"
    r"(?:one|two|three|four|five|six|seven|"
    r"eight|nine) (?:in|out of) (?:four|five|ten)|over \d[\d,.]*%?|more than \d[\d,.]*%?|"
    r"\d[\d,.]*%|thousands of|hundreds of|the majority of)\s+(?:of\s+)?(?:our\s+)?"
    r"(?:[\w-]+\s+)?(customers|users|admins|teams|people|clients|companies|partners|"
    r"organi[sz]ations|businesses|members)\b"
    r"|\b(experts?|analysts?|auditors?|independent [\w-]+|researchers?|studies|research|"
    r"our (?:[\w-]+ )?(?:team|trainers|engineers|specialists|experts|customers|users)|"
    r"your (?:peers|colleagues)|customers|users|clients|people|everyone|"
    r"industry [\w-]+)\s+(say|says|agree|recommend|believe|believes|rate|call|find|love|"
    r"found|show|shows|suggest|confirm|praise)\b",
    re.I,
)
_PRAISE = (
    r"excellent|great|amazing|outstanding|wonderful|fantastic|superb|exceptional|"
    r"brilliant|awesome|incredible|best|finest|terrific|fabulous|stellar|superior|"
    r"first-class|top-notch|improved|much-improved|new and improved|dedicated|"
    r"hard-working|talented|expert|caring|beloved|popular|exciting|powerful|"
    r"seamless|intuitive|beautiful|beautifully designed|elegant|generous|convenient|"
    r"easy-to-use|helpful|knowledgeable|friendly|professional|responsive|fast|quick|"
    r"efficient|reliable|modern|simple|easy|insightful|effortless|always-available|smart|"
    r"smarter|handy|valuable|innovative|proven"
)
_BLAME = (
    r"terrible|awful|horrible|poor|bad|frustrating|annoying|confusing|clunky|outdated|"
    r"buggy|broken|unreliable|overpriced|disappointing|lousy|useless|incompetent|rude|"
    r"slow|painful|tedious|cumbersome|bloated|complicated|messy|ugly|excessive"
)
_MARKETING = (
    r"award[- ]winning|world[- ]class|industry[- ]leading|best[- ]in[- ]class|"
    r"market[- ]leading|cutting[- ]edge|state[- ]of[- ]the[- ]art|revolutionary|"
    r"game[- ]changing|legendary|renowned|acclaimed|celebrated"
)
_STRONG = (
    r"excellent|great|amazing|outstanding|wonderful|fantastic|superb|exceptional|"
    r"brilliant|awesome|incredible|perfect|terrific|terrible|awful|horrible|useless|"
    r"lousy|disappointing|frustrating|confusing|clunky"
)
# "… our excellent support team …": praise or blame of what is being rated.
_EVALUATED = re.compile(
    rf"\b(?:our|the|your|this|these|its|acme'?s?|widget'?s?)\s+(?:(?:very|really|so|new|recent|"
    rf"much|latest|all[- ]new|fast|friendly|and|dedicated,?|new,?|own|already)\s+)*"
    rf"(?P<word>{_PRAISE}|{_BLAME}|{_MARKETING})"
    rf"(?:\s+and\s+[\w-]+)?,?\s+(?!(?:to|at|for|in|on|when|than|enough|or|and|is|are|was)\b)"
    rf"[a-z]",
    re.I,
)
# "… that our support is excellent?"
_PREDICATE = re.compile(
    rf"\b(?:that|if) (?:our|the|your|acme'?s?|widget'?s?) [\w\s-]{{1,40}}? (?:is|was|are|were) "
    rf"(?:very |really |truly )?(?P<word>{_STRONG}|{_MARKETING})\b",
    re.I,
)
# "Was the onboarding excellent?": the only "yes" is the praise.
_YES_NO_STRONG = re.compile(rf"^\s*(?:{_AUX})\b[^?]*\b(?P<word>{_STRONG})\b[^,]*\?\s*$", re.I)
# "Our support is always fast, so …": a claim made before the question.
_OUR_CLAIM = re.compile(
    rf"^\s*(?:our|we|acme|widget)\b[^.?!]*?\b(?:is|are|was|were)\s+(?:always\s+|very\s+|so\s+)?"
    rf"(?P<word>{_PRAISE}|{_MARKETING})\b",
    re.I,
)
# Questions about facts, where a kind word about the product does not bias the answer.
_FACTUAL = re.compile(
    r"^\s*(how did you (first )?(hear|find out|learn)|when did|where did|who (is|was|did)|"
    r"which (department|team|role))\b",
    re.I,
)
_AWARD = re.compile(r"\b(award|of the year|winner of|voted|named (?:the )?best)\b", re.I)
_EVALUATIVE = re.compile(
    r"\b(rate|rating|satisf\w*|how (good|well|helpful|easy|useful|likely|valuable|important|"
    r"clear|fast|quick|reliable|responsive|much did you|much do you|much (?:has|have|did|"
    r"does))|improved|helped|saved|recommend|agree|"
    r"experience|would you (say|describe)|score|opinion|think of|impress\w*)\b",
    re.I,
)


def leading(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme").replace("{product}", "Widget")
    for pattern, reason in _LEADING:
        if pattern.search(text):
            return reason
    if "?" in text and _SOCIAL.search(text) and not _BALANCED.search(text):
        return "an appeal to what others think or say"
    match = _PREDICATE.search(text) or _YES_NO_STRONG.search(text) or _OUR_CLAIM.search(text)
    if match:
        return f"“{match['word']}” puts the answer in the question"
    match = _EVALUATED.search(text)
    if match and not _FACTUAL.search(text):
        return f"“{match['word']}” praises or blames what is being rated"
    match = _AWARD.search(text)
    if match and _EVALUATIVE.search(text):
        return f"“{match[0]}” argues for a good rating"
    return None


_LOADED = re.compile(
    rf"\b({_MARKETING}|trusted by|waste(d|s)?|wasting|suffer(ed|ing|s)?|forced|force you|"
    rf"ridiculous|outrageous|absurd|greedy|scam|rip[- ]off|disaster|nightmare|crisis|"
    rf"fail(ed|ure|ing)? to|struggl(e|ed|es|ing)|pain(ful)?|hassle|burden|gouging|exploit|"
    rf"abandon(ed)?|hate|clunky|confusing|frustrating|annoying|terrible|awful|horrible|"
    rf"useless|buggy|lousy|incompetent|rude|cumbersome|tedious|bloated|of the year|"
    rf"award|love|loves|loved|thrilled|outdated|excessive|overdue)\b",
    re.I,
)
_PRESUPPOSE = re.compile(
    r"\b(where|when|how often|why) (do|did|does|have|has) (you|your team) "
    r"(enjoy|like|love|prefer|hate|dislike|choose|rely)\b"
    r"|\bwhy (do|did) you (like|love|prefer|enjoy|choose|hate|dislike|trust|stop|quit|"
    r"leave|abandon)\b"
    r"|\bwhat do you (like|love|enjoy|value) most\b"
    r"|\bhow (has|have|did) .{0,40}(improved|helped|saved|transformed|benefited|increased)\b"
    r"|\bwhen did (you|your team|your company) (stop|start|begin|realize|notice|decide)\b"
    r"|\bwhen did you last (miss|forget|fail|lose|break|ignore)\b"
    r"|\bwhat made (you|your team|your company) (give up|stop|quit|leave|abandon|switch)\b"
    r"|\bwhy do you keep\b|\bstill (struggles?|has trouble|have trouble|can'?t|cannot)\b"
    r"|\b(lose|loses|lost|losing|waste|wastes|wasting) (time|hours|money|deals)\b"
    r"|\bsince you stopped\b",
    re.I,
)


def loaded(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme").replace("{product}", "Widget")
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
    r"\b(?!-)",
    re.I,
)
_ABSOLUTE_OK = re.compile(
    r"\b(at all likely|not at all|if at all|all in all|above all|after all|all-in-one|overall|"
    r"all of the above|none of the above|all that apply|every now and then|every so often|"
    r"every (?:two|three|four|six|other|few|\d+) (?:days|weeks|months|years|hours)|"
    r"(?:our|we|acme|widget)\b[^.?!,]*?\b(?:always|never))\b",
    re.I,
)


def absolute(question: QuestionDoc) -> str | None:
    text = question.text.replace("{company}", "Acme").replace("{product}", "Widget")
    match = _ABSOLUTE.search(_ABSOLUTE_OK.sub("", text))
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
    rf"^\s*(?:overall,?\s*|in general,?\s*|so,?\s*)?(?:{_AUX})\s+(?!there (?:anything|any)\b)"
    r"[\w'{}]+\b",
    re.I,
)
# Negative and tag questions ask for a "yes" about something graded.
_ASKS_FOR_YES = re.compile(
    r"^\s*(don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|wouldn'?t(?! it be)|"
    r"shouldn'?t|can'?t|couldn'?t|haven'?t|hasn'?t)\b"
    r"|,\s*((?:\w+n'?t|am|is|are|was|were|did|do|does|have|has|will|would|can) "
    r"(?:it|they|you|i|he|she|we|there|that)(?: right)?|right|correct|yes|ok|okay|true)\s*\?\s*$",
    re.I,
)
_GRADED = re.compile(
    r"\b(satisf\w*|dissatisf\w*|happy|unhappy|pleased|content|eas(y|ier|ily)|difficult|hard|"
    r"simpl(e|er)|uncomplicated|complicated|useful|helpful|unhelpful|good|better|clear(er)?|"
    r"clean(er)?|(un)?likely|enjoy\w*|like[ds]?|fast(er)?|quick(er|ly)?|slow(er)?|friendly|"
    r"important|valuable|effective|reliable|efficient|convenient|intuitive|responsive|"
    r"professional|knowledgeable|courteous|worth|fair|reasonable|accurate|acceptable|"
    r"confident|comfortable|recommend|well|enough|sufficient|adequate|quality|improved|trust|"
    r"(dis)?agree|smooth(er)?|organi[sz]ed|secure|stable|affordable|expensive|cheap|"
    r"interest(ed|ing)|relevant|fully|productive|worthwhile|benefit|straightforward|"
    r"professionally|clearly|well|right|fair|enjoyable|engaging|appropriate|"
    r"meet (your|the) (needs|expectations)|met (your )?(needs|expectations))\b",
    re.I,
)


def yes_no_graded(question: QuestionDoc) -> str | None:
    if question.type in {"nps", "text"}:
        return None
    text = question.text.replace("{company}", "Acme").replace("{product}", "Widget")
    asked = _SENTENCE_END.split(text.strip())[-1]
    if _ASKS_FOR_YES.search(asked):
        return "a yes expected"
    if not _YES_NO.search(asked) or re.search(r"\bor\b", asked, re.I):
        return None
    match = _GRADED.search(asked)
    return match[0] if match else None


_KNOWN = re.compile(
    r"\b(what is|what's|please (enter|give|provide|type|share)|enter|provide|confirm|"
    r"tell us|may we have|can you give us) (your|a|the name of your) "
    r"(full |first |last |work |business |mobile |cell |contact )?(name|e-?mail( address)?|"
    r"phone( number)?|mobile( number)?|telephone( number)?|company( name)?|employer|"
    r"organi[sz]ation( name)?|account (name|number|id)|customer id)\b"
    r"|\b(which|what) (company|organi[sz]ation|employer|business|firm) (do|are) you (work|"
    r"employed|with|from)"
    r"|\bwho (do|is) you(r)? (work for|employer)\b"
    r"|\bwhat (company|organi[sz]ation) are you (with|from)\b"
    r"|\b(type|write|fill in|give us|share|enter) (in )?your (first |last |full )?"
    r"(and last )?(name|e-?mail|phone|number)\b"
    r"|\bbest (phone )?number to (call|reach|text)|\bbest e-?mail (address )?to (reach|contact)"
    r"|\bhow (can|should) we (reach|contact) you\b",
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

"""Layer-5 value readers: TIMEX3 / ISO 8601 date values, and numbers written in text.

Both are deliberately conservative. `timex_problem` accepts the value forms of guidelines
section 4 (plus the other TIMEX3 forms a careful annotator may need) and checks that the
value exists in the calendar. `read_number` reads a numeric-claim span only when it fully
understands it ("around $20 billion", "7 million", "six", "a second", "20 times",
"180-degree"); anything else returns None and is not checked, so the validator never
complains about a span it could not read.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from functools import lru_cache
from dataclasses import dataclass

# ----------------------------------------------------------------------------- dates

_REFS = {"PRESENT_REF", "PAST_REF", "FUTURE_REF"}
_DIGIT = "[0-9]"
_YEAR = r"(?P<year>[0-9]{4})"


def _d(n: int, allow_x: bool) -> str:
    char = "[0-9X]" if allow_x else "[0-9]"
    return f"{char}{{{n}}}"


def _date_forms(allow_x: bool) -> list[re.Pattern]:
    y, two = _d(4, allow_x), _d(2, allow_x)
    one = "[0-9X]" if allow_x else "[0-9]"
    return [
        re.compile(rf"^(?P<year>{y})$"),
        re.compile(rf"^(?P<year>{y})-(?P<month>{two})$"),
        re.compile(rf"^(?P<year>{y})-(?P<month>{two})-(?P<day>{two})$"),
        re.compile(rf"^(?P<year>{y})-W(?P<week>{two})$"),
        re.compile(rf"^(?P<year>{y})-W(?P<week>{two})-(?P<weekday>{one})$"),
        re.compile(rf"^(?P<year>{y})-Q(?P<quarter>[1-4X])$"),
        re.compile(rf"^(?P<year>{y})-H(?P<half>[12X])$"),
        re.compile(rf"^(?P<year>{y})-(?P<season>SP|SU|FA|WI)$"),
        re.compile(r"^(?P<decade>[0-9]{3})$"),  # the 1990s: 199
        re.compile(r"^(?P<century>[0-9]{2})$"),  # the 20th century: 19
    ]


_DATE_FORMS = _date_forms(False)
_SET_DATE_FORMS = _date_forms(True)
_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?:(?P<part>MO|AF|EV|NI|DT)|(?P<hour>[0-9]{2})(?::(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?)$"
)
_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|X)"
_DURATION = re.compile(
    rf"^P(?=[0-9X.]|T)(?:{_NUM}Y)?(?:{_NUM}Q)?(?:{_NUM}M)?(?:{_NUM}W)?(?:{_NUM}D)?(?:{_NUM}DE)?(?:{_NUM}CE)?"
    rf"(?:T(?=[0-9X])(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?$"
)


def _calendar_problem(parts: dict[str, str | None]) -> str | None:
    year = parts.get("year")
    if year is None or "X" in year:
        return None
    y = int(year)
    if y == 0:
        return "year 0000 does not exist"
    month, day, week, weekday = parts.get("month"), parts.get("day"), parts.get("week"), parts.get("weekday")
    if month is not None and "X" not in month:
        m = int(month)
        if not 1 <= m <= 12:
            return f"month {month} does not exist (01-12)"
        if day is not None and "X" not in day:
            last = calendar.monthrange(y, m)[1]
            if not 1 <= int(day) <= last:
                return f"{year}-{month} has no day {day} (it has {last} days)"
    elif day is not None and "X" not in day and not 1 <= int(day) <= 31:
        return f"day {day} does not exist"
    if week is not None and "X" not in week:
        weeks = _dt.date(y, 12, 28).isocalendar()[1]
        if not 1 <= int(week) <= weeks:
            return f"ISO year {year} has no week {week} (it has {weeks} weeks)"
    if weekday is not None and "X" not in weekday and not 1 <= int(weekday) <= 7:
        return f"weekday {weekday} does not exist (1-7)"
    return None


def iso_date_problem(value: str) -> str | None:
    """For a plain YYYY, YYYY-MM or YYYY-MM-DD value (metadata dates, temporal anchor)."""
    for form in _DATE_FORMS[:3]:
        match = form.match(value)
        if match:
            return _calendar_problem(match.groupdict())
    return "not YYYY, YYYY-MM or YYYY-MM-DD"


def _match_date(value: str, forms: list[re.Pattern]) -> tuple[bool, str | None]:
    for form in forms:
        match = form.match(value)
        if match:
            return True, _calendar_problem(match.groupdict())
    return False, None


_WRITTEN_DATE = re.compile(r"^(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})$")


def iso_date_suggestions(value: str) -> list[str]:
    """The ISO dates a date written another way ("14/12/2020", "2020/12/14", "12.14.2020") may
    mean: two when day and month could be either way round, none when it is no such date."""
    match = _WRITTEN_DATE.match(value.strip())
    if not match:
        return []
    a, b, c = match.groups()
    if len(a) == 4:
        readings = [(int(a), int(b), int(c))]
    elif len(c) == 4:
        readings = [(int(c), int(b), int(a)), (int(c), int(a), int(b))]  # day first, then month first
    else:
        return []
    found = []
    for year, month, day in readings:
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        if iso_date_problem(iso) is None and iso not in found:
            found.append(iso)
    return found


def timex_problem(date_type: str, value: str) -> str | None:
    """None when `value` is a valid TIMEX3 value for `date_type`, else the reason it is not."""
    if date_type == "DATE":
        if value in _REFS:
            return None
        matched, problem = _match_date(value, _DATE_FORMS)
        if matched:
            return problem
        if _TIME.match(value):
            return "it has a time of day: use type TIME"
        if _DURATION.match(value):
            return "it is a duration: use type DURATION"
        return "not a DATE value (YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Www, YYYY-Qn, PRESENT_REF, ...)"
    if date_type == "TIME":
        match = _TIME.match(value)
        if not match:
            return "not a TIME value (YYYY-MM-DDThh:mm, YYYY-MM-DDThh, or a part of day YYYY-MM-DDTMO|AF|EV|NI)"
        problem = iso_date_problem(match.group("date"))
        if problem:
            return problem
        hour, minute, second = match.group("hour"), match.group("minute"), match.group("second")
        if hour is not None:
            h, mi, s = int(hour), int(minute or 0), int(second or 0)
            if h > 24 or (h == 24 and (mi or s)):
                return f"hour {hour} does not exist (00-23, or 24:00)"
            if mi > 59:
                return f"minute {minute} does not exist (00-59)"
            if s > 60:
                return f"second {second} does not exist (00-60)"
        return None
    if date_type == "DURATION":
        if _DURATION.match(value):
            return None
        return "not a DURATION value (PnY, PnM, PnW, PnD, PTnH, PTnM, ...; n may be X)"
    if date_type == "SET":
        if _DURATION.match(value):
            return None
        matched, problem = _match_date(value, _SET_DATE_FORMS)
        if matched:
            return problem
        return "not a SET value (a duration such as P1Y, or a date pattern with X such as XXXX-WXX-1)"
    return f"unknown date type {date_type!r}"


# ----------------------------------------------------------------------------- numbers

# Currency signs and words that name one currency (or one family: the dollars), for
# L5-currency-mismatch. "$" and "dollar" name many currencies, so they only rule out the
# currencies that have a sign or word of their own.
# Each sign or word, with the codes it may name, its main currency first.
_CURRENCY_TABLE = (
    (r"€|\beuros?\b", "EUR"),
    (r"₺|\blira(s)?\b", "TRY"),
    (r"₽|\br(?:ou|u|o)bles?\b", "RUB"),
    (r"₹|\brupees?\b", "INR PKR LKR NPR"),
    (r"\byen\b", "JPY"),
    (r"\byuan\b|\brenminbi\b", "CNY"),
    (r"¥", "JPY CNY"),
    (r"£|\bpounds? sterling\b", "GBP EGP LBP SYP SDG SSP FKP GIP SHP"),
)
_CURRENCY_MARKS: tuple[tuple[re.Pattern, frozenset[str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), frozenset(codes.split())) for pattern, codes in _CURRENCY_TABLE)
_SIGNED_CODES = frozenset(codes.split()[0] for _, codes in _CURRENCY_TABLE)  # what "$" cannot be: a sign's main currency
_DOLLAR = re.compile(r"\$|\bdollars?\b", re.IGNORECASE)
# The currencies "$" or "dollar" may name (dollars, and the pesos written with "$"): only these
# does a "$" fit; for any other unit it only fails to rule the unit out.
_DOLLAR_CODES = frozenset("USD CAD AUD NZD HKD SGD TWD BSD BBD BZD BMD KYD XCD TTD JMD GYD SRD LRD NAD FJD SBD BND ZWL "
                          "MXN ARS CLP COP CUP DOP UYU".split())


def currency_problem(text: str, unit: str) -> str | None:
    """What a money claim's currency sign or word says against its ISO 4217 unit, or None.

    A text that also names the unit's own currency ("$70 million (5 billion roubles)" as USD,
    a conversion given beside the amount) is no mismatch: only a text with no sign or word
    that fits the unit is."""
    against: list[str] = []
    for pattern, codes in _CURRENCY_MARKS:
        found = pattern.search(text)
        if found:
            if unit in codes:
                return None
            against.append(f"the text's {found.group(0)!r} is {' or '.join(sorted(codes))}, not {unit}")
    found = _DOLLAR.search(text)
    if found:
        if unit in _DOLLAR_CODES:
            return None
        if unit in _SIGNED_CODES:
            against.append(f"the text's {found.group(0)!r} names a dollar (or peso) currency, not {unit}")
    return against[0] if against else None


# What a date's words state, to check its value against (L5-date-text-mismatch).
# Each name with its abbreviations, the full name first; months from January, weekdays from Monday.
_MONTH_NAMES = (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
                ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
                ("december", "dec"))
_WEEKDAY_NAMES = (("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thurs"),
                  ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"))
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_WEEKDAYS = {name: i for i, names in enumerate(_WEEKDAY_NAMES) for name in names}
# full names count in any case; abbreviations, and "may" (a verb too), only when capitalised
_FULL_NAMES = frozenset(names[0] for names in _MONTH_NAMES + _WEEKDAY_NAMES) - {"may"}
_CALENDAR_VALUE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_YEAR_RANGE = re.compile(r"\b\d{4}\s*[-–/]\s*\d{2}\b(?![-–/]\d)")  # 2019-20, 2022–23 (not 2020-12-30)
_DAY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_DATE_WORD = re.compile(r"(\d{4})-(\d{2})-(\d{2})|[A-Za-z]+|\d+(?:st|nd|rd|th)?")


def _names_calendar(word: str, full_names: frozenset[str] = _FULL_NAMES) -> bool:
    """Whether a month or weekday name is meant as one: a full name, or a capitalised
    abbreviation ("sun", "sat", "mar" in lower case are words)."""
    return word.lower() in full_names or word[:1].isupper()


def primary_language(language: str) -> str:
    """The language subtag of a BCP 47 tag: "de" of "de-CH"."""
    return language.split("-")[0]


def is_english(language: str | None) -> bool:
    """Whether the English word lists apply: the metadata's language is English, or unknown."""
    return not language or primary_language(language) == "en"


@lru_cache(maxsize=64)
def _cldr_locale(language: str):
    """Babel's locale for a BCP 47 tag, imported only when a non-English document needs it;
    None when Babel is missing or does not know the language."""
    try:
        import babel
    except ImportError:
        return None
    try:
        return babel.Locale.parse(language.replace("-", "_"))
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return None


@dataclass(frozen=True)
class _Calendar:
    """A language's month and weekday names, for what a date's words state."""

    months: dict[str, int]  # name or abbreviation (lower case, no period) -> 1..12
    weekdays: dict[str, int]  # name -> 0 (Monday) .. 6
    full_names: frozenset[str]  # names that count in any case
    weekday_names: tuple[str, ...]  # for messages, from Monday
    words: re.Pattern
    may_is_a_verb: bool = False


_ENGLISH_CALENDAR = _Calendar(_MONTHS, _WEEKDAYS, _FULL_NAMES, tuple(n[0].capitalize() for n in _WEEKDAY_NAMES), _DATE_WORD, True)
_NO_NAMES = re.compile(r"(\d{4})-(\d{2})-(\d{2})|[^\W\d_]+|\d+")  # letters of any script; digits


@lru_cache(maxsize=32)
def _calendar(language: str | None) -> _Calendar:
    """English, or the CLDR names (through Babel) of the document's language: full month and
    weekday names, and month abbreviations of three letters or more. A language Babel does not
    know has no names: only ISO dates and years are checked."""
    if is_english(language):
        return _ENGLISH_CALENDAR
    none = _Calendar({}, {}, frozenset(), (), _NO_NAMES)
    locale = _cldr_locale(language)
    if locale is None:
        return none
    import babel.dates

    try:
        months: dict[str, int] = {}
        full: set[str] = set()
        for context in ("format", "stand-alone"):
            for i, name in babel.dates.get_month_names("wide", context=context, locale=locale).items():
                months[name.lower()] = i
                full.add(name.lower())
            for i, name in babel.dates.get_month_names("abbreviated", context=context, locale=locale).items():
                short = name.lower().rstrip(".")
                if len(short) >= 3:
                    months.setdefault(short, i)
        days = babel.dates.get_day_names("wide", locale=locale)
    except (ValueError, TypeError, KeyError):
        return none
    weekdays = {name.lower(): i for i, name in days.items()}
    return _Calendar(months, weekdays, frozenset(full | set(weekdays)), tuple(days[i] for i in range(7)), _NO_NAMES)


def date_text_problem(date_type: str, value: str, text: str, language: str | None = None) -> str | None:
    """What the words of a calendar date state (year, month name, day next to a month name,
    weekday) against its value, or None. Relative words state nothing here. Month and weekday
    names are those of the document's language (`_calendar`)."""
    m = _CALENDAR_VALUE.match(value) if date_type == "DATE" else None
    if not m:
        return None
    cal = _calendar(language)
    year, month, day = (int(g) if g else None for g in m.groups())
    words = [w.group(0) for w in cal.words.finditer(text)]
    lower = [w.lower() for w in words]
    years = [w for w in words if w.isdigit() and len(w) == 4]
    if len(years) > 1 or _YEAR_RANGE.search(text) or {"fiscal", "fy"} & set(lower):
        return None  # a range or a fiscal year: which part the value names is the annotator's call
    for i, word in enumerate(words):
        iso = _DATE_WORD.fullmatch(word)
        if iso and iso.group(1):
            stated = f"{iso.group(1)}-{iso.group(2)}-{iso.group(3)}"
            return None if value == stated[:len(value)] else f"the text states {stated}"
        if word.isdigit() and len(word) == 4 and year is not None and int(word) != year and 1000 <= int(word) <= 2999:
            return f"the text states the year {word}, the value {year}"
        full_word = _names_calendar(word, cal.full_names)
        named = cal.months.get(lower[i]) if full_word else None
        days = [int(d.group(1)) for j in (i - 1, i + 1) if 0 <= j < len(words) for d in [_DAY.match(words[j])] if d]  # "30 December", "December 30th"
        if named is None or (cal.may_is_a_verb and lower[i] == "may" and not days):  # "may" is a month only next to a day
            pass
        elif month is not None and named != month:
            return f"the text names {word} (month {named}), the value month {month}"
        elif day is not None and days and days[0] != day:
            return f"the text states day {days[0]}, the value day {day}"
        weekday = cal.weekdays.get(lower[i]) if full_word else None
        if weekday is not None and day is not None:
            try:
                actual = _dt.date(year, month, day).weekday()
            except ValueError:
                return None  # not a calendar date: L5-date-value-invalid says so
            if actual != weekday:
                return f"the text names {word}, but {value} is a {cal.weekday_names[actual]}"
    return None


# English relative dates whose value follows from the anchor alone (guidelines section 4):
# today, yesterday, tomorrow; last/next <weekday>; last/this/next week, month, year; "<n> <unit>s
# ago". Anything else (a bare weekday, "earlier this month", "about two weeks ago") is left to
# the reading of the sentence. The first group of each is the whole span, case-insensitive.
_RELATIVE_DATE = re.compile(
    r"(?i)(?P<day>yesterday|today|tomorrow)"
    r"|(?P<dir>last|next)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?P<which>last|this|next)\s+(?P<period>week|month|year)"
    r"|(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+(?P<unit>days?|weeks?|months?|years?)\s+ago"
)


def _iso_week(day: _dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _months_back(day: _dt.date, n: int) -> str:
    months = day.year * 12 + day.month - 1 - n
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def relative_date_problem(date_type: str, value: str, text: str, anchor: str | None, how: str | None,
                          language: str | None = None) -> str | None:
    """What a relative English date's words give from the temporal anchor (a YYYY-MM-DD), against
    its value and its `anchor` field, or None. Only the phrases _RELATIVE_DATE matches whole."""
    words = " ".join(text.split())
    m = _RELATIVE_DATE.fullmatch(words) if date_type == "DATE" and is_english(language) else None
    try:
        day = _dt.date.fromisoformat(anchor) if m and isinstance(anchor, str) and len(anchor) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return None
    if m["day"]:
        offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[m["day"].lower()]
        expected = [(day + _dt.timedelta(days=offset)).isoformat()] + (["PRESENT_REF"] if offset == 0 else [])  # today: nowadays
    elif m["weekday"]:
        target = _WEEKDAYS[m["weekday"].lower()]
        if m["dir"].lower() == "last":
            expected = [(day - _dt.timedelta(days=(day.weekday() - target - 1) % 7 + 1)).isoformat()]
        else:
            expected = [(day + _dt.timedelta(days=(target - day.weekday() - 1) % 7 + 1)).isoformat()]
    elif m["period"]:
        step = {"last": -1, "this": 0, "next": 1}[m["which"].lower()]
        period = m["period"].lower()
        if period == "week":
            expected = [_iso_week(day + _dt.timedelta(weeks=step))]
        elif period == "month":
            expected = [_months_back(day, -step)]
        else:
            expected = [f"{day.year + step:04d}"]
    else:
        n = int(m["n"]) if m["n"].isdigit() else 1 if m["n"].lower() in ("a", "an") else _UNITS_WORDS[m["n"].lower()]
        unit = m["unit"].lower().rstrip("s")
        if unit == "day":
            expected = [(day - _dt.timedelta(days=n)).isoformat()]
        elif unit == "week":
            expected = [_iso_week(day - _dt.timedelta(weeks=n))]
        elif unit == "month":
            expected = [_months_back(day, n)]
        else:
            expected = [f"{day.year - n:04d}"]
    if value not in expected:
        return f"from the anchor {anchor} (a {calendar.day_name[day.weekday()]}), {words!r} is {expected[0]}"
    if how != "publication_date":
        return f"{words!r} is worked out from the publication date, so its anchor is publication_date, not {how}"
    return None


PERIOD_MODS = frozenset({"START", "MID", "END"})


def period_mod_problem(date_type: str, value: str, mod: str | None, text: str, language: str | None = None) -> str | None:
    """START, MID and END modify the period the words name, which is the value ("mid-2019":
    2019 with MID); a value more precise than that has the modifier resolved into it too.
    Judged only for a plain modified date in a language with PERIOD_WORDS_BY_LANGUAGE."""
    m = _CALENDAR_VALUE.match(value) if date_type == "DATE" and mod in PERIOD_MODS else None
    plain = _period_words(language) if m else None
    if not m or plain is None:
        return None
    year, month, day = m.groups()
    cal = _calendar(language)
    words = [w.group(0) for w in cal.words.finditer(text)]
    if any(w.isalpha() and w.lower() not in plain.all for w in words):
        return None  # a holiday ("Christmas Eve"), a word of another language: the annotator's call
    names_year = any(w.isdigit() and len(w) == 4 for w in words)
    names_month = any(_names_month(w, cal, plain) for w in words)
    # only where the words name the coarser period ("mid-December", "mid-2019") and not the
    # finer one: "late Wednesday" is a day with END
    if day and not any(_names_day(w, cal, plain) for w in words) and (names_year or names_month):
        example = "mid-December: 2020-12 with MID" if names_month else "mid-2019: 2019 with MID"
        return f"the words name no day, so {value} has the modifier resolved into it: the value is the period the words modify ({example})"
    if month and not day and not names_month and names_year:
        return f"the words name no month, so {value} has the modifier resolved into it: the value is the period the words modify (mid-2019: 2019 with MID)"
    return None


# The words of a plain modified date besides month and weekday names ("mid-December 2020",
# "late on Tuesday", "early this month"; "Mitte Dezember", "Anfang des Jahres"; "mi-décembre",
# "début 2022"), per language: only phrases made of these are judged by L5-date-mod-period.
# "day": words that name a day; "month": words that name a month as "this month" does. Words
# are as the language's calendar pattern cuts them ("aujourd’hui" is "aujourd", "hui").
PERIOD_WORDS_BY_LANGUAGE: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "day": ("today", "yesterday", "tomorrow", "tonight"),
        "month": ("month", "months"),
        "other": ("mid", "early", "late", "end", "start", "beginning", "middle", "of", "the", "this", "that", "next", "last",
                  "in", "on", "at", "by", "year", "week", "st", "nd", "rd", "th"),
    },
    "de": {
        "day": ("heute", "gestern", "morgen", "vorgestern", "übermorgen"),
        "month": ("monat", "monats"),
        "other": ("mitte", "anfang", "ende", "beginn", "des", "der", "dem", "den", "das", "im", "am", "in", "an", "zu", "zum",
                  "dieses", "diesen", "diesem", "dieser", "nächsten", "nächstes", "kommenden", "letzten", "vergangenen",
                  "jahres", "jahr", "woche"),
    },
    "fr": {
        "day": ("aujourd", "hui", "hier", "demain"),
        "month": ("mois",),
        "other": ("mi", "début", "fin", "milieu", "de", "du", "d", "des", "la", "le", "l", "en", "au", "à", "ce", "cet", "cette",
                  "prochain", "prochaine", "dernier", "dernière", "année", "an", "semaine", "er"),
    },
}


@dataclass(frozen=True)
class _PeriodWords:
    day: frozenset[str]
    month: frozenset[str]
    all: frozenset[str]  # these, the others, and the calendar's month and weekday names


@lru_cache(maxsize=32)
def _period_words(language: str | None) -> _PeriodWords | None:
    """The plain-date words of a language (None: none declared, so nothing is judged). An
    unknown language (None) reads as English, as everywhere in this module."""
    words = PERIOD_WORDS_BY_LANGUAGE.get("en" if language is None else primary_language(language))
    if words is None:
        return None
    cal = _calendar(language)
    day, month = frozenset(words["day"]), frozenset(words["month"])
    return _PeriodWords(day, month, day | month | frozenset(words["other"]) | frozenset(cal.months) | frozenset(cal.weekdays))


def _names_day(word: str, cal: _Calendar, plain: _PeriodWords) -> bool:
    """A day number, a weekday, a word such as "today", or an ISO date."""
    lower = word.lower()
    if lower in plain.day or (lower in cal.weekdays and _names_calendar(word, cal.full_names)):
        return True
    iso = _DATE_WORD.fullmatch(word)
    return bool(_DAY.match(word) or (iso and iso.group(1)))


def _names_month(word: str, cal: _Calendar, plain: _PeriodWords) -> bool:
    """A month name, a word such as "month", or an ISO date."""
    lower = word.lower()
    if lower in plain.month or (lower in cal.months and _names_calendar(word, cal.full_names)):
        return True
    iso = _DATE_WORD.fullmatch(word)
    return bool(iso and iso.group(1))


# Quotation marks, for the quote kinds (guidelines section 3), in the styles news is written
# in: English “…” ‘…’, German „…“ ‚…‘, French « … », Danish »…«, Swedish and Finnish ”…” ’…’,
# Polish „…”, Japanese and Chinese 「…」 『…』. ’ and ' are apostrophes far more often than
# quotation marks, so inside a span only the others show a quoted fragment; at a direct
# quote's edges all of them count.
# Each opening mark with the closing marks that end what it opens, in those styles (German „…“
# and Polish „…”; Danish »…« and Swedish »…»); a span opened in one style and closed in
# another has lost a mark.
CLOSERS_OF: dict[str, str] = {
    "“": "”\"", "\"": "\"“”", "‘": "’'", "'": "'’", "„": "“”\"", "‚": "‘’'", "«": "»\"", "»": "«»\"", "‹": "›'", "›": "‹›'",
    "”": "”\"", "’": "’'", "「": "」", "『": "』",
}  # a straight " or ' closes any style of its kind: typed text mixes them
OPENING_MARKS = "".join(CLOSERS_OF)
CLOSING_MARKS = "".join(sorted(set("".join(CLOSERS_OF.values())), key="".join(CLOSERS_OF.values()).index))
QUOTING_MARKS = frozenset("“”\"«»„‚‹›「」『』")
_SINGLE_QUOTED = re.compile(r"‘(?![0-9]|n’)[^’]+’")  # ‘a mistake’, not ‘90s or rock ‘n’ roll


def _has_quoted_fragment(text: str) -> bool:
    return bool(QUOTING_MARKS.intersection(text)) or bool(_SINGLE_QUOTED.search(text))


def quote_kind_problem(kind: str, text: str, continued: bool = False, resumed: bool = False) -> str | None:
    """What the quotation marks of a quote's content say against its kind, or None.
    `continued`: its closing mark may be left out (the span ends a paragraph that a later quote
    continues, news style; or an incise follows inside the marks). `resumed`: its opening mark
    is before the incise that precedes it, inside the same marks (French « …, a-t-il dit, … »)."""
    if kind == "direct":
        opened = text[:1] in CLOSERS_OF if text else False
        closed = bool(text) and text[-1] in (CLOSERS_OF[text[0]] if opened and not resumed else CLOSING_MARKS)
        if not (text and (resumed or opened) and (continued or closed)):
            return "a direct quote's span runs from the opening quotation mark to the closing one, both included"
    elif kind == "indirect":
        if _has_quoted_fragment(text):
            return "an indirect quote has no quotation marks: with a quoted fragment it is mixed, all quoted it is direct"
    elif kind == "mixed":
        if not _has_quoted_fragment(text):
            return "a mixed quote contains a quoted fragment, but this span has no quotation marks: without one it is indirect"
    return None


# Approximators and bound words (guidelines section 5), matched as whole words, case-insensitive.
HEDGE_WORDS = ("around", "about", "nearly", "some", "roughly", "approximately", "almost", "circa", "approx.", "an estimated", "estimated", "close to")
BOUND_WORDS: dict[str, str] = {
    "more than": "more_than",
    "over": "more_than",
    "above": "more_than",
    "at least": "at_least",
    "no fewer than": "at_least",
    "no less than": "at_least",
    "less than": "less_than",
    "fewer than": "less_than",
    "under": "less_than",
    "below": "less_than",
    "up to": "at_most",
    "at most": "at_most",
    "no more than": "at_most",
}


# The same for the other languages the validator knows (guidelines section 0): the words that
# do in them what section 5's English words do. A language without lists is not checked.
HEDGE_WORDS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": HEDGE_WORDS,
    "de": ("rund", "etwa", "ca.", "circa", "zirka", "ungefähr", "annähernd", "fast", "nahezu", "beinahe", "schätzungsweise", "knapp", "gut",
           "um die", "an die"),
    "fr": ("environ", "près de", "près d’", "près d'", "presque", "quelque", "autour de", "approximativement", "à peu près", "quasiment",
           "pas loin de", "de l’ordre de", "de l'ordre de", "aux alentours de"),
}
BOUND_WORDS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "en": BOUND_WORDS,
    "de": {"mehr als": "more_than", "über": "more_than", "mindestens": "at_least", "wenigstens": "at_least", "nicht weniger als": "at_least",
           "weniger als": "less_than", "unter": "less_than", "bis zu": "at_most", "höchstens": "at_most", "maximal": "at_most",
           "nicht mehr als": "at_most"},
    "fr": {"plus de": "more_than", "plus d’": "more_than", "plus d'": "more_than", "au-delà de": "more_than", "au moins": "at_least",
           "pas moins de": "at_least", "au minimum": "at_least", "moins de": "less_than", "moins d’": "less_than", "moins d'": "less_than",
           "jusqu’à": "at_most", "jusqu'à": "at_most", "au plus": "at_most", "au maximum": "at_most", "pas plus de": "at_most"},
}


def _phrase_pattern(phrases) -> re.Pattern:
    """Whole words; an elided phrase ("plus d’") runs into the next word, so it ends at its
    apostrophe."""
    alternatives = sorted(phrases, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(p).replace(r"\ ", r"\s+") + ("" if p[-1] in "’'" else r"(?![\w])")
                                                 for p in alternatives) + ")", re.I)


@dataclass(frozen=True)
class _WordLists:
    hedge_words: tuple[str, ...]  # for messages
    hedge: re.Pattern
    bound: re.Pattern
    bounds: dict[str, str]


@lru_cache(maxsize=32)
def word_lists(language: str | None) -> _WordLists | None:
    """The approximator and bound words of a language (None: the validator has none for it).
    An unknown language (None) reads as English, as everywhere in this module."""
    code = "en" if language is None else primary_language(language)
    if code not in HEDGE_WORDS_BY_LANGUAGE:
        return None
    hedges, bounds = HEDGE_WORDS_BY_LANGUAGE[code], BOUND_WORDS_BY_LANGUAGE[code]
    return _WordLists(hedges, _phrase_pattern(hedges), _phrase_pattern(bounds), bounds)


def hedge_word(text: str, language: str | None = None) -> str | None:
    lists = word_lists(language)
    match = lists.hedge.search(text) if lists else None
    return match.group(1) if match else None


_SPACES_RE = re.compile(r"\s+")
_COMPACT_SCALE_RE = re.compile(r"^(bn|mln|mn|tn|k)(?![a-z])")  # "5bn", "3k"


def bound_word(text: str, language: str | None = None) -> tuple[str, str] | None:
    """(the bound word as written, the bound it means), or None."""
    lists = word_lists(language)
    match = lists.bound.search(text) if lists else None
    if not match:
        return None
    key = _SPACES_RE.sub(" ", match.group(1).lower())
    return match.group(1), lists.bounds[key]


_UNITS_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "zero": 0,
}
_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000, "millionth": 1_000_000,
}
_SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
    "bn": 1_000_000_000, "mln": 1_000_000, "mn": 1_000_000, "tn": 1_000_000_000_000, "k": 1_000, "dozen": 12,
}
# Words allowed after the number: units and signs that do not change the value.
_UNIT_WORDS = {
    "%", "percent", "per cent", "percentage points", "percentage point", "degree", "degrees", "times", "fold",
    "km", "kilometres", "kilometers", "kilometre", "kilometer", "miles", "mile", "m", "metres", "meters",
    "kg", "kilograms", "kilogram", "tonnes", "tonne", "tons", "ton", "years", "year", "months", "month",
    "weeks", "week", "days", "day", "hours", "hour", "minutes", "minute", "seconds", "second",
    "dollars", "dollar", "euros", "euro", "pounds", "pound", "lira", "liras", "rubles", "roubles", "ruble",
    "rouble", "yuan", "yen", "usd", "eur", "gbp", "try", "rub", "cny", "jpy",
}
_CURRENCY_PREFIX = re.compile(r"^(?:us\$|\$|€|£|¥|₺|₽)\s?")
_DIGITS = re.compile(r"^[-−]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
ENGLISH_NUMBERS = (".", ",")  # (decimal mark, thousands separator)
_SPACES_IN_NUMBERS = " \u00a0\u202f\u2009"  # a space-grouping language writes any of them


@lru_cache(maxsize=64)
def number_symbols(language: str | None) -> tuple[str, str] | None:
    """(decimal mark, thousands separator) of a BCP 47 language, from CLDR through Babel:
    `de` writes 12.000 and 2,5, `fr` 12 000, `de-CH` 12'000. None for a language Babel does not
    know (or without Babel): its digits are then not read, rather than read as English."""
    if is_english(language):
        return ENGLISH_NUMBERS
    locale = _cldr_locale(language)
    if locale is None:
        return None
    import babel.numbers

    return babel.numbers.get_decimal_symbol(locale), babel.numbers.get_group_symbol(locale)


@lru_cache(maxsize=16)
def _digits_of(decimal: str, group: str) -> tuple[re.Pattern, dict[int, str | None]]:
    """The digits pattern of these symbols, and the table that turns its match into a Python
    float literal (groups dropped, the decimal mark a point)."""
    groups = _SPACES_IN_NUMBERS if group.isspace() else "'’" if group in "'’" else group
    table: dict[int, str | None] = {ord(c): None for c in groups}
    table.update({ord(decimal): ".", ord("−"): "-"})
    if (decimal, group) == ENGLISH_NUMBERS:
        return _DIGITS, table
    group_class = "[" + "".join(map(re.escape, groups)) + "]"
    return re.compile(rf"^[-−]?(?:[0-9]{{1,3}}(?:{group_class}[0-9]{{3}})+|[0-9]+)(?:{re.escape(decimal)}[0-9]+)?"), table
_DIGIT_ORDINAL = re.compile(r"^([0-9]+)(?:st|nd|rd|th)$")
_PERIOD_ORDINAL = re.compile(r"^([0-9]+)\.$")


@dataclass(frozen=True)
class ReadNumber:
    value: float
    reading: str  # how the text was read, for the message: "20 billion"


def _strip_prefix_words(text: str, language: str | None = None) -> str:
    lists = word_lists(language)
    patterns = (lists.hedge, lists.bound) if lists else ()
    changed = True
    while changed:
        changed = False
        for pattern in patterns:
            match = pattern.match(text)
            if match:
                text = text[match.end() :].lstrip()
                changed = True
    return text


def _words_value(words: list[str]) -> float | None:
    """'twenty five' -> 25, 'one hundred and five' -> 105, 'seven million' -> 7000000."""
    if not words:
        return None
    total, current, seen_number = 0, 0, False
    for word in words:
        if word == "and" and seen_number:
            continue
        if word in _UNITS_WORDS:
            current += _UNITS_WORDS[word]
        elif word in _TENS_WORDS:
            current += _TENS_WORDS[word]
        elif word in ("a", "an") and not seen_number:
            current = 1
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES and word != "dozen":
            total += max(current, 1) * _SCALES[word]
            current = 0
        elif word == "dozen":
            current = max(current, 1) * 12
        else:
            return None
        seen_number = True
    return float(total + current)


def read_number(text: str, language: str | None = None) -> ReadNumber | None:
    """The number a numeric-claim span states, scaled; None when the span is not understood.
    Digits are read with the decimal mark and thousands separator of the document's language
    (`number_symbols`). Number, scale and unit words are read in English only: in another
    language a span with any word after its digits is not understood (None), never misread
    (German "Billion" is 10**12, the English billion 10**9)."""
    symbols = number_symbols(language)
    if symbols is None:
        return None
    english = is_english(language)
    digits, to_literal = _digits_of(*symbols)
    rest = _strip_prefix_words(text.strip().lower(), language)
    rest = _CURRENCY_PREFIX.sub("", rest)
    if rest.startswith(("a ", "an ")) and rest.split(" ", 1)[1][:1].isdigit():
        rest = rest.split(" ", 1)[1]
    match = _DIGIT_ORDINAL.match(rest)
    if match:
        return ReadNumber(float(match.group(1)), match.group(0))
    match = _PERIOD_ORDINAL.match(rest)
    if match:  # an ordinal written with a period (German "3."): a number never ends with one
        return ReadNumber(float(match.group(1)), match.group(0))
    match = digits.match(rest)
    if match:
        number = float(match.group().translate(to_literal))
        reading = match.group()
        tail = rest[match.end() :]
        if not english:
            return ReadNumber(number, reading) if tail.strip() in ("", "%") and math.isfinite(number) else None
        compact = _COMPACT_SCALE_RE.match(tail)
        if compact:
            number *= _SCALES[compact.group(1)]
            reading += compact.group(1)
            tail = tail[compact.end() :]
        elif tail and tail[0] not in " -%":
            return None
        tokens = [t for t in re.split(r"[\s-]+", tail) if t]
        if tokens and tokens[0] in _SCALES and tokens[0] not in ("dozen", "k"):
            number *= _SCALES[tokens[0]]
            reading += " " + tokens[0]
            tokens = tokens[1:]
        remainder = " ".join(tokens)
        if remainder and remainder not in _UNIT_WORDS:
            return None
        if not math.isfinite(number):
            return None
        return ReadNumber(number, reading)
    words = [w for w in re.split(r"[\s-]+", rest) if w]
    if not words or not english:
        return None
    # ordinal: 'second', 'a second', 'twenty-first'
    core = words[1:] if words[0] in ("a", "an", "the") else words
    if core and core[-1] in _ORDINAL_WORDS and len(core) <= 2:
        head = _words_value(core[:-1]) if len(core) == 2 else 0.0
        if head is not None and (len(core) == 1 or core[0] in _TENS_WORDS):
            return ReadNumber(float(head + _ORDINAL_WORDS[core[-1]]), " ".join(core))
    # cardinal words, then optional unit words
    for cut in range(len(words), 0, -1):
        remainder = " ".join(words[cut:])
        if remainder and remainder not in _UNIT_WORDS:
            continue
        value = _words_value(words[:cut])
        if value is not None and words[:cut] not in (["a"], ["an"]):
            return ReadNumber(value, " ".join(words[:cut]))
    return None


def same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)

"""Universal framings: role-play, personas, prefix injection, refusal suppression,
payload splitting, many-shot and answering in another language."""

from __future__ import annotations

import json
import re
import string

from anjeon.suites import Message
from anjeon.transforms._core import Context, load_data, transform
from anjeon.transforms._universal import wrap


def _wrapper(name: str, en: str, ko: str) -> None:
    @transform(name, family="template", locales=["*"], reversible=False, en=en, ko=ko)
    def fn(text: str, ctx: Context, *, variant: int | None = None) -> str:
        return wrap(ctx, name, variant, prompt=text)


_wrapper(
    "role-play",
    "The request put in a fictional scene (play, novel, a grandmother's story)",
    "요청을 허구의 장면(연극, 소설, 할머니의 옛이야기) 속에 넣음",
)
_wrapper(
    "persona",
    'An unrestricted-assistant persona ("no rules", "developer mode") around the request',
    '제약 없는 AI 페르소나("규칙 없음", "개발자 모드")로 요청을 감쌈',
)
_wrapper(
    "prefix-injection",
    'Asks the answer to begin with an affirmative prefix ("Absolutely! Here is …")',
    '답을 긍정 문구("물론이죠! …")로 시작하라고 요구함',
)
_wrapper(
    "refusal-suppression",
    "Rules that forbid apologies, disclaimers and the words of a refusal",
    "사과, 면책 문구, 거절 표현을 금지하는 규칙을 붙임",
)

_PART_LINE = re.compile(r'^([a-z]) = (".*")$', re.MULTILINE)


def _join_parts(text: str) -> str:
    return "".join(json.loads(m.group(2)) for m in _PART_LINE.finditer(text))


@transform(
    "payload-splitting",
    family="template",
    locales=["*"],
    reversible=True,
    inverse=_join_parts,
    en="The request cut into string variables that the model must join (z = a + b + c)",
    ko="요청을 문자열 변수 여러 개로 잘라 모델이 이어 붙이게 함 (z = a + b + c)",
)
def payload_splitting(text: str, ctx: Context, *, parts: int = 3) -> str:
    n = max(1, min(parts, len(text), 26))
    cuts = sorted(ctx.rng.sample(range(1, len(text)), n - 1)) if n > 1 else []
    bounds = [0, *cuts, len(text)]
    names = string.ascii_lowercase[:n]
    lines = "\n".join(
        f"{v} = {json.dumps(text[a:b], ensure_ascii=False)}"
        for v, a, b in zip(names, bounds, bounds[1:], strict=False)
    )
    return wrap(ctx, "payload-splitting", parts=lines, sum=" + ".join(names))


@transform(
    "many-shot",
    family="conversation",
    locales=["*"],
    reversible=False,
    en="Many benign question–answer turns of an eager assistant before the request",
    ko="요청 앞에 무엇이든 바로 답하는 어시스턴트의 무해한 문답을 여러 번 넣음",
)
def many_shot(
    text: str, ctx: Context, *, shots: int = 8, inline: bool = False
) -> str | list[Message]:
    pool: list[list[str]] = load_data("many_shot.yaml")[ctx.lang]
    chosen = ctx.rng.sample(pool, max(0, min(shots, len(pool))))
    if inline:
        user, bot = ("사용자", "어시스턴트") if ctx.lang == "ko" else ("User", "Assistant")
        turns = [f"{user}: {q}\n{bot}: {a}" for q, a in chosen]
        return "\n\n".join([*turns, f"{user}: {text}\n{bot}:"])
    msgs: list[Message] = []
    for q, a in chosen:
        msgs += [Message(role="user", content=q), Message(role="assistant", content=a)]
    return [*msgs, Message(role="user", content=text)]


@transform(
    "answer-in",
    family="template",
    locales=["*"],
    reversible=False,
    en="Asks for the answer in another, usually low-resource, language",
    ko="다른 언어(주로 저자원 언어)로 답하라고 요구함",
)
def answer_in(text: str, ctx: Context, *, language: str | None = None) -> str:
    languages: list[dict[str, str]] = load_data("templates.yaml")["languages"]
    if language is None:
        lang = ctx.rng.choice(languages)
    else:
        lang = next((x for x in languages if language in x.values()), {"en": language})
    name = lang.get(ctx.lang, lang["en"])
    return wrap(ctx, "answer-in", prompt=text, language=name)

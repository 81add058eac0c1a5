"""Three streams at once with asyncio.gather, printed in a fixed order."""

import asyncio

import anthropic

client = anthropic.AsyncAnthropic()

QUESTIONS = [
    "In one sentence: what is a mutex?",
    "In one sentence: what is a semaphore?",
    "In one sentence: what is a deadlock?",
]


async def ask(question: str) -> tuple[str, int]:
    """Stream one answer; return its text and how many pieces it came in."""
    pieces: list[str] = []
    async with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=256,
        messages=[{"role": "user", "content": question}],
    ) as stream:
        async for text in stream.text_stream:
            pieces.append(text)  # a UI would show each piece here
    return "".join(pieces), len(pieces)


async def main() -> None:
    # The three requests are in flight together. gather() returns the
    # results in the order of its arguments, whichever stream ends first.
    results = await asyncio.gather(*(ask(q) for q in QUESTIONS))
    for question, (answer, pieces) in zip(QUESTIONS, results, strict=True):
        print(f"Q: {question}")
        print(f"A: {answer} ({pieces} pieces)")


asyncio.run(main())

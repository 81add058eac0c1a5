"""The code under test: summarise a text with Claude, over a stream."""

import asyncio

import anthropic
import httpx2

MODEL = "claude-sonnet-5-5"
MAX_TOKENS = 200

ARTICLE = (
    "The city council voted on Tuesday to turn the old tram depot into a "
    "public library. Work starts in spring and should take two years."
)


class SummaryFailed(Exception):
    """Every attempt failed after the stream had started."""


def prompt(text: str) -> str:
    return f"Summarise in one sentence:\n\n{text}"


# --8<-- [start:summarise]
def summarise(text: str, *, read_timeout: float = 30.0) -> str:
    # Closed on the way out: a client left open keeps its connection.
    with anthropic.Anthropic(
        timeout=httpx2.Timeout(60.0, read=read_timeout)
    ) as client:
        for _ in range(2):
            try:
                with client.messages.stream(
                    model=MODEL,
                    max_tokens=MAX_TOKENS,
                    messages=[{"role": "user", "content": prompt(text)}],
                ) as stream:
                    summary = "".join(stream.text_stream)
                    message = stream.get_final_message()
                if message.stop_reason is not None:
                    return summary
                failure = "the stream ended before message_stop"
            except anthropic.APIConnectionError as error:  # a cut or a stall
                failure = f"{type(error).__name__} mid-stream"
            except anthropic.APIStatusError as error:
                if error.status_code != 200:  # an HTTP error: the SDK retried
                    raise
                failure = f"{error.type} mid-stream"  # an error event
    raise SummaryFailed(f"{failure}, twice")


# --8<-- [end:summarise]


# --8<-- [start:async]
async def summarise_async(text: str) -> str:
    async with (
        anthropic.AsyncAnthropic() as client,
        client.messages.stream(
            model=MODEL,
            max_tokens=MAX_TOKENS,
            messages=[{"role": "user", "content": prompt(text)}],
        ) as stream,
    ):
        return await stream.get_final_text()


# --8<-- [end:async]


if __name__ == "__main__":
    print(f"sync:  {summarise(ARTICLE)}")
    print(f"async: {asyncio.run(summarise_async(ARTICLE))}")

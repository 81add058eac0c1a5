"""Retry a stream that failed, resuming from the text already shown."""

import time

import anthropic
from anthropic.types import MessageParam

client = anthropic.Anthropic()

MODEL = "claude-sonnet-5-5"  # Claude 4.6 or later: resume in a user message
QUESTION: MessageParam = {
    "role": "user",
    "content": "In three sentences: what does a CDN do?",
}
# The docs' sample prompt, the partial text between tags where it says
# [previous_response].
RESUME = (
    "Your previous response was interrupted and ended with "
    "<previous_response>{shown}</previous_response>. "
    "Continue from where you left off."
)
MAX_ATTEMPTS = 3


def messages_for(shown: str) -> list[MessageParam]:
    """The conversation to send, given the text the user has already seen."""
    if not shown:  # nothing reached the user: ask the same question again
        return [QUESTION]
    # Claude 4.6 and later: the partial text goes in a user message.
    resume = RESUME.format(shown=shown)
    return [QUESTION, {"role": "user", "content": resume}]


shown = ""  # all the text printed so far, over every attempt
log: list[str] = []
for attempt in range(1, MAX_ATTEMPTS + 1):
    if attempt > 1:
        # Back off before trying again. Short here; the SDK's own retries
        # wait 0.5 s, doubling up to 8 s.
        time.sleep(min(0.2 * 2 ** (attempt - 2), 1.0))
    finished = False
    try:
        with client.messages.stream(
            model=MODEL, max_tokens=1024, messages=messages_for(shown)
        ) as stream:
            for event in stream:
                if event.type == "text":
                    print(event.text, end="", flush=True)  # printed once
                    shown += event.text
                elif event.type == "message_stop":  # the stream is complete
                    finished = True
                    stop_reason = event.message.stop_reason
                    log.append(f"attempt {attempt}: {stop_reason}")
        if finished:
            break
        failure = "the stream ended before message_stop"
    except anthropic.APIStatusError as error:
        if error.status_code != 200:
            raise  # an HTTP error: the SDK has already retried it if it could
        failure = f"{error.type} event"  # an `error` event mid-stream
    except anthropic.APIConnectionError as error:
        # The connection broke or stalled mid-stream (SDK 2.17.0 and later).
        failure = type(error).__name__
    log.append(f"attempt {attempt}: {failure}, {len(shown)} characters shown")
else:
    log.append(f"gave up after {MAX_ATTEMPTS} attempts")

print()
print("\n".join(log))

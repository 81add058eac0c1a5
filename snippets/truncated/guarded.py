"""Take a streamed reply as an answer only once message_stop has come."""

import anthropic
from anthropic.types import Message

client = anthropic.Anthropic()

QUESTIONS = [
    "What does a barometer measure?",
    "List the days of the week.",
    "What colour do you get by mixing blue and yellow paint?",
]


class IncompleteAnswer(Exception):
    def __init__(self, reason: str, partial: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.partial = partial  # what did arrive: keep it to retry or resume


def ask(question: str) -> str:
    text = ""
    started = False
    message: Message | None = None
    try:
        with client.messages.stream(
            model="claude-sonnet-5-5",
            max_tokens=1024,
            messages=[{"role": "user", "content": question}],
        ) as stream:
            for event in stream:
                if event.type == "message_start":
                    started = True
                elif event.type == "text":
                    text += event.text
                elif event.type == "message_stop":  # the last event
                    if not started:  # the SDK built no message to give
                        reason = "message_stop without message_start"
                        raise IncompleteAnswer(reason, text)
                    message = event.message
    except anthropic.APIConnectionError as error:
        # The connection broke or timed out (SDK 2.17.0 and later; before,
        # httpx2.TransportError came through instead).
        reason = f"network error mid-stream ({type(error).__name__})"
        raise IncompleteAnswer(reason, text) from error
    if message is None:
        # The body ended cleanly but early: the SDK raised nothing.
        raise IncompleteAnswer("the stream ended before message_stop", text)
    if message.stop_reason is None:  # no message_delta said why it ended
        raise IncompleteAnswer("no stop reason", text)
    return text


if __name__ == "__main__":
    for question in QUESTIONS:
        print(f"Q: {question}")
        try:
            print(f"A: {ask(question)}")
        except IncompleteAnswer as incomplete:
            kept = len(incomplete.partial)
            print(f"incomplete: {incomplete.reason}, {kept} characters kept")

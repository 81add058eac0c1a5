"""Give up on a stream when nothing arrives for longer than a limit."""

import anthropic
import httpx2

# Seconds of silence to allow. 1 s makes the replay quick; a live app
# needs far more: see "Choosing the limit".
# --8<-- [start:client]
IDLE_LIMIT = 1.0  # seconds of silence before giving up

# The read timeout bounds each wait for data, not the whole stream: every
# byte that arrives, a ping too, starts the count again.
client = anthropic.Anthropic(
    timeout=httpx2.Timeout(600.0, read=IDLE_LIMIT, connect=5.0)
)
# --8<-- [end:client]

# --8<-- [start:stream]
try:
    with client.messages.stream(
        model="claude-sonnet-5-5",
        max_tokens=1024,
        messages=[
            {
                "role": "user",
                "content": "In two sentences: what is a watchdog timer?",
            }
        ],
    ) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
        message = stream.get_final_message()
    print(f"\n[complete: {message.stop_reason}]")
except httpx2.ReadTimeout:
    # Silence after the response started: raised as httpx2's own error.
    print(f"\n[nothing for {IDLE_LIMIT} s: gave up on this stream]")
except anthropic.APITimeoutError:
    # No response headers in time: the SDK retried (each attempt waits the
    # full limit), then raised.
    print("\n[no response: timed out, retries spent]")
# --8<-- [end:stream]

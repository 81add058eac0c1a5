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
started = False  # the response headers have arrived
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
        started = True
        for text in stream.text_stream:
            print(text, end="", flush=True)
        message = stream.get_final_message()
    print(f"\n[complete: {message.stop_reason}]")
except anthropic.APITimeoutError:
    # SDK 2.17.0 and later raise this for both silences (before 2.17.0, the
    # one mid-stream came out as httpx2.ReadTimeout).
    if started:  # silence mid-stream: not retried
        print(f"\n[nothing for {IDLE_LIMIT} s: gave up on this stream]")
    else:  # no headers in time: each retry waited the full limit
        print("\n[no response: timed out, retries spent]")
# --8<-- [end:stream]

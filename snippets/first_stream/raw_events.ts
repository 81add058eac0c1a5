// Print every event of a stream, one line each, as the SDK hands them over.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

// --8<-- [start:events]
const stream = await client.messages.create({
  model: "claude-sonnet-5-5",
  max_tokens: 256,
  messages: [
    { role: "user", content: "Say hello in French, Spanish and German." },
  ],
  stream: true, // an async iterable of events instead of one message
});
for await (const event of stream) {
  let detail = "";
  switch (event.type) {
    case "message_start": {
      const { id, usage } = event.message;
      detail = `id=${id} input_tokens=${usage.input_tokens}`;
      break;
    }
    case "content_block_start":
      detail = `index=${event.index} block=${event.content_block.type}`;
      break;
    case "content_block_delta":
      detail = `index=${event.index} ${event.delta.type}`;
      if (event.delta.type === "text_delta") {
        detail += ` ${JSON.stringify(event.delta.text)}`;
      }
      break;
    case "content_block_stop":
      detail = `index=${event.index}`;
      break;
    case "message_delta":
      detail = `stop_reason=${event.delta.stop_reason}`;
      detail += ` output_tokens=${event.usage.output_tokens}`;
      break;
    // message_stop, and any event type added to the API later: no detail
  }
  console.log(`${event.type.padEnd(20)} ${detail}`.trimEnd());
}
// --8<-- [end:events]

// A stream that fails after it has started: an `error` event after 200 OK.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

// --8<-- [start:catch]
const stream = client.messages.stream({
  model: "claude-sonnet-5-5",
  max_tokens: 1024,
  messages: [
    { role: "user", content: "Explain TCP slow start in one paragraph." },
  ],
});
stream.on("text", (text) => process.stdout.write(text));
try {
  await stream.finalMessage();
} catch (error) {
  if (!(error instanceof Anthropic.APIError)) throw error;
  // No HTTP status: the response was 200 OK, the failure came inside it.
  console.log(`\n[stream failed: status ${error.status}, ${error.type}]`);
}
// --8<-- [end:catch]

// A connection that drops mid-stream, as the TypeScript SDK reports it.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

const stream = client.messages.stream({
  model: "claude-sonnet-5-5",
  max_tokens: 1024,
  messages: [
    {
      role: "user",
      content: "Describe a sunrise at sea in three sentences.",
    },
  ],
});
stream.on("text", (text) => process.stdout.write(text));
// --8<-- [start:catch]
try {
  await stream.finalMessage();
} catch (error) {
  if (!(error instanceof Anthropic.APIConnectionError)) throw error;
  // No status: the SDK wraps fetch's own error, kept as its cause.
  const cause = error.cause as Error;
  console.log(`\n[connection lost: ${error.constructor.name}: ${error.message}]`);
  console.log(`[cause: ${cause.constructor.name}: ${cause.message}]`);
}
// --8<-- [end:catch]

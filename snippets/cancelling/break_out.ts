// Stop reading early: abort() cancels the request and closes the connection.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();

// --8<-- [start:abort]
const stream = client.messages.stream({
  model: "claude-sonnet-5-5",
  max_tokens: 2048,
  messages: [
    { role: "user", content: "Give me twelve tips for touch typing." },
  ],
});
let shown = "";
stream.on("text", (text) => {
  // Events read before the abort took hold still come: ignore them.
  if (stream.controller.signal.aborted) return;
  process.stdout.write(text);
  shown += text;
  if (shown.includes("\n\n")) stream.abort(); // the reader has seen one tip
});
try {
  await stream.finalMessage();
} catch (error) {
  // finalMessage() rejects with the abort; the other tips were never read.
  if (!(error instanceof Anthropic.APIUserAbortError)) throw error;
  console.log(`[${error.constructor.name}: ${error.message}]`);
}
console.log(`[aborted=${stream.aborted}]`);
// --8<-- [end:abort]

// Show the relay's answer as it arrives, in a page with an element
// id="answer" for the text and one id="status" for the state.
function ask(question) {
  const answer = document.getElementById("answer");
  const status = document.getElementById("status");
  answer.textContent = "";
  status.textContent = "Answering…";
  status.className = "";
  const source = new EventSource("/chat?q=" + encodeURIComponent(question));

  source.addEventListener("text", (event) => {
    answer.textContent += JSON.parse(event.data).text;
  });
  source.addEventListener("done", () => {
    source.close(); // or the browser reconnects and asks again
    status.textContent = "";
  });
  source.addEventListener("error", (event) => {
    source.close(); // a failed answer is not asked again by itself
    // The relay's error has data; the browser's own (connection lost) none.
    const error = event.data ? JSON.parse(event.data) : {type: "connection_lost"};
    status.textContent = `The answer is incomplete (${error.type}).`;
    if (error.request_id) status.textContent += ` Request id: ${error.request_id}`;
    status.className = "error";
  });
}

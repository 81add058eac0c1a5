// The site's own script: small touches of layout that CSS alone cannot make, and a button.
//
// 1. Wire text and outputs wrap between JSON members, not inside them.
// A line holding JSON is cut into members after each comma and opening bracket outside
// strings, and each member into its key and its value after the colon. Each is an inline
// block: a member moves to the next line whole; one longer than a line breaks between its key
// and its value; only a value longer than a line breaks inside. The text itself is unchanged.
(function () {
  "use strict";

  // [[key, value], ...]: a member's parts, split after a colon and before a bracket's contents.
  function members(text) {
    var found = [];
    var parts = [];
    var start = 0;
    var inString = false;
    for (var i = 0; i < text.length; i++) {
      var c = text.charAt(i);
      if (inString) {
        if (c === "\\") {
          i++;
        } else if (c === '"') {
          inString = false;
        }
      } else if (c === '"') {
        inString = true;
      } else if (c === ":") {
        parts.push(text.slice(start, i + 1));
        start = i + 1;
      } else if (c === "," || c === "{" || c === "[") {
        parts.push(text.slice(start, i + 1));
        found.push(parts);
        parts = [];
        start = i + 1;
      }
    }
    parts.push(text.slice(start));
    found.push(parts);
    return found;
  }

  function block(className, text) {
    var span = document.createElement("span");
    span.className = className;
    if (text !== undefined) {
      span.textContent = text;
    }
    return span;
  }

  // One line of text: a block whose continuation lines hang two columns in from where its
  // text starts (extra.css); a line of JSON (`data: {...}`, `{...}`) is cut into members.
  var JSON_LINE = /^\s*(data:\s*)?[{[]/;
  function line(text) {
    var whole = block("wire-line");
    whole.style.setProperty("--hang", text.length - text.trimStart().length + 2 + "ch");
    if (!JSON_LINE.test(text)) {
      whole.textContent = text;
      return whole;
    }
    members(text).forEach(function (parts) {
      var member = block("wire-piece");
      parts.forEach(function (part) {
        member.append(parts.length > 1 ? block("wire-piece", part) : part);
      });
      whole.append(member);
    });
    return whole;
  }

  // Outputs and wire text are plain text (no highlighting): one text node to split.
  function wrap(root) {
    root.querySelectorAll(".language-text pre > code").forEach(function (code) {
      if (code.dataset.wrapped || code.children.length) {
        return;
      }
      code.dataset.wrapped = "1";
      // Material's copy button copies the text as laid out, which would double each line
      // break now that lines are blocks; it copies a [data-copy] value instead when there is.
      code.dataset.copy = code.textContent;
      var lines = code.textContent.split("\n");
      var fragment = document.createDocumentFragment();
      lines.forEach(function (text, i) {
        var row = line(text);
        if (i < lines.length - 1) {
          row.append("\n"); // inside the block, as Pygments' own line spans keep it
        }
        fragment.append(row);
      });
      code.replaceChildren(fragment);
    });
  }

  // 2. A name in a table (code with no space: `content_block_delta`, `content-length`) never
  // breaks, not even at a hyphen; longer code still wraps at its spaces.
  function keepNamesWhole(root) {
    root.querySelectorAll(".md-typeset table code").forEach(function (code) {
      if (code.textContent.indexOf(" ") < 0) {
        code.classList.add("name");
      }
    });
  }

  // 3. A stream player (player.js and player.css, beside this file) only on a page that has
  // one: <div class="stream-player" data-src="...">. Nothing else loads them or its data.
  // 4. Practising the interview bank (practice.js, its schedule and practice.css) only on the
  // bank's pages: a question (.iq), the list of all questions, the mock interview's form.
  var here = document.currentScript && document.currentScript.src;
  var requested = {};
  function load(selector, files) {
    if (!here || requested[selector] || !document.querySelector(selector)) {
      return;
    }
    requested[selector] = true;
    files.forEach(function (file) {
      var node;
      if (/\.css$/.test(file)) {
        node = document.createElement("link");
        node.rel = "stylesheet";
        node.href = new URL(file, here).href;
      } else {
        node = document.createElement("script");
        node.src = new URL(file, here).href;
        node.async = false; // run in the order given: a library before its user
      }
      document.head.append(node);
    });
  }
  function loadExtras() {
    if (window.mountStreamPlayers && document.querySelector(".stream-player")) {
      window.mountStreamPlayers();
    }
    load(".stream-player", ["player.css", "player.js"]);
    load(".iq[data-qid], .iq-list, .iq-setup", [
      "practice.css",
      "vendor/femto-fsrs.js",
      "practice.js",
    ]);
  }

  // 5. "Copy page as Markdown": the page's Markdown, which `python3 dev.py build` writes beside
  // it and names in a <meta name="page-markdown">, to the clipboard, to hand to an assistant.
  // No such name (the 404 page; `dev.py serve`, which writes no Markdown), no button.
  var COPY_ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M8 3h11a2 2 0 0 ' +
    "1 2 2v11h-2V5H8zM4 7h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2zm0 " +
    '2v10h11V9z"/></svg>';

  function copyText(text) {
    if (window.ClipboardItem && navigator.clipboard.write) {
      // A write begun within the click, with the text to come: Safari allows no other.
      var blob = text.then(function (markdown) {
        return new Blob([markdown], { type: "text/plain" });
      });
      return navigator.clipboard.write([new window.ClipboardItem({ "text/plain": blob })]);
    }
    return text.then(function (markdown) {
      return navigator.clipboard.writeText(markdown);
    });
  }

  function copyPageButton() {
    var named = document.querySelector('meta[name="page-markdown"]');
    var address = named && new URL(named.content, location.href).href;
    var heading = document.querySelector("article h1");
    if (!address || !heading || !navigator.clipboard || document.querySelector(".copy-page")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "copy-page";
    var button = document.createElement("button");
    button.type = "button";
    button.innerHTML = COPY_ICON;
    button.append("Copy page as Markdown");
    var status = block("copy-page__status");
    status.setAttribute("role", "status");
    var cleared;
    function say(text) {
      clearTimeout(cleared);
      status.textContent = text;
      cleared = setTimeout(function () {
        status.textContent = "";
      }, 4000);
    }
    button.addEventListener("click", function () {
      var text = fetch(address).then(function (response) {
        if (!response.ok) {
          throw new Error(response.status + " " + response.statusText);
        }
        return response.text();
      });
      copyText(text).then(
        function () {
          say("Copied");
        },
        function () {
          say("Could not copy it: the Markdown is at " + address);
        }
      );
    });
    box.append(button, status);
    heading.before(box);
  }

  function run() {
    wrap(document);
    keepNamesWhole(document);
    loadExtras();
    copyPageButton();
  }

  if (window.document$) {
    window.document$.subscribe(run);
  } else {
    document.addEventListener("DOMContentLoaded", run);
  }
})();

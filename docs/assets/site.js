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

  // 3. JSON and TOML wrap as wire text does: their highlighted code is cut into one block per
  // line (the token spans kept), whose continuation lines hang two columns in from where its
  // text starts, with a break opportunity after each comma, colon and opening bracket.
  function splitLines(code) {
    var lines = [document.createElement("span")];
    function walk(node, wrap) {
      Array.prototype.slice.call(node.childNodes).forEach(function (child) {
        if (child.nodeType === Node.TEXT_NODE) {
          child.data.split("\n").forEach(function (part, i) {
            if (i) {
              lines.push(document.createElement("span"));
            }
            if (part) {
              lines[lines.length - 1].append(wrap(document.createTextNode(part)));
            }
          });
        } else {
          walk(child, function (inner) {
            var copy = child.cloneNode(false);
            copy.append(inner);
            return wrap(copy);
          });
        }
      });
    }
    walk(code, function (node) {
      return node;
    });
    return lines;
  }
  function wrapStructured(root) {
    root.querySelectorAll(":is(.language-json, .language-toml) pre > code").forEach(function (code) {
      if (code.dataset.wrapped) {
        return;
      }
      code.dataset.wrapped = "1";
      code.dataset.copy = code.textContent;
      var lines = splitLines(code);
      lines.forEach(function (row, i) {
        var text = row.textContent;
        row.className = "code-line";
        row.style.setProperty("--hang", text.length - text.trimStart().length + 2 + "ch");
        row.querySelectorAll(".p, .o").forEach(function (mark) {
          if (/[,:{[=]\s*$/.test(mark.textContent)) {
            mark.after(document.createElement("wbr"));
          }
        });
        if (i < lines.length - 1) {
          row.append("\n");
        }
      });
      if (!lines[lines.length - 1].textContent) {
        lines.pop();
      }
      code.replaceChildren.apply(code, lines);
    });
  }

  // 4. Examples. A program over 40 lines is marked, so that its output comes first on a
  // narrow screen (extra.css). Its download link gives the program as the page shows it,
  // which is the file without its `# --8<--` section markers (pymdownx.snippets drops them
  // from a whole-file include); without a script, the link gives the file itself.
  var LONG = 40;
  function examples(root) {
    root.querySelectorAll("figure.example").forEach(function (figure) {
      var program = figure.querySelector(".highlight code");
      var link = figure.querySelector("a.example-file[download]");
      if (!program || figure.dataset.ready) {
        return;
      }
      figure.dataset.ready = "1";
      var text = program.textContent.replace(/\n?$/, "\n");
      if (text.split("\n").length - 1 > LONG) {
        figure.classList.add("example--long");
        fold(figure, program);
      }
      if (link) {
        link.addEventListener("click", function (event) {
          var file = new Blob([text], { type: "text/plain" });
          var url = URL.createObjectURL(file);
          var save = document.createElement("a");
          save.href = url;
          save.download = link.getAttribute("href").split("/").pop();
          event.preventDefault();
          document.body.append(save);
          save.click();
          save.remove();
          setTimeout(function () {
            URL.revokeObjectURL(url);
          }, 1000);
        });
      }
    });
  }

  // A long program whose page highlights the lines it is about (hl_lines) shows those lines
  // and a little around them; the setup and helpers between are folded, each fold a line
  // that says how many lines it holds. "The whole program", in its title bar, unfolds them
  // all (and folds them again). The code copied or downloaded is always the whole program.
  var CONTEXT = 1; // lines kept in sight on each side of a highlighted run
  var FOLD_AT = 6; // a run of fewer lines than this stays in sight
  function fold(figure, program) {
    if (!program.querySelector(".hll")) {
      return;
    }
    program.dataset.copy = program.textContent;
    var lines = splitLines(program);
    var marked = lines.map(function (line) {
      var hll = line.querySelector(".hll");
      if (hll) {
        line.querySelectorAll(".hll").forEach(function (span) {
          span.replaceWith.apply(span, Array.prototype.slice.call(span.childNodes));
        });
        line.classList.add("hll");
      }
      return !!hll;
    });
    lines.pop(); // what follows the program's last line break
    var near = marked.map(function (_, i) {
      for (var j = Math.max(0, i - CONTEXT); j <= Math.min(lines.length - 1, i + CONTEXT); j++) {
        if (marked[j]) {
          return true;
        }
      }
      return false;
    });
    var parts = [];
    var folds = [];
    function show(line) {
      line.classList.add("code-row");
      line.append("\n");
      parts.push(line);
    }
    for (var i = 0; i < lines.length; ) {
      if (near[i]) {
        show(lines[i]);
        i++;
        continue;
      }
      var end = i;
      while (end < lines.length && !near[end]) {
        end++;
      }
      var run = lines.slice(i, end);
      if (run.length >= FOLD_AT) {
        var marker = document.createElement("button");
        marker.type = "button";
        marker.className = "code-fold";
        marker.textContent = "\u22ef " + run.length + " more lines of the whole program";
        marker.addEventListener("click", function () {
          toggle(true);
        });
        parts.push(marker);
        folds.push({ marker: marker, lines: run });
        run.forEach(function (line) {
          line.classList.add("folded");
        });
      }
      run.forEach(show);
      i = end;
    }
    program.replaceChildren.apply(program, parts);
    if (!folds.length) {
      return;
    }
    var bar = figure.querySelector(":scope > p:first-child");
    var whole = document.createElement("button");
    whole.type = "button";
    whole.className = "example-whole";
    whole.textContent = "the whole program";
    whole.setAttribute("aria-pressed", "false");
    whole.addEventListener("click", function () {
      toggle(whole.getAttribute("aria-pressed") !== "true");
    });
    bar.append(whole);
    function toggle(open) {
      whole.setAttribute("aria-pressed", String(open));
      folds.forEach(function (run) {
        run.marker.hidden = open;
        run.lines.forEach(function (line) {
          line.classList.toggle("folded", !open);
        });
      });
    }
  }

  // 5. Tables. A header cell with nothing in it is no header (a table's corner, or a row of
  // figures under no titles): it becomes a plain cell, and an empty header row goes. A table
  // the cheat sheet or a page stacks on a phone (extra.css) gives each cell its column's name.
  function tables(root) {
    root.querySelectorAll(".md-typeset thead th").forEach(function (th) {
      if (th.textContent.trim()) {
        return;
      }
      var td = document.createElement("td");
      td.append.apply(td, Array.prototype.slice.call(th.childNodes));
      th.replaceWith(td);
    });
    root.querySelectorAll(".md-typeset thead tr").forEach(function (row) {
      if (!row.querySelector("th")) {
        row.hidden = true;
      }
    });
    root.querySelectorAll(":is(.cheat-sheet, .stack-on-phone) table").forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (names[i]) {
            cell.dataset.label = names[i];
          }
          // A stacked cell is a grid of its label and its value: text with code in it stays
          // one value, not a grid item for each run of text and each piece of code.
          if (i > 0 && cell.childNodes.length > 1) {
            var value = document.createElement("span");
            value.append.apply(value, Array.prototype.slice.call(cell.childNodes));
            cell.append(value);
          }
        });
      });
    });
  }

  // 6. Whatever scrolls (a wide table, a picture on the narrowest phones, an output taller than
  // the window beside its program) can be reached and scrolled with the keyboard, and says
  // so; checked again whenever its size changes. (Material does the same for code blocks.)
  // The box and what it holds are both watched: a picture that loads after this script ran
  // makes its figure scroll without changing the figure's own size.
  var boxes = ".md-typeset .sdk-matrix, .md-typeset__scrollwrap, .md-typeset figure.picture, .md-typeset figure.example > .highlight + .highlight";
  var watched = typeof ResizeObserver === "function" && new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var target = entry.target; // a child no longer in the page has no box
      var box = target.matches(boxes) ? target : target.parentElement && target.parentElement.closest(boxes);
      if (box) {
        scrollable(box);
      }
    });
  });
  function scrollable(box) {
    var output = box.matches(".highlight"); // an output beside its program: it scrolls down
    var figure = box.matches("figure"); // named by its caption and its picture already
    var scrolls = output
      ? box.scrollHeight > box.clientHeight + 1
      : box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("scrolls", scrolls);
    if (scrolls) {
      box.tabIndex = 0;
      if (!figure) {
        // A group, not a landmark: a page may hold several, each named by what it holds.
        var heads = Array.prototype.map.call(box.querySelectorAll("thead th"), function (th) {
          return th.textContent.trim();
        });
        box.setAttribute("role", "group");
        box.setAttribute(
          "aria-label",
          output ? "Output, scrolls" : "Table, scrolls sideways" + (heads.length ? ": " + heads.join(", ") : "")
        );
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function scrollers(root) {
    root.querySelectorAll(boxes).forEach(function (box) {
      scrollable(box);
      if (watched) {
        watched.observe(box);
        Array.prototype.forEach.call(box.children, function (child) {
          watched.observe(child);
        });
      }
    });
  }

  // 7. Material's own markup: its search dialog gets a name, and the bar of each code block's
  // copy button is no navigation landmark (dozens of unnamed ones on a page), just a button.
  function names(root) {
    var search = document.querySelector(".md-search[role=dialog]");
    if (search) {
      search.setAttribute("aria-label", "Search");
    }
    root.querySelectorAll("nav.md-code__nav").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }
  if (typeof MutationObserver === "function") {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== Node.ELEMENT_NODE) {
            return;
          }
          if (node.matches("nav.md-code__nav") || node.querySelector("nav.md-code__nav")) {
            names(node.parentNode);
          }
        });
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  // 8. A stream player (player.js and player.css, beside this file) only on a page that has
  // one: <div class="stream-player" data-src="...">. Nothing else loads them or its data.
  // 9. Practising the interview bank (practice.js, its schedule and practice.css) only on the
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

  // 10. "Copy page as Markdown": the page's Markdown, which `python3 dev.py build` writes beside
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
    wrapStructured(document);
    keepNamesWhole(document);
    examples(document);
    tables(document);
    scrollers(document);
    names(document);
    loadExtras();
    copyPageButton();
  }

  if (window.document$) {
    window.document$.subscribe(run);
  } else {
    document.addEventListener("DOMContentLoaded", run);
  }
})();

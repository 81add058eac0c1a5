// What tests/test_browser.py asks of a page, measured in the page itself. Each returns a list
// of problems, each a short sentence naming what is wrong ([] when all is well).
window.siteProbes = (() => {
  "use strict";

  // Every example's output: shown (not in a closed tab), with a height, and in sight of its
  // program: beside it (a wide screen), below it, or above it (a long program, narrower).
  function hiddenOutputs() {
    return [...document.querySelectorAll("figure.example")].flatMap((figure) => {
      const name = figure.querySelector(".example-file").textContent;
      const blocks = figure.querySelectorAll(".highlight");
      if (blocks.length < 2) return [];
      const code = blocks[0];
      const output = blocks[blocks.length - 1];
      const box = output.getBoundingClientRect();
      if (output.closest(".tabbed-set")) return [`${name}: its output is in a tab`];
      if (box.height === 0 || !output.checkVisibility({ visibilityProperty: true })) {
        return [`${name}: its output is not shown`];
      }
      const program = code.getBoundingClientRect();
      const below = box.top >= program.bottom - 1;
      const beside = box.left >= program.right - 1 && box.top < program.bottom;
      const above = figure.classList.contains("example--long") && box.bottom <= program.top + 1;
      if (!below && !beside && !above) {
        return [`${name}: its output is not beside, below or (a long program's) above it`];
      }
      return [];
    });
  }

  // Anything wider than the window (the page scrolls sideways), and code not set flush left.
  function overflow() {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
    }
    for (const pre of document.querySelectorAll(".md-content pre")) {
      if (getComputedStyle(pre).textAlign !== "left" && getComputedStyle(pre).textAlign !== "start") {
        problems.push(`code set ${getComputedStyle(pre).textAlign}: ${pre.textContent.slice(0, 40)}`);
      }
    }
    return problems;
  }

  // The text of a block, and a way from an offset in it to (text node, offset in the node).
  function textOf(element) {
    const nodes = [];
    let text = "";
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push({ node, start: text.length });
      text += node.data;
    }
    const at = (offset) => {
      const found = nodes.findLast((entry) => entry.start <= offset);
      return [found.node, offset - found.start];
    };
    return { text, at };
  }

  // A JSON token of a `data:` line that breaks across lines though it is shorter than a line;
  // an event name in a table's first column that breaks.
  const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null/g;
  function brokenTokens() {
    const problems = [];
    for (const code of document.querySelectorAll(".language-text pre > code")) {
      const lineWidth = code.getBoundingClientRect().width;
      const { text, at } = textOf(code);
      let start = 0;
      for (const line of text.split("\n")) {
        if (line.startsWith("data:")) {
          for (const match of line.matchAll(TOKEN)) {
            // A string may wrap where prose does, at a space, and an address after a "/";
            // each word of it, like every other token, must stay on one line.
            const word = match[0].startsWith('"http') ? /[^ /"]+\/?/g : /[^ ]+/g;
            const pieces = match[0].startsWith('"')
              ? [...match[0].matchAll(word)].map((w) => [match.index + w.index, w[0]])
              : [[match.index, match[0]]];
            for (const [offset, piece] of pieces) {
              const range = document.createRange();
              range.setStart(...at(start + offset));
              range.setEnd(...at(start + offset + piece.length));
              const rects = [...range.getClientRects()].filter((r) => r.width > 0);
              const tops = new Set(rects.map((r) => Math.round(r.top)));
              const width = rects.reduce((sum, r) => sum + r.width, 0);
              // A continuation line is narrower by the line's hanging indent (extra.css).
              const holder = range.startContainer.parentElement?.closest(".wire-line");
              const hang = holder ? parseFloat(getComputedStyle(holder).paddingLeft) : 0;
              if (tops.size > 1 && width < (lineWidth - hang) * 0.9) {
                problems.push(`a token breaks across lines: ${piece.slice(0, 60)} (in ${match[0].slice(0, 60)})`);
              }
            }
          }
        }
        start += line.length + 1;
      }
    }
    for (const code of document.querySelectorAll("table td code")) {
      const name = !code.textContent.includes(" ");
      if (name && code.getClientRects().length > 1) {
        problems.push(`a name breaks in a table: ${code.textContent}`);
      }
    }
    return problems;
  }

  // WCAG 2 contrast of the text of every visible element against what is painted behind it.
  function rgba(color) {
    const [r, g, b, a = 1] = color.match(/[\d.]+/g).map(Number);
    return { r, g, b, a };
  }
  function over(top, bottom) {
    const a = top.a + bottom.a * (1 - top.a);
    const mix = (t, b) => (t * top.a + b * bottom.a * (1 - top.a)) / (a || 1);
    return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
  }
  function luminance({ r, g, b }) {
    const [R, G, B] = [r, g, b].map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  }
  function ratio(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  function background(element) {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const color = rgba(getComputedStyle(e).backgroundColor);
      if (color.a > 0) layers.push(color);
      if (color.a === 1) break;
    }
    return layers.reduceRight((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  }
  function ownText(element) {
    return [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
  }
  function lowContrast() {
    const problems = new Map();
    for (const element of document.body.querySelectorAll("*")) {
      if (!ownText(element)) continue;
      if (!element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      if (element.closest(".md-search__output") && !document.getElementById("__search").checked) {
        continue; // the search panel is closed (it fades out rather than hide)
      }
      const box = element.getBoundingClientRect();
      if (box.width < 2 || box.height < 2) continue; // text hidden for screen readers only
      const style = getComputedStyle(element);
      const bg = background(element);
      // An ancestor's opacity fades the text into what is behind it (Material's <small>).
      let opacity = 1;
      for (let e = element; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity);
      if (opacity < 0.05) continue; // faded out of sight, such as a closed search panel
      const color = rgba(style.color);
      const fg = over({ ...color, a: color.a * opacity }, bg);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      const found = ratio(fg, bg);
      if (found < needed) {
        const key = `${element.tagName.toLowerCase()}.${element.className}`;
        problems.set(key, `${key} "${element.textContent.trim().slice(0, 30)}": ` +
          `${found.toFixed(2)}:1, needs ${needed}:1 (${style.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
      }
    }
    // A link in running text must stand out by more than its colour (WCAG 1.4.1).
    for (const link of document.querySelectorAll(".md-typeset :is(p, li, td) > a")) {
      const underlined = getComputedStyle(link).textDecorationLine.includes("underline");
      const around = getComputedStyle(link.parentElement).color;
      if (!underlined && ratio(rgba(getComputedStyle(link).color), rgba(around)) < 3) {
        problems.set(`link ${link.href}`, `a link told from its text by colour alone: ${link.textContent}`);
      }
    }
    return [...problems.values()];
  }

  // The text of each output and wire block, as the reader sees and copies it.
  function codeTexts() {
    return [...document.querySelectorAll(".language-text pre > code")].map((c) => c.textContent);
  }

  return { hiddenOutputs, overflow, brokenTokens, lowContrast, codeTexts };
})();

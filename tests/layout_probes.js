// What tests/test_layout.py asks of a page's layout, measured in the page at its current width
// and scheme. Each returns a list of problems, each a short sentence ([] when all is well).
window.layoutProbes = (() => {
  "use strict";

  const shown = (e) => e.checkVisibility({ opacityProperty: true, visibilityProperty: true }) &&
    e.getBoundingClientRect().width > 0;
  const name = (e) => {
    const label = e.closest("figure, .highlight, .md-typeset__scrollwrap, .stream-player");
    const text = (label || e).textContent.trim().replace(/\s+/g, " ");
    return `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} "${text.slice(0, 40)}"`;
  };

  // A picture's text, as drawn: its font size times the picture's scale on screen.
  function smallFigureText(least = 11) {
    const problems = [];
    for (const svg of document.querySelectorAll("article figure svg")) {
      if (!shown(svg)) continue;
      const scale = svg.getScreenCTM().a;
      for (const text of svg.querySelectorAll("text")) {
        const size = parseFloat(getComputedStyle(text).fontSize) * scale;
        if (size < least - 0.01) {
          problems.push(`${size.toFixed(1)} px: "${text.textContent}" in ${name(svg)}`);
          break;
        }
      }
    }
    return problems;
  }

  // A block wider than its room: it must scroll in a box the keyboard can reach, and no
  // block may reach past the window.
  function unreachableScrollers() {
    const problems = [];
    const width = document.documentElement.clientWidth;
    for (const e of document.querySelectorAll("article *")) {
      if (!shown(e)) continue;
      const style = getComputedStyle(e);
      const scrolls = /auto|scroll/.test(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
      if (scrolls && !(e.tabIndex >= 0)) problems.push(`scrolls but the keyboard cannot reach it: ${name(e)}`);
      if (e.matches("pre, table, figure, .stream-player, .highlight")) {
        const box = e.getBoundingClientRect();
        const clipped = e.parentElement.closest("pre, .md-typeset__scrollwrap, figure, .sp-log, .sp-message");
        if (box.right > width + 1 && !clipped) problems.push(`wider than the window: ${name(e)}`);
      }
    }
    return problems;
  }

  // A scroller that a reader could miss: a table or a picture that scrolls says so with a cue.
  function scrollersWithoutCue() {
    return [...document.querySelectorAll("article .md-typeset__scrollwrap, article figure.picture")]
      .filter((e) => shown(e) && e.scrollWidth > e.clientWidth + 1)
      .filter((e) => !e.classList.contains("scrolls") || !getComputedStyle(e).backgroundImage.includes("gradient"))
      .map((e) => `scrolls with no cue: ${name(e)}`);
  }

  // Wire text, outputs, JSON and TOML wrap: no line of them hides behind a scroll bar.
  function cutLines() {
    return [...document.querySelectorAll(
      "article :is(.language-text, .language-json, .language-toml) pre > code")]
      .filter((code) => shown(code) && code.scrollWidth > code.clientWidth + 1)
      .map((code) => `a line cut off: ${name(code)}`);
  }

  return { smallFigureText, unreachableScrollers, scrollersWithoutCue, cutLines };
})();

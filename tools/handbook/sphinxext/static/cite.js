// "Cite this page": copy buttons for the citation and its BibTeX.
// Without the clipboard API (or without this script) the buttons stay hidden
// and the text is there to select and copy by hand.  No data leaves the page.
"use strict";
(() => {
  const block = document.querySelector("details.handbook-cite");
  if (!block || !navigator.clipboard || !window.isSecureContext) return;
  const actions = block.querySelector(".handbook-cite__actions");
  const status = block.querySelector(".handbook-cite__status");
  actions.hidden = false;
  for (const button of actions.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(source.textContent);
        status.textContent = button.dataset.done;
      } catch {
        // Refused (permissions): select the text so that Ctrl+C copies it.
        const range = document.createRange();
        range.selectNodeContents(source);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = "";
      }
    });
  }
})();

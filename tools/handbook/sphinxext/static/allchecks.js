/* The All checks page's filter (handbook.sphinxext.checks writes the page).

   Shows the filter box, which the page hides for readers without JavaScript,
   and narrows the list as the reader types: a check stays when its ID or its
   text contains every word typed; a chapter with no check left is hidden.
   The sentence under the box, from the page, says how many are shown. */
(() => {
  "use strict";
  const box = document.querySelector(".handbook-checks-filter");
  const field = document.getElementById("handbook-checks-filter");
  const status = document.getElementById("handbook-checks-status");
  if (!box || !field || !status) return;
  const template = status.textContent.trim();
  const checks = Array.from(document.querySelectorAll("li.handbook-check"));
  const chapters = Array.from(document.querySelectorAll("section.handbook-checks-chapter"));
  const texts = new Map(checks.map((check) => [check, check.textContent.toLowerCase()]));

  function filter() {
    const words = field.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const check of checks) {
      const visible = words.every((word) => texts.get(check).includes(word));
      check.hidden = !visible;
      if (visible) shown += 1;
    }
    for (const chapter of chapters) {
      chapter.hidden = !chapter.querySelector("li.handbook-check:not([hidden])");
    }
    status.textContent = template.replace("{shown}", String(shown)).replace("{total}", String(checks.length));
  }

  box.hidden = false;
  field.addEventListener("input", filter);
  filter();
})();

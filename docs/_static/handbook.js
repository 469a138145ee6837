/* The handbook's own script (loaded deferred).

   Sidebar toggles: sphinx-book-theme shows the toggles of the two sidebars in
   the article header and hides the ones in the page header, but the theme's
   scripts listen on the first toggle of each kind in the page only: the hidden
   one.  Clicks on the visible toggles are passed on to it, so that they open
   the sidebars (narrow screens) or fold them away (wide screens). */
document.addEventListener("click", (event) => {
  const button = event.target.closest(".primary-toggle, .secondary-toggle");
  if (!button) return;
  const kind = button.classList.contains("primary-toggle") ? ".primary-toggle" : ".secondary-toggle";
  const listened = document.querySelector(kind);
  if (listened && listened !== button) {
    event.preventDefault();
    event.stopPropagation();
    listened.click();
  }
});

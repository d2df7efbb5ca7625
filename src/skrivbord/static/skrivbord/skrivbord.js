// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form?.requestSubmit();
  }
});
// Ask before destructive actions: <form data-confirm="Are you sure?">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
// htmx may have changed the address (a live search): return to where the user is now.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.hasAttribute("data-language-switch")) {
    const next = form.querySelector('input[name="next"]');
    if (next instanceof HTMLInputElement) next.value = window.location.pathname + window.location.search;
  }
});

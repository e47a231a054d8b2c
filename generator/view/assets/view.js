// The report's only script: select a turn to highlight and scroll to the rows it cites, dim the rows nothing
// cites, and search the index. Plain DOM, no library, works from file://.
"use strict";

(function () {
  const hint = document.getElementById("selection");
  let selected = null;

  // Rows beyond the first few hundred wait as HTML strings in #row-chunks, one per empty table[data-chunk].
  const store = document.getElementById("row-chunks");
  const chunks = store ? JSON.parse(store.textContent) : [];

  function fill(table) {
    table.tBodies[0].innerHTML = chunks[table.dataset.chunk];
    delete table.dataset.chunk;
  }

  function fillNext() {
    const table = document.querySelector("table[data-chunk]");
    if (table) {
      fill(table);
      setTimeout(fillNext, 0);
    }
  }

  // The row with this id, putting it in place with every table before it (so that nothing above it moves later).
  function row(id) {
    const found = document.getElementById(id);
    if (found || !id.startsWith("r-")) return found;
    const needle = 'id="' + id + '"';
    const waiting = Array.from(document.querySelectorAll("table[data-chunk]"));
    const last = waiting.findIndex((t) => chunks[t.dataset.chunk].includes(needle));
    waiting.slice(0, last + 1).forEach(fill);
    return document.getElementById(id);
  }

  function citedRows(item) {
    return (item.dataset.rows || "").split(" ").filter(Boolean).map(row).filter(Boolean);
  }

  // A link to a row not yet in place: put it there before the browser looks for it.
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest("a[href^='#r-']");
      if (link) row(link.hash.slice(1));
    },
    true,
  );

  function select(item, scrollToRows) {
    document.querySelectorAll("tr.cited").forEach((row) => row.classList.remove("cited"));
    if (selected) selected.classList.remove("selected");
    selected = item;
    item.classList.add("selected");
    const rows = citedRows(item);
    rows.forEach((row) => row.classList.add("cited"));
    if (hint) {
      const what = item.id ? "Turn " + item.id.slice(5) : "This summary item";
      hint.textContent = rows.length
        ? what + ": " + rows.length + (rows.length === 1 ? " cited row" : " cited rows") + " highlighted"
        : what + " cites no row of this packet";
    }
    if (scrollToRows && rows.length) rows[0].scrollIntoView({ block: "center" });
  }

  document.querySelectorAll(".cites").forEach((item) => {
    item.addEventListener("click", (event) => {
      const link = event.target.closest("a");
      if (link && link.getAttribute("href").charAt(0) !== "#") return; // another page
      // An evidence link scrolls to its own row; anywhere else scrolls to the first cited row.
      select(item, !link);
      if (item.id && !link) history.replaceState(null, "", "#" + item.id);
    });
    item.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select(item, true);
      }
    });
  });

  function selectFromHash() {
    const id = decodeURIComponent(location.hash.slice(1));
    const target = (id.startsWith("turn-") || id.startsWith("r-")) && row(id);
    if (target && id.startsWith("turn-")) {
      select(target, true);
      target.scrollIntoView({ block: "nearest" });
    } else if (target) {
      target.scrollIntoView({ block: "center" });
    }
  }
  window.addEventListener("hashchange", selectFromHash);
  selectFromHash();
  setTimeout(fillNext, 0);

  const dim = document.getElementById("dim-uncited");
  const packet = document.getElementById("packet");
  if (dim && packet) {
    dim.addEventListener("change", () => packet.classList.toggle("dim-uncited", dim.checked));
  }

  const search = document.getElementById("search");
  const status = document.getElementById("status-filter");
  const shown = document.getElementById("shown");
  if (search) {
    const rows = Array.from(document.querySelectorAll("tr[data-key]"));
    const filter = () => {
      const query = search.value.trim();
      const wanted = status ? status.value : "";
      let count = 0;
      rows.forEach((row) => {
        const match =
          (!query || row.dataset.key.split(" ").some((id) => id.includes(query))) &&
          (!wanted || row.dataset.status === wanted);
        row.hidden = !match;
        if (match) count += 1;
      });
      if (shown) shown.textContent = count + " shown";
    };
    search.addEventListener("input", filter);
    if (status) status.addEventListener("change", filter);
    filter();
  }
})();

// The report's only script: select a turn to highlight and scroll to the rows it cites, dim the rows nothing
// cites, and search the index. Plain DOM, no library, works from file://.
"use strict";

(function () {
  const hint = document.getElementById("selection");
  let selected = null;

  function citedRows(item) {
    return (item.dataset.rows || "")
      .split(" ")
      .filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter(Boolean);
  }

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
    const target = location.hash.startsWith("#turn-") && document.getElementById(location.hash.slice(1));
    if (target) {
      select(target, true);
      target.scrollIntoView({ block: "nearest" });
    }
  }
  window.addEventListener("hashchange", selectFromHash);
  selectFromHash();

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

"""One module per page kind; each returns the page body (`generator.view.html.page` adds the shell)."""

"""The dashboard's pages: each module renders one page from the runtime and the signed-in user."""

"""Green API itself: the HTTP client, its answers and errors, and what its values look like."""

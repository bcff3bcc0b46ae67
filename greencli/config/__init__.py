"""Where the credentials come from (options, environment, .env) and the files greencli writes."""

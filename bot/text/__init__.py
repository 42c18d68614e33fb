"""Text leaves: Arabic matching, HTML in and out, dates. No imports from the rest of the bot."""

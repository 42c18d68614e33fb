"""Background work on feeds: due feeds → fetch → parse → store → plan deliveries."""

"""Evaluation pages, one small module per area (runs, results, enterprise, self-assessment, dashboard, briefing)."""

"""The leadership report: one self-contained HTML file (opens offline) plus CSV exports."""

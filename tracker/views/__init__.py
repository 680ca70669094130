"""The blueprints, and the page renderers and form helpers they share."""

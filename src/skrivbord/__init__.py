"""skrivbord: an online desktop for small Nordic businesses."""

__version__ = "0.1.0"

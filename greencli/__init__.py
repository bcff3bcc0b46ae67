"""greencli: set up and diagnose WhatsApp over Green API from the terminal."""

__version__ = "0.1.0"

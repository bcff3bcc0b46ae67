"""greencli doctor: the troubleshooting checklist as checks, run gated then concurrently."""

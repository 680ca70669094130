"""Working time: the calendar, pure deadline arithmetic, deadlines stored on tickets, policies, the SLA sweep."""

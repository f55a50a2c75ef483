"""Standard formats for a patient's record: FHIR R4 (export and import), CSV, iCalendar."""

"""Analyses over many patients' stored records, for clinics and researchers (never shown per person)."""

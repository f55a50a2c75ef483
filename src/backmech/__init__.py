"""backmech: mechanism-based assessment and recovery planning for low back pain.

backmech supports clinical decisions; it does not replace a clinician.
"""

__version__ = "0.1.0"

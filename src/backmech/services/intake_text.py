"""Plain-language framing for the intake screens: titles, answer labels, groupings.

Kept apart from the step logic so wording can be reviewed (and translated) in one
place. No clinical numbers live here: question wording, answer scales and value
meanings come from the knowledge base; these are titles and everyday labels for
vocabulary values that have no description of their own.
"""

from __future__ import annotations

from collections.abc import Mapping

QUESTIONNAIRE_ORDER = ("nprs", "odi", "start_back", "fabq", "tsk11", "rmdq", "psfs")
"""Shortest and most decisive first (the same order as the command-line assessment)."""

QUESTIONNAIRE_CHUNK: Mapping[str, int] = {
    "nprs": 3,  # three 0-10 ratings: one screen
    "odi": 2,  # six long statements per section
    "start_back": 5,  # agree / disagree
    "fabq": 3,  # seven-point scale
    "tsk11": 4,  # four-point scale
    "rmdq": 6,  # yes / no
    "psfs": 3,  # activity text and a rating
}
"""Items per screen, so each screen stays short on a phone."""

SAFETY_TITLES: Mapping[str, str] = {
    "cauda_equina": "Bladder, bowel and the saddle area",
    "cord_compression": "Balance and your hands",
    "fracture": "Falls, injuries and bones",
    "malignancy": "Your general health",
    "infection": "Fever and infection",
    "inflammatory": "Joints and inflammation",
    "vascular": "Sudden severe pain and blood vessels",
    "visceral": "Tummy, bladder and other organs",
    "progressive_neuro_deficit": "Leg and foot weakness",
    "radicular": "Nerve symptoms",
}

ENUM_LABELS: Mapping[str, Mapping[str, str]] = {
    "person.sex": {
        "female": "Female",
        "male": "Male",
        "other": "Other",
        "unspecified": "I would rather not say",
    },
    "person.occupation": {
        "desk": "Desk or computer work",
        "manual": "Physical or manual work",
        "mixed": "A mix of desk and physical work",
        "driving": "Driving",
        "standing": "Work on my feet",
        "not_working": "Not working at the moment",
        "retired": "Retired",
        "student": "Student",
        "homemaker": "Looking after home or family",
    },
    "pain.night": {
        "none": "The pain does not wake me",
        "wakes_on_turning": "It wakes me when I turn over, then settles",
        "wakes_second_half_of_night": "It wakes me in the early hours and I have to get up",
        "constant_unrelenting": "It is there all night, whatever position I am in",
    },
    "pain.leg_pain": {
        "none": "No, only in my back or buttocks",
        "left": "Yes, in my left leg",
        "right": "Yes, in my right leg",
        "both": "Yes, in both legs",
    },
    "lifestyle.work_ergonomics": {
        "desk_no_breaks": "At a desk, with few breaks",
        "desk_with_breaks": "At a desk, with regular breaks",
        "sit_stand_desk": "At a desk I can raise to stand",
        "manual_handling": "Lifting and carrying",
        "driving": "Driving",
        "standing_work": "Standing most of the time",
        "mixed": "A mix of these",
        "not_working": "I am not working at the moment",
    },
    "lifestyle.sleep_quality": {"good": "Well", "fair": "So-so", "poor": "Badly"},
}

EQUIPMENT_LABELS: Mapping[str, str] = {
    "mat": "An exercise mat (a rug or towel works too)",
    "chair": "A sturdy chair",
    "wall": "A clear bit of wall",
    "dowel": "A broom handle or light pole",
    "band": "A resistance band",
    "kettlebell": "A kettlebell or a heavy bag with handles",
    "step": "A step or the bottom stair",
    "bar": "A bar to hang from or pull on",
}

AGGRAVATING_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "sitting-standing",
        "What makes it worse: sitting, standing and walking",
        (
            "sitting_slumped",
            "sitting_long",
            "driving",
            "getting_up_from_chair",
            "standing",
            "walking",
            "walking_slow",
        ),
    ),
    (
        "bending-lifting",
        "What makes it worse: bending, lifting and twisting",
        (
            "bending_forward",
            "picking_up_from_floor",
            "putting_on_socks",
            "carrying",
            "arching_back",
            "reaching_overhead",
            "twisting",
            "reversing_car",
        ),
    ),
    (
        "other",
        "What makes it worse: lying down, mornings and sudden moves",
        (
            "lying_prone",
            "turning_in_bed",
            "first_hour_after_waking",
            "coughing_sneezing",
            "unguarded_movements",
            "impact",
        ),
    ),
)
"""Activities (vocabulary values) that the mechanism and safety rules read, in everyday groups."""

EASING_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "positions",
        "What eases it: positions and movement",
        (
            "sitting_upright",
            "sitting_slumped",
            "standing",
            "walking",
            "walking_brisk",
            "arching_back",
            "bending_forward_relief",
            "unloading",
        ),
    ),
    ("other", "What eases it: rest, exercise and warmth", ("rest", "exercise", "heat", "bracing")),
)

DURATION_UNITS: tuple[tuple[str, str, int], ...] = (
    ("days", "days", 1),
    ("weeks", "weeks", 7),
    ("months", "months", 30),
    ("years", "years", 365),
)
"""Calendar units for "how long ago did it start" and their length in days."""

SECTION_NAMES: Mapping[str, str] = {
    "person": "about you",
    "history": "how long you have had the pain",
    "pain": "where the pain is",
    "symptoms": "what makes it worse or better",
    "lifestyle": "your daily life",
    "neuro": "a nerve check by a clinician (reflexes, strength, feeling)",
    "examination": "a movement examination by a clinician, or the movement tests in this app",
}
"""Intake sections as named on the result page's "what is missing" list."""

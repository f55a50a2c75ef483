"""Interactive assessment on the terminal: red flags first, then everything else.

Prompts are plain lines read from standard input, so the assessment works in any
terminal, over ssh, and driven by a script or a test (no TTY needed). Every answer
is checked as it is typed; a wrong answer is explained and asked again.

Safety comes first. The red-flag questions are asked before anything else; an
answer that makes the level an emergency ends the assessment at once, and an
urgent level ends it when its section is finished (a later red-flag answer could
still raise it to an emergency). Either way the referral is shown, nothing more is
asked and no plan is given.

Everything else may be left out (an empty answer or ``skip``): what is left out
stays unknown, and a questionnaire left out is never scored as zero.

With ``--save FILE`` the answers so far are written after every question
(atomically, so an interruption never leaves a broken file); ``--resume FILE``
continues from the first question not yet answered and never asks an answered
one again. The saved file holds the partial intake, in the same format as
``backmech assess --input``, plus the list of questions already done.
"""

from backmech.cli.interactive.runner import run_interactive
from backmech.cli.interactive.steps import BASIC_FACTS, LEG_PAIN_ONLY, QUESTIONNAIRE_ORDER, SYMPTOM_FACTS

__all__ = ["BASIC_FACTS", "LEG_PAIN_ONLY", "QUESTIONNAIRE_ORDER", "SYMPTOM_FACTS", "run_interactive"]

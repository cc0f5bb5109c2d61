"""Bad input, and the one-line messages that name the valid choices."""

import difflib


class InputError(Exception):
    """Bad input: reported on one line, exit code 2."""


def did_you_mean(found, choices):
    close = difflib.get_close_matches(str(found), [str(c) for c in choices], n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def expected_one_of(what, found, choices):
    """An InputError 'found X, expected one of A, B or C (did you mean ...?)'."""
    names = [str(c) for c in choices]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return InputError(
        f'found {what} "{found}", expected one of {listed}{did_you_mean(found, names)}'
    )

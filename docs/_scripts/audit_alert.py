"""How often the audited-precision alert fires by chance, and how fast it sees a real fall.

The arithmetic behind the precision ticket of docs/swe/operating.md and the audit
of docs/pm/human-in-the-loop.md.  Reviewers blindly audit a random 1% of
Relist's automatically set categories, 660 a day.  At the threshold's 97%
precision one day's figure has a standard error of about 0.66 points, so a rule
that reacts to days below 97% reacts to noise.  The alert instead pools the
last 7 days (4,620 audits, standard error 0.25 points), is checked every day,
and opens a ticket below 96.2%, more than three standard errors under 97%.

The false-alarm rate uses the exact binomial distribution; the speed of
detection uses the normal approximation.  Standard library only:

    .venv/bin/python docs/_scripts/audit_alert.py

tests/content/test_content_numbers.py checks the chapters against this script and
its inputs against docs/_data/relist.yaml.
"""

from __future__ import annotations

from math import ceil, exp, lgamma, log, sqrt
from statistics import NormalDist

AUDITS_PER_DAY = 660  # 1% of the 66,000 categories set automatically a day
WINDOW_DAYS = 7  # the alert pools this many days of audits
PRECISION = 0.97  # precision at the threshold, the objective
THRESHOLD = 0.962  # the alert opens a ticket when the window's precision is below this
DROP = 0.94  # an example of a real fall the alert must catch
DAYS_A_YEAR = 365  # one check a day


def binomial_below(n: int, p: float, limit: float) -> float:
    """P(X < limit) for X ~ Binomial(n, p): the chance of fewer than ``limit`` successes."""
    log_p, log_q = log(p), log(1 - p)

    def pmf(k: int) -> float:
        log_choose = lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
        return exp(log_choose + k * log_p + (n - k) * log_q)

    return sum(pmf(k) for k in range(ceil(limit)))


def false_alarm_per_check(
    precision: float = PRECISION, audits: int = AUDITS_PER_DAY * WINDOW_DAYS
) -> float:
    """The chance that one check fires although precision is exactly on target."""
    return binomial_below(audits, precision, THRESHOLD * audits)


def false_alarms_per_year() -> float:
    """Expected checks a year that fire by chance (an upper bound on false tickets,
    since a chance dip that lasts several days still opens one ticket)."""
    return DAYS_A_YEAR * false_alarm_per_check()


def old_rule_days_between_false_tickets() -> float:
    """Expected days until the old rule, two days in a row below 97%, fires by chance."""
    below = binomial_below(AUDITS_PER_DAY, PRECISION, PRECISION * AUDITS_PER_DAY)
    return (1 + below) / below**2  # the expected wait for a run of two


def detection_on_day(day: int, drop: float = DROP) -> float:
    """The chance that the check fires ``day`` days after precision falls to ``drop``.

    The window then holds ``day`` days at the new precision and the rest at the old.
    """
    new, old = AUDITS_PER_DAY * day, AUDITS_PER_DAY * (WINDOW_DAYS - day)
    mean = new * drop + old * PRECISION
    sd = sqrt(new * drop * (1 - drop) + old * PRECISION * (1 - PRECISION))
    return NormalDist(mean, sd).cdf(THRESHOLD * (new + old))


def main() -> None:
    """Print the figures the chapters use."""
    per_check = false_alarm_per_check()
    old_rule = old_rule_days_between_false_tickets()
    print(f"One check fires by chance with probability {per_check:.3%}")
    print(f"Chance firings a year, checked daily: at most {false_alarms_per_year():.2f}")
    print(f"The old two-day rule: a false ticket every {old_rule:.0f} days")
    for day in range(1, WINDOW_DAYS + 1):
        chance = detection_on_day(day)
        print(f"Day {day} after a fall to {DROP:.0%}: the check fires with {chance:.0%}")


if __name__ == "__main__":
    main()

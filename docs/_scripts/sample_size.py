"""The sample size of Relist's A/B test, step by step, and the size of its guardrail.

Every figure of the section "Sample size, step by step" of docs/ds/experiments.md
comes from this script, which the chapter reproduces: change an assumption below
and run it again to see what moves.  It needs only the standard library:

    .venv/bin/python docs/_scripts/sample_size.py

The inputs are Relist's facts as docs/_data/relist.yaml states them (the chapter
shows them from there); tests/content/test_content_numbers.py checks that the two
agree and that the chapter states what this script computes.
"""

from __future__ import annotations

from math import ceil, sqrt
from statistics import NormalDist

normal = NormalDist()
z = normal.inv_cdf  # z(0.975) = 1.96

# -- The plan's inputs ------------------------------------------------------------------
P1 = 0.48  # 14-day sell-through today, the baseline
DELTA = 0.01  # the minimum detectable effect, absolute: 48% to 49%
ALPHA = 0.05  # significance level, two-sided
POWER = 0.80  # chance of detecting a true lift of DELTA
M = 11  # listing-weighted mean of new listings per seller in the window (assumed)
RHO = 0.05  # intra-seller correlation of the 14-day sale outcome (assumed)
NEW_LISTINGS_PER_DAY = 120_000
ARM_SHARE = 0.10  # share of sellers in each arm
DAYS = 7  # days of enrolment
COMPLETION = 0.983  # listing completion today, the guardrail's baseline
COMPLETION_LIMIT = 0.003  # the guardrail: completion must not fall by more than this


def n_iid(p1: float = P1, delta: float = DELTA) -> int:
    """Listings per arm if listings were independent: the unpooled normal approximation."""
    p2 = p1 + delta
    z_sum = z(1 - ALPHA / 2) + z(POWER)
    return ceil(z_sum**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / delta**2)


def n_iid_pooled(p1: float = P1, delta: float = DELTA) -> int:
    """The same with the null hypothesis' pooled proportion in the critical value's term."""
    p2 = p1 + delta
    pooled = (p1 + p2) / 2
    spread = z(1 - ALPHA / 2) * sqrt(2 * pooled * (1 - pooled))
    spread += z(POWER) * sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return ceil(spread**2 / delta**2)


def design_effect(m: float = M, rho: float = RHO) -> float:
    """Variance inflation from randomising by seller and analysing by listing."""
    return 1 + (m - 1) * rho


def planned_per_arm() -> float:
    """Listings each arm is expected to collect: its share of sellers over the window."""
    return ARM_SHARE * NEW_LISTINGS_PER_DAY * DAYS


def power(n: float, deff: float, p1: float = P1, delta: float = DELTA) -> float:
    """Chance that the test detects a true lift of ``delta`` with ``n`` listings per arm."""
    p2 = p1 + delta
    se = sqrt(deff * (p1 * (1 - p1) + p2 * (1 - p2)) / n)
    return normal.cdf(delta / se - z(1 - ALPHA / 2))


def detectable(n: float, deff: float, p1: float = P1) -> float:
    """The smallest lift detected with 80% power (the variance depends on the lift itself)."""
    z_sum = z(1 - ALPHA / 2) + z(POWER)
    delta = DELTA
    for _ in range(50):
        p2 = p1 + delta
        delta = z_sum * sqrt(deff * (p1 * (1 - p1) + p2 * (1 - p2)) / n)
    return delta


def largest_rho(n: float, m: float = M) -> float:
    """The intra-seller correlation at which ``n`` listings per arm leave exactly 80% power."""
    z_sum = z(1 - ALPHA / 2) + z(POWER)
    p2 = P1 + DELTA
    deff = n * DELTA**2 / (z_sum**2 * (P1 * (1 - P1) + p2 * (1 - p2)))
    return (deff - 1) / (m - 1)


def naive_false_positives(deff: float) -> float:
    """How often a listing-level test that ignores the clustering rejects a true null."""
    return 2 * (1 - normal.cdf(z(1 - ALPHA / 2) / sqrt(deff)))


def completion_se(n: float, deff: float, p: float = COMPLETION) -> float:
    """Standard error of the difference in completion between two arms of ``n`` listings."""
    return sqrt(2 * p * (1 - p) * deff / n)


def completion_power(n: float, deff: float, fall: float = COMPLETION_LIMIT) -> float:
    """Chance that a true fall of ``fall`` in completion comes out significant."""
    return normal.cdf(fall / completion_se(n, deff) - z(1 - ALPHA / 2))


def main() -> None:
    """Print every figure, in the chapter's order."""
    z_a, z_b = z(1 - ALPHA / 2), z(POWER)
    p2 = P1 + DELTA
    variance = P1 * (1 - P1) + p2 * (1 - p2)
    n, deff = n_iid(), design_effect()
    n_arm = ceil(n * deff)
    per_day = n_arm / DAYS
    planned = planned_per_arm()
    se = completion_se(planned, deff)
    deff_2 = design_effect(rho=0.10)
    lines = [
        f"Step 2: {z_a:.4f} + {z_b:.4f} = {z_a + z_b:.4f}, squared {(z_a + z_b) ** 2:.4f}",
        f"Step 3: {P1 * (1 - P1):.4f} + {p2 * (1 - p2):.4f} = {variance:.4f}",
        f"Step 4: {(z_a + z_b) ** 2 * variance / DELTA**2:,.1f}, so {n:,} listings per arm, "
        f"{2 * n:,} in total; pooled variant {n_iid_pooled():,}",
        f"Step 5: DEFF {deff:.1f}, so {n_arm:,} listings per arm, {2 * n_arm:,} in total",
        f"Step 6: {2 * n_arm / NEW_LISTINGS_PER_DAY:.2f} days with every seller in the test; "
        f"over {DAYS} days {per_day:,.0f} a day per arm, {per_day / NEW_LISTINGS_PER_DAY:.1%}",
        f"Planned {planned:,.0f} per arm: power {power(planned, deff):.2f}, "
        f"detectable lift {100 * detectable(planned, deff):.2f} points",
        f"With rho 0.10: DEFF {deff_2:.1f}, power {power(planned, deff_2):.2f}; "
        f"80% power up to rho {largest_rho(planned):.2f}",
        f"Naive listing-level test: {naive_false_positives(deff):.0%} false positives",
        f"Completion: SE {100 * se:.3f} points, 95% interval ±{100 * z_a * se:.2f}, "
        f"detectable fall {100 * (z_a + z_b) * se:.2f}, "
        f"power against a fall of {100 * COMPLETION_LIMIT:.1f}: "
        f"{completion_power(planned, deff):.0%}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reads what one run of bench/pacing_bench.sh left in its directory and prints its figures.

  pacing_analyse.py RUN_DIR                 one run: a JSON line of figures, and a summary
  pacing_analyse.py --summary RUN_DIR...    the medians over runs (and the max where it matters)

Files of a run: events.json (the script's instants, µs since the epoch), received.jsonl and
refused.jsonl (the fake server's accepted and refused requests with their arrival), stats.json,
recipients.jsonl, deliveries.jsonl (GET /v1/campaigns/1/deliveries?format=jsonl), and for the
pause scenario stats-paused.json (the server's stats 3 s after the pause was answered).

Windows. "sliding": the most arrivals of one number in any half-open second [t, t + 1 s), over
every t (the maximum is reached with t at an arrival, so every arrival is tried). "aligned": the
most in one of the fake server's own one-second windows, which start at its window_origin_us:
what it counts to answer 130429.
"""
import json
import os
import statistics
import sys
from bisect import bisect_left
from collections import defaultdict

US = 1_000_000
STEADY_SKIP_US = 5 * US  # the start-up ramp left out of the steady window
STEADY_WINDOW_US = 60 * US


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def max_sliding(times):
    """The most instants (sorted, µs) in any half-open second."""
    best, j = 0, 0
    for i, t in enumerate(times):
        if j < i:
            j = i
        while j < len(times) and times[j] < t + US:
            j += 1
        best = max(best, j - i)
    return best


def max_aligned(times, origin):
    counts = defaultdict(int)
    for t in times:
        counts[(t - origin) // US] += 1
    return max(counts.values()) if counts else 0


def count_between(times, start, end):
    return bisect_left(times, end) - bisect_left(times, start)


def digits(phone):
    return phone.lstrip("+")


def integrity(run):
    """Nothing lost, nothing sent twice: the server's records against the deliveries export."""
    deliveries = run["deliveries"]
    by_phone = {digits(d["phone"]): d for d in deliveries}
    accepted_by_to = defaultdict(list)
    for m in run["received"]:
        accepted_by_to[m["to"]].append(m)
    requests_by_to = {r["to"]: r["requests"] for r in run["recipients"]}
    refused_by_to = defaultdict(int)
    for r in run["refused"]:
        refused_by_to[r["to"]] += 1
    problems = []
    states = defaultdict(int)
    for d in deliveries:
        states[d["state"]] += 1
    if len(deliveries) != run["events"]["contacts"]:
        problems.append(f"{len(deliveries)} deliveries for {run['events']['contacts']} contacts")
    twice = [to for to, ms in accepted_by_to.items() if len(ms) > 1]
    if twice:
        problems.append(f"{len(twice)} recipients accepted more than once")
    unknown = [to for to in accepted_by_to if to not in by_phone]
    if unknown:
        problems.append(f"{len(unknown)} accepted messages to no delivery")
    mismatched = 0
    unexplained_repeats = 0
    for phone, d in by_phone.items():
        ms = accepted_by_to.get(phone, [])
        if d["state"] == "sent" and (len(ms) != 1 or ms[0]["message_id"] != d["message_id"]):
            mismatched += 1
        if d["state"] != "sent" and ms:
            mismatched += 1
        requests = requests_by_to.get(phone, 0)
        # Every request beyond the accepted one was refused for a limit and retried.
        if requests != len(ms) + refused_by_to.get(phone, 0):
            unexplained_repeats += 1
        if int(d.get("attempts") or 0) != requests:
            unexplained_repeats += 1
    if mismatched:
        problems.append(f"{mismatched} deliveries whose state or message id the server disagrees with")
    if unexplained_repeats:
        problems.append(f"{unexplained_repeats} recipients whose requests are not one per attempt")
    repeated = sum(1 for r in requests_by_to.values() if r > 1)
    return {
        "deliveries": len(deliveries),
        "states": dict(states),
        "accepted": len(run["received"]),
        "recipients_requested_more_than_once": repeated,
        "recipients_accepted_more_than_once": len(twice),
        "lost": states.get("queued", 0) + states.get("failed", 0) + states.get("uncertain", 0),
        "ok": not problems and states.get("sent", 0) == run["events"]["contacts"],
        "problems": problems,
    }


def load(run_dir):
    run = {
        "dir": run_dir,
        "events": read_json(os.path.join(run_dir, "events.json")),
        "received": read_lines(os.path.join(run_dir, "received.jsonl")),
        "refused": read_lines(os.path.join(run_dir, "refused.jsonl")),
        "recipients": read_lines(os.path.join(run_dir, "recipients.jsonl")),
        "deliveries": read_lines(os.path.join(run_dir, "deliveries.jsonl")),
        "stats": read_json(os.path.join(run_dir, "stats.json")),
    }
    accepted = defaultdict(list)
    for m in run["received"]:
        accepted[m["phone_number_id"]].append(m["arrived_us"])
    refused = defaultdict(list)
    for r in run["refused"]:
        refused[r["phone_number_id"]].append(r["arrived_us"])
    run["accepted"] = {n: sorted(ts) for n, ts in accepted.items()}
    run["refused_at"] = {n: sorted(ts) for n, ts in refused.items()}
    run["requests_at"] = {n: sorted(accepted[n] + refused[n]) for n in accepted.keys() | refused.keys()}
    return run


def steady(run):
    origin = run["stats"]["window_origin_us"]
    first = min(ts[0] for ts in run["accepted"].values())
    start = first + STEADY_SKIP_US
    end = start + STEADY_WINDOW_US
    numbers = {}
    for number, times in sorted(run["accepted"].items()):
        inside = [t for t in times if start <= t < end]
        numbers[number] = {
            "rate": count_between(times, start, end) / (STEADY_WINDOW_US / US),
            "max_sliding_steady": max_sliding(inside),
            "max_aligned_steady": max_aligned(inside, origin),
            "max_sliding_whole_run": max_sliding(run["requests_at"][number]),
            "max_aligned_whole_run": max_aligned(run["requests_at"][number], origin),
            "last_arrival_after_window_s": (times[-1] - end) / US,
            # Stalls: the longest silence, and the time lost in gaps over 50 ms (4 intervals).
            "longest_gap_ms": max((b - a for a, b in zip(inside, inside[1:])), default=0) / 1000,
            "lost_in_gaps_s": sum(b - a - US // 80 for a, b in zip(inside, inside[1:])
                                  if b - a > 50_000) / US,
        }
    errors = run["stats"]["errors"]
    return {
        "window": "first arrival + 5 s, 60 s",
        "numbers": numbers,
        "throttles_130429": errors.get("130429", 0),
        "errors": errors,
        "window_inside_campaign": all(n["last_arrival_after_window_s"] > 1 for n in numbers.values()),
    }


def adaptive(run):
    events = run["events"]
    number, limit = events["limited_number"], events["limit"]
    change = events["change_sent_us"]
    requests = run["requests_at"][number]
    accepted = run["accepted"][number]
    refused = run["refused_at"].get(number, [])
    # Per second around the change: seconds [change + k, change + k + 1).
    per_second = []
    for k in range(-3, 16):
        lo, hi = change + k * US, change + (k + 1) * US
        per_second.append({
            "second": k,
            "requests": count_between(requests, lo, hi),
            "accepted": count_between(accepted, lo, hi),
            "throttled": count_between(refused, lo, hi),
        })
    # Converged at the first instant T after which every sliding second [t - 1 s, t), t >= T + 1 s,
    # up to 20 s after the change (and 1 s before the number's last request), holds a number of
    # requests within 5 % of the limit. Stepped by 10 ms.
    band = 0.05 * limit
    horizon = min(change + 20 * US, requests[-1] - US)
    step = 10_000
    converged = None
    t = horizon
    while t >= change + US:
        n = count_between(requests, t - US, t)
        if abs(n - limit) > band:
            break
        converged = t - US
        t -= step
    rates_after = [count_between(requests, change + k * US, change + (k + 1) * US)
                   for k in range(5, int((horizon - change) / US))]
    return {
        "number": number,
        "limit": limit,
        "converged_after_s": None if converged is None else round((converged - change) / US, 2),
        "requests_per_second_from_5s": rates_after,
        "accepted_per_second_from_5s": [count_between(accepted, change + k * US, change + (k + 1) * US)
                                        for k in range(5, int((horizon - change) / US))],
        "per_second": per_second,
        "throttles_130429": run["stats"]["errors"].get("130429", 0),
        "throttles_on_other_numbers": sum(len(ts) for n, ts in run["refused_at"].items() if n != number),
    }


def pause(run, run_dir):
    events = run["events"]
    paused = read_json(os.path.join(run_dir, "stats-paused.json"))
    answered = events["pause_answered_us"]
    last = paused["last_request_us"]
    arrivals = sorted(t for ts in run["requests_at"].values() for t in ts)
    after = [t for t in arrivals if answered <= t < events["stats_read_us"]]
    return {
        "last_request_after_pause_ms": round((last - answered) / 1000, 1),
        "requests_after_pause_answered": len(after),
        "pause_call_ms": round((answered - events["pause_sent_us"]) / 1000, 1),
        "requests_before_pause": paused["requests"],
    }


def analyse(run_dir):
    run = load(run_dir)
    scenario = run["events"]["scenario"]
    figures = {"dir": run_dir, "scenario": scenario, "integrity": integrity(run)}
    if scenario == "steady":
        figures["steady"] = steady(run)
    elif scenario == "adaptive":
        figures["adaptive"] = adaptive(run)
    elif scenario == "pause":
        figures["pause"] = pause(run, run_dir)
    return figures


def print_run(figures):
    i = figures["integrity"]
    print(f"== {figures['dir']}: {figures['scenario']}")
    print(f"   deliveries {i['deliveries']} {i['states']}, accepted {i['accepted']}, "
          f"requested more than once {i['recipients_requested_more_than_once']}, "
          f"accepted more than once {i['recipients_accepted_more_than_once']}, "
          f"{'OK' if i['ok'] else 'PROBLEMS: ' + '; '.join(i['problems'])}")
    if "steady" in figures:
        s = figures["steady"]
        for number, n in s["numbers"].items():
            print(f"   {number}: {n['rate']:.3f}/s ({(n['rate'] / 80 - 1) * 100:+.2f} %), max sliding "
                  f"{n['max_sliding_steady']} (whole run {n['max_sliding_whole_run']}), max aligned "
                  f"{n['max_aligned_steady']} (whole run {n['max_aligned_whole_run']}), longest gap "
                  f"{n['longest_gap_ms']:.0f} ms, {n['lost_in_gaps_s']:.2f} s lost in gaps > 50 ms")
        print(f"   130429: {s['throttles_130429']}, errors {s['errors']}, "
              f"window inside the campaign: {s['window_inside_campaign']}")
    if "adaptive" in figures:
        a = figures["adaptive"]
        print(f"   {a['number']} limited to {a['limit']}/s: converged after {a['converged_after_s']} s; "
              f"130429 {a['throttles_130429']} (other numbers {a['throttles_on_other_numbers']})")
        print("   second: " + " ".join(f"{p['second']:>3}" for p in a["per_second"]))
        print("   request:" + " ".join(f"{p['requests']:>3}" for p in a["per_second"]))
        print("   accept: " + " ".join(f"{p['accepted']:>3}" for p in a["per_second"]))
        print("   429:    " + " ".join(f"{p['throttled']:>3}" for p in a["per_second"]))
    if "pause" in figures:
        p = figures["pause"]
        print(f"   last request {p['last_request_after_pause_ms']} ms after the pause answered "
              f"({p['requests_after_pause_answered']} requests after it; the call took "
              f"{p['pause_call_ms']} ms)")


def summary(run_dirs):
    runs = [analyse(d) for d in run_dirs]
    scenario = runs[0]["scenario"]
    median = statistics.median
    print(f"== summary of {len(runs)} {scenario} runs")
    print(f"   integrity: {['OK' if r['integrity']['ok'] else 'PROBLEMS' for r in runs]}")
    if scenario == "steady":
        numbers = sorted(runs[0]["steady"]["numbers"])
        for number in numbers:
            rates = [r["steady"]["numbers"][number]["rate"] for r in runs]
            sliding = [r["steady"]["numbers"][number]["max_sliding_steady"] for r in runs]
            aligned = [r["steady"]["numbers"][number]["max_aligned_steady"] for r in runs]
            print(f"   {number}: rate median {median(rates):.3f}/s (runs {', '.join(f'{x:.3f}' for x in rates)}), "
                  f"max sliding {max(sliding)}, max aligned {max(aligned)}")
        print(f"   130429 per run: {[r['steady']['throttles_130429'] for r in runs]}")
    if scenario == "adaptive":
        conv = [r["adaptive"]["converged_after_s"] for r in runs]
        print(f"   converged after (s): {conv}")
        known = [c for c in conv if c is not None]
        if known:
            print(f"   median {median(known)} s, max {max(known)} s")
    if scenario == "pause":
        gaps = [r["pause"]["last_request_after_pause_ms"] for r in runs]
        print(f"   last request after the pause answered (ms): {gaps}; median {median(gaps)}, "
              f"max {max(gaps)}")


def main(argv):
    if len(argv) >= 2 and argv[1] == "--summary":
        summary(argv[2:])
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    figures = analyse(argv[1])
    with open(os.path.join(argv[1], "figures.json"), "w", encoding="utf-8") as f:
        json.dump(figures, f, indent=1)
    print_run(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

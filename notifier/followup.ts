// When to look again and what to say: pure decisions over a case, the clock and the policy.

export interface FollowUpPolicy {
  /** days after the last mail (or scan) before a site with an open case is scanned again */
  rescanAfterDays: number
  /** reminders sent at most while a site stays infected, each to the next contact */
  maxReminders: number
}

export interface CaseState {
  siteId: number
  reminders: number
  lastMailAt: string | null
  lastScanAt: string
}

export type FollowUpAction =
  | { kind: 'resolve' }
  | { kind: 'remind'; n: number; contactIndex: number }
  | { kind: 'none'; reason: string }

const DAY_MS = 86_400_000
const daysSince = (iso: string, now: Date) => (now.getTime() - Date.parse(iso)) / DAY_MS

/** Sites whose open case has gone a whole rescan period without a scan. */
export function dueForRescan(cases: CaseState[], policy: FollowUpPolicy, now: Date): number[] {
  return cases
    .filter((c) => daysSince(c.lastScanAt, now) >= policy.rescanAfterDays)
    .map((c) => c.siteId)
}

/**
 * What a scan of a site with an open case calls for: a clean, complete visit resolves it; one still
 * infected earns a reminder once a rescan period has passed since the last mail, up to the limit.
 */
export function nextAction(
  c: CaseState,
  scan: { verdict: string; complete: boolean },
  policy: FollowUpPolicy,
  now: Date,
  usableContacts: number,
): FollowUpAction {
  if (!scan.complete) return { kind: 'none', reason: 'the visit did not complete' }
  if (scan.verdict === 'clean') return { kind: 'resolve' }
  if (scan.verdict !== 'malicious') return { kind: 'none', reason: `verdict ${scan.verdict}` }
  if (c.reminders >= policy.maxReminders) return { kind: 'none', reason: 'reminders used up' }
  if (c.lastMailAt === null || daysSince(c.lastMailAt, now) < policy.rescanAfterDays) {
    return { kind: 'none', reason: 'last mail too recent' }
  }
  const n = c.reminders + 1
  // escalate: reminder n goes to the n-th next contact, staying on the last one there is
  return { kind: 'remind', n, contactIndex: Math.min(n, Math.max(usableContacts - 1, 0)) }
}

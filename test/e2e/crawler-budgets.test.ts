// Hostile shops end with a recorded reason within their budget, and the worker carries on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { childrenNamed } from '../../core/proc-tree.ts'
import type { PageCapture } from '../../core/types.ts'
import { launchBrowser, parseResolveRule, type BrowserSession } from '../../crawler/index.ts'
import { DEADLINE_GRACE_MS } from '../../crawler/session.ts'
import { startFixtureServer, type FixtureServer } from '../../fixtures/server.ts'

const TIMEOUT_MS = 12_000
const WITHIN_MS = TIMEOUT_MS + DEADLINE_GRACE_MS

let server: FixtureServer
let session: BrowserSession

const hostile = (host: string) => `http://${host}:${server.port}/`
const shopUrl = (host: string) => server.shops.find((s) => s.host === host)?.url ?? ''
const options = () => ({
  allowPrivate: true,
  resolve: server.resolve.map(parseResolveRule),
  timeoutMs: TIMEOUT_MS,
})

async function timed(visit: Promise<PageCapture>): Promise<PageCapture & { elapsed: number }> {
  const started = Date.now()
  const capture = await visit
  return { ...capture, elapsed: Date.now() - started }
}

function expectShopCaptured(c: PageCapture) {
  expect(c.status, c.reason ?? '').toBe('ok')
  expect(c.filledCard).toBe(true)
  expect(c.scripts.length).toBeGreaterThan(0)
}

beforeAll(async () => {
  server = await startFixtureServer()
  session = await launchBrowser(options())
}, 30_000)

afterAll(async () => {
  await session?.close()
  await server?.close()
})

describe('per-page budgets', () => {
  it('stops a shop that never answers at the time budget', { timeout: 40_000 }, async () => {
    const c = await timed(session.visit(hostile('hang.test')))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(/^time budget of 12000 ms exceeded while loading http:\/\/hang\.test/)
    expect(c.elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 500)
    expect(c.elapsed).toBeLessThan(WITHIN_MS)
  })

  it('stops a redirect loop at the redirect budget', { timeout: 40_000 }, async () => {
    const c = await timed(session.visit(hostile('redirect-loop.test')))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(/^redirected more than 10 times \(redirect budget\)/)
    expect(c.elapsed).toBeLessThan(WITHIN_MS)
  })

  it('stops a 50 MB page at the bytes budget', { timeout: 40_000 }, async () => {
    const c = await timed(session.visit(hostile('huge.test')))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(/^page larger than 20 MB \(response bytes budget\)/)
    expect(c.elapsed).toBeLessThan(WITHIN_MS)
  })

  it(
    'stops a page that opens 500 requests at the request budget',
    { timeout: 40_000 },
    async () => {
      const c = await timed(session.visit(hostile('flood.test')))
      expect(c.status).toBe('budget')
      expect(c.reason).toMatch(/^more than 300 requests \(request budget\)/)
      // What was captured before the stop is kept.
      expect(c.requests.length).toBeGreaterThan(250)
      expect(c.scripts.some((s) => s.source.includes("fetch('/api/'"))).toBe(true)
      expect(c.elapsed).toBeLessThan(WITHIN_MS)
    },
  )

  it('stops a page whose DOM is too large', { timeout: 40_000 }, async () => {
    const small = await launchBrowser({
      ...options(),
      budgets: { domNodes: 200, requests: 10_000 },
    })
    try {
      const c = await small.visit(hostile('flood.test'))
      expect(c.status).toBe('budget')
      expect(c.reason).toMatch(
        /^DOM larger than 200 nodes \(2\d\d elements\) on http:\/\/flood\.test/,
      )
    } finally {
      await small.close()
    }
  })

  it('carries on with a normal shop after all of them', { timeout: 40_000 }, async () => {
    expectShopCaptured(await session.visit(shopUrl('shop-clean.test')))
  })
})

describe('hygiene', () => {
  it('dismisses dialogs, closes popups, refuses downloads and permissions', async () => {
    const c = await session.visit(hostile('pushy.test'))
    expect(c.status, c.reason ?? '').toBe('ok')
    expect(c.dialogs).toEqual(['alert: session expired, enter your card again'])
    expect(c.popups).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/popup\?from=open$/),
        expect.stringMatching(/\/elsewhere$/),
      ]),
    )
    expect(c.downloads).toEqual([expect.stringMatching(/\/file\.bin$/)])
    const report = c.requests.find((r) => r.url.includes('/report.json'))
    expect(report?.url).toMatch(/geo=denied-1&notif=denied&sw=(blocked|absent)$/)
  })
})

describe('one browser, many visits', () => {
  it('runs four visits at once, hostile ones beside shops', { timeout: 60_000 }, async () => {
    const [clean, inline, flood, loop] = await Promise.all(
      [
        shopUrl('shop-clean.test'),
        shopUrl('shop-inline.test'),
        hostile('flood.test'),
        hostile('redirect-loop.test'),
      ].map((u) => timed(session.visit(u))),
    )
    for (const shop of [clean, inline]) expectShopCaptured(shop!)
    expect(inline?.requests.some((r) => r.carriesCard && r.thirdParty)).toBe(true)
    expect(flood?.reason).toMatch(/request budget/)
    expect(loop?.reason).toMatch(/redirect budget/)
    for (const c of [clean, inline, flood, loop]) expect(c?.elapsed).toBeLessThan(WITHIN_MS)
  })

  it('relaunches a browser that died', { timeout: 60_000 }, async () => {
    const before = new Set(childrenNamed(process.pid, 'chromium').map((p) => p.pid))
    const own = await launchBrowser(options())
    try {
      const started = childrenNamed(process.pid, 'chromium').filter((p) => !before.has(p.pid))
      expect(started).toHaveLength(1)
      process.kill(started[0]!.pid, 'SIGKILL')
      expectShopCaptured(await own.visit(shopUrl('shop-clean.test')))
    } finally {
      await own.close()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageCapture } from '../../core/types.ts'
import {
  assertTargetAllowed,
  launchBrowser,
  parseResolveRule,
  type BrowserSession,
} from '../../crawler/index.ts'
import type { FixtureServer } from '../../fixtures/server.ts'
import { openShopsAndBrowser } from '../helpers/shops.ts'

let server: FixtureServer
let browser: BrowserSession
const captures = new Map<string, PageCapture>()

async function visit(host: string): Promise<PageCapture> {
  const cached = captures.get(host)
  if (cached) return cached
  const shop = server.shops.find((s) => s.host === host)
  if (!shop) throw new Error(`no fixture shop ${host}`)
  const capture = await browser.visit(shop.url)
  captures.set(host, capture)
  return capture
}

const offSite = (c: PageCapture) => c.requests.filter((r) => r.thirdParty)

beforeAll(async () => {
  ;({ server, browser } = await openShopsAndBrowser())
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('crawler visits fixture shops', () => {
  it('walks home → cart → checkout and fills the card', { timeout: 30_000 }, async () => {
    const c = await visit('shop-clean.test')
    expect(c.status).toBe('ok')
    expect(c.reason).toBeNull()
    expect(c.filledCard).toBe(true)
    expect(c.visited.at(-1)).toMatch(/\/checkout\/$/)
    expect(c.scripts.some((s) => s.kind === 'external' && s.url?.endsWith('/js/shop.js'))).toBe(
      true,
    )
    expect(
      c.scripts.some((s) => s.url?.includes('__skimwatch') || s.source.includes('__skimwatch')),
    ).toBe(false)
  })

  it('attributes the inline skimmer beacon to the inline script', { timeout: 30_000 }, async () => {
    const c = await visit('shop-inline.test')
    const inline = c.scripts.filter((s) => s.kind === 'inline' && s.url === null)
    const skimmer = inline.find((s) => s.source.includes('exfil-collector.test'))
    expect(skimmer).toBeDefined()
    const exfil = c.requests.find((r) => r.url.includes('exfil-collector.test'))
    expect(exfil).toMatchObject({
      type: 'image',
      carriesCard: true,
      carriesPersonal: true,
      thirdParty: true,
    })
    expect(exfil?.script).toBe(skimmer?.sha256)
    expect(c.cardReaders).toContain(skimmer?.sha256)
    expect(
      server.hits.some((h) => h.host === 'exfil-collector.test' && h.url.includes('/i.gif?d=')),
    ).toBe(true)
  })

  it(
    'captures the lookalike tag injected by a first-party script',
    { timeout: 30_000 },
    async () => {
      const c = await visit('shop-lookalike.test')
      const app = c.scripts.find((s) => s.url?.endsWith('/js/app.js'))
      const gtm = c.scripts.find((s) => s.url?.includes('googletagmanager-analytics.test'))
      expect(gtm).toMatchObject({ kind: 'injected', parentSha256: app?.sha256 })
      const post = c.requests.find((r) => r.method === 'POST' && r.url.endsWith('/collect'))
      expect(post).toMatchObject({
        type: 'fetch',
        carriesCard: true,
        thirdParty: true,
        script: gtm?.sha256,
      })
    },
  )

  it.each(['shop-clean.test', 'shop-beacon.test'])(
    '%s sends no card off-site',
    { timeout: 30_000 },
    async (host) => {
      const c = await visit(host)
      expect(c.status).toBe('ok')
      expect(offSite(c).filter((r) => r.carriesCard || r.carriesPersonal)).toEqual([])
      expect(c.cardReaders).toEqual([])
      // The card does go to the shop itself: the crawler did fill and pay.
      expect(c.requests.some((r) => r.type === 'form' && r.carriesCard && !r.thirdParty)).toBe(true)
    },
  )

  it(
    'records the benign analytics beacon as third party without card data',
    { timeout: 30_000 },
    async () => {
      const c = await visit('shop-beacon.test')
      const beacons = c.requests.filter((r) => r.type === 'beacon')
      expect(beacons.length).toBeGreaterThan(0)
      expect(beacons.every((b) => b.thirdParty && !b.carriesCard && b.script !== null)).toBe(true)
    },
  )

  it('ties an encrypted beacon to the script that read the card', { timeout: 30_000 }, async () => {
    const c = await visit('shop-encrypted.test')
    const beacon = c.requests.find((r) => r.url.includes('cdn-jsdelivr-stats.test'))
    expect(beacon).toMatchObject({ type: 'beacon', carriesCard: false, thirdParty: true })
    expect(beacon?.script).not.toBeNull()
    expect(c.cardReaders).toContain(beacon?.script)
  })

  it('captures card data sent over a WebSocket', { timeout: 30_000 }, async () => {
    const c = await visit('shop-websocket.test')
    const frame = c.requests.find((r) => r.type === 'websocket' && r.carriesCard)
    expect(frame).toMatchObject({ method: 'SEND', thirdParty: true })
    expect(c.cardReaders).toContain(frame?.script)
  })

  it(
    'sees the checkout-gated skimmer send hex-encoded card data',
    { timeout: 30_000 },
    async () => {
      const c = await visit('shop-gated.test')
      const xhr = c.requests.find((r) => r.url.includes('payment-gateway-secure.test'))
      expect(xhr).toMatchObject({ type: 'xhr', carriesCard: true, thirdParty: true })
    },
  )

  it('yields the same script hashes on a second visit', { timeout: 30_000 }, async () => {
    const first = await visit('shop-inline.test')
    const shop = server.shops.find((s) => s.host === 'shop-inline.test')
    const second = await browser.visit(shop?.url ?? '')
    const hashes = (c: PageCapture) => c.scripts.map((s) => s.sha256).sort()
    expect(hashes(second)).toEqual(hashes(first))
  })

  it('records an unreachable host as an error, not a hang', { timeout: 30_000 }, async () => {
    const c = await browser.visit('http://no-such-shop.invalid/')
    expect(c.status).toBe('error')
    expect(c.reason).toMatch(/ERR_NAME_NOT_RESOLVED/)
  })

  it('stops at the time budget with a partial capture', { timeout: 30_000 }, async () => {
    const quick = await launchBrowser({
      allowPrivate: true,
      resolve: server.resolve.map(parseResolveRule),
      timeoutMs: 300,
    })
    try {
      const c = await quick.visit(server.shops[0]?.url ?? '')
      expect(c.status).toBe('budget')
      expect(c.reason).toMatch(/300 ms/)
      expect(c.durationMs).toBeLessThan(8000)
    } finally {
      await quick.close()
    }
  })
})

describe('network guard', () => {
  it('refuses loopback without --allow-private', async () => {
    await expect(
      assertTargetAllowed('http://127.0.0.1:1/', {
        allowPrivate: false,
        resolve: [],
        timeoutMs: 1000,
      }),
    ).rejects.toThrow(/loopback address \(use --allow-private/)
  })

  it(
    'visits a shop pinned by --resolve through the guard, the pin vouching for its address',
    { timeout: 30_000 },
    async () => {
      const rules = server.resolve.map(parseResolveRule)
      const strict = await launchBrowser({ allowPrivate: false, resolve: rules, timeoutMs: 10_000 })
      try {
        const c = await strict.visit(server.shops[0]?.url ?? '')
        expect(c.status, c.reason ?? '').toBe('ok')
        expect(c.scripts.length).toBeGreaterThan(0)
      } finally {
        await strict.close()
      }
    },
  )
})

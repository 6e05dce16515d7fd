// A store with flagged sites for the review app tests: real detector verdicts, a pending mail.
import { readFileSync } from 'node:fs'
import { sha256 } from '../../core/hash.ts'
import type { CapturedScript, PageCapture, WalkRecord } from '../../core/types.ts'
import { createDetector, judgePage } from '../../detector/index.ts'
import type { Store } from '../../store/index.ts'
import { hashPassword } from '../../review/password.ts'

const read = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8')

export const SKIMMER = read('samples/malicious/atmzow-variant.js')
export const XSS_SKIMMER = read('review/xss-skimmer.js')
export const WIDGET = read('samples/malicious/dynamic-form-post.js')
// the version shop-b served before: another collection path
export const OLD_SKIMMER = SKIMMER.replace(
  'https://gtm-statistic.com/p?x=',
  'https://gtm-statistic.com/v1/c?x=',
)
export const BENIGN = 'document.querySelector("h1").textContent = "Welcome"\n'
/** Where the markup-carrying skimmer was loaded from: its URL is hostile text too. */
export const XSS_URL =
  'https://cdn-x.example/a.js?q="><img src=x onerror=alert(4)><script>alert(5)</script>'
/** A 1×1 PNG: the step screenshot the site page must show. */
export const STEP_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='

/** How the crawler walked shop A: two steps, the second with a screenshot. */
export const WALK: WalkRecord = {
  steps: [
    { name: 'home', url: 'https://shop-a.test/', passed: true },
    {
      name: 'checkout step 2',
      url: 'https://shop-a.test/checkout#payment',
      passed: false,
      reason: 'a <b>required</b> field stayed empty',
      screenshot: STEP_PNG,
    },
  ],
  clicked: ['Next', 'Place Order'],
  fillRounds: 2,
  pageTimeMs: 60_000,
  roundsMs: 1200,
  stepsMs: 300,
  addedToCart: true,
  stop: 'paid',
}

export const PASSWORD = 'correct horse battery staple'

export interface Seeded {
  skimmer: string
  xss: string
  widget: string
  sites: Record<'a' | 'b' | 'c' | 'd', number>
  mails: Record<'a' | 'd', number>
  users: Record<'analyst' | 'operator' | 'admin', number>
}

function script(source: string, url: string | null, pageUrl: string): CapturedScript {
  return { sha256: sha256(source), url, kind: url ? 'external' : 'inline', source, pageUrl }
}

function capture(
  domain: string,
  scripts: [string, string | null][],
  exfil: string[] = [],
): PageCapture {
  const page = `https://${domain}/checkout`
  const captured = scripts.map(([src, url]) => script(src, url, page))
  return {
    url: `https://${domain}/`,
    finalUrl: page,
    status: 'ok',
    reason: null,
    startedAt: new Date().toISOString(),
    durationMs: 900,
    visited: [page],
    filledCard: true,
    scripts: captured,
    // sent by the flagged script, but carrying nothing the honeypot typed: the code is the evidence
    requests: exfil.map((url) => ({
      url,
      method: 'GET',
      type: 'image',
      body: null,
      carriesCard: false,
      carriesPersonal: false,
      thirdParty: true,
      script: captured.find((s) => s.source === SKIMMER)?.sha256 ?? null,
    })),
    cardReaders: [],
    platform: null,
  }
}

export async function seedReview(store: Store): Promise<Seeded> {
  const detector = createDetector()
  await store.addSites(
    ['shop-a.test', 'shop-b.test', 'shop-c.test', 'shop-d.test'].map((d) => ({
      domain: d,
      url: `https://${d}/`,
    })),
  )
  const ids = Object.fromEntries((await store.listSites()).map((s) => [s.domain, s.id]))
  const id = (d: string) => ids[d] as number
  const loader = 'https://cdn.gtm-statistic.com/gtm.js'
  const plan: [string, PageCapture][] = [
    ['shop-b.test', capture('shop-b.test', [[OLD_SKIMMER, loader]])],
    [
      'shop-a.test',
      {
        ...capture(
          'shop-a.test',
          [
            [BENIGN, null],
            [SKIMMER, loader],
          ],
          ['https://gtm-statistic.com/p?x=e30='],
        ),
        walk: WALK,
      },
    ],
    [
      'shop-b.test',
      capture('shop-b.test', [[SKIMMER, loader]], ['https://gtm-statistic.com/p?x=e30=']),
    ],
    ['shop-c.test', capture('shop-c.test', [[XSS_SKIMMER, XSS_URL]])],
    ['shop-d.test', capture('shop-d.test', [[WIDGET, 'https://widgets.partner-pay.example/w.js']])],
  ]
  for (const [domain, c] of plan) {
    const scanId = await store.saveCapture(id(domain), c)
    const verdicts = c.scripts.map((s) =>
      detector.analyze(s.source, { url: s.url, pageUrl: s.pageUrl }),
    )
    await store.saveVerdicts(scanId, judgePage(c, verdicts), verdicts)
  }
  const mail = async (domain: string) =>
    (
      await store.enqueueEmail({
        key: `review-test ${domain}`,
        siteId: id(domain),
        scanId: null,
        to: [`security@${domain}`],
        subject: `Card-skimming code found on ${domain}`,
        text: 'found',
        html: '<p>found</p>',
      })
    ).id
  const user = async (name: string, role: 'analyst' | 'operator' | 'admin') =>
    (await store.review.upsertUser({ name, role, passwordHash: await hashPassword(PASSWORD) })).id
  return {
    skimmer: sha256(SKIMMER),
    xss: sha256(XSS_SKIMMER),
    widget: sha256(WIDGET),
    sites: {
      a: id('shop-a.test'),
      b: id('shop-b.test'),
      c: id('shop-c.test'),
      d: id('shop-d.test'),
    },
    mails: { a: await mail('shop-a.test'), d: await mail('shop-d.test') },
    users: {
      analyst: await user('ana', 'analyst'),
      operator: await user('otto', 'operator'),
      admin: await user('root', 'admin'),
    },
  }
}

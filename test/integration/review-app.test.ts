// The review app over real PostgreSQL: access control on every route, decisions, exports.
import { Ajv } from 'ajv'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { createLogger } from '../../core/logger.ts'
import { createDetector } from '../../detector/index.ts'
import { detectStage, type StageDeps } from '../../pipeline/stages.ts'
import { routeTable } from '../../review/auth.ts'
import { PASSWORD, STEP_PNG } from '../helpers/review-seed.ts'
import {
  cookieValue,
  login,
  reviewHarness,
  type Client,
  type ReviewHarness,
} from '../helpers/review-app.ts'

const schema = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/review/schemas/${name}`, import.meta.url), 'utf8'),
  ) as object

let h: ReviewHarness
let analyst: Client
let operator: Client
let admin: Client

beforeAll(async () => {
  h = await reviewHarness()
  analyst = await login(h.app, 'ana')
  operator = await login(h.app, 'otto')
  admin = await login(h.app, 'root')
})
afterAll(async () => h?.close())

const siteVerdict = async (id: number) =>
  ((await analyst.get(`/api/sites/${id}`)).json() as { scans: { verdict: string }[] }).scans[0]
    ?.verdict
const mailStatus = async (siteId: number, mailId: number) =>
  (
    (await analyst.get(`/api/sites/${siteId}`)).json() as {
      mails: { id: number; status: string }[]
    }
  ).mails.find((m) => m.id === mailId)?.status

const latestScanOf = async (siteId: number): Promise<number> => {
  for (const id of await h.store.latestScanIds())
    if ((await h.store.getCapture(id))?.siteId === siteId) return id
  throw new Error(`no scan of site ${siteId}`)
}

// the detect stage as a worker runs it, static only (no browser in this test)
const stageDeps = (): StageDeps => ({
  store: h.store,
  config: loadConfig({}),
  logger: createLogger('silent'),
  crawl: {} as StageDeps['crawl'],
  detector: createDetector(),
  browser: () => Promise.reject(new Error('no browser in this test')),
})

function concrete(url: string): string {
  return url.replace(':sha256', h.seeded.skimmer).replace(':id', String(h.seeded.sites.a))
}

describe('access', () => {
  it('has routes, each declaring its access, and only login, the stylesheet and unsubscribe links are public', () => {
    const routes = routeTable(h.app)
    expect(routes.length).toBeGreaterThan(20)
    const publicOnes = routes
      .filter((r) => r.access === 'public')
      .map((r) => `${r.method} ${r.url}`)
    expect(publicOnes.sort()).toEqual([
      'GET /login',
      'GET /static/review.css',
      'GET /unsubscribe/:token',
      'POST /login',
      'POST /unsubscribe/:token',
    ])
  })

  it('answers every non-public route without a session with 401, or a redirect to /login for pages', async () => {
    for (const r of routeTable(h.app).filter((x) => x.access !== 'public')) {
      const res = await h.app.inject({
        method: r.method as 'GET',
        url: concrete(r.url),
        payload: {},
      })
      const label = `${r.method} ${r.url}`
      if (r.method === 'GET' && !/^\/(api|taxii2)\//.test(r.url)) {
        expect(res.statusCode, label).toBe(302)
        expect(res.headers.location, label).toBe('/login')
      } else expect(res.statusCode, label).toBe(401)
    }
  })

  it('refuses every state-changing route without a valid CSRF token, even for an admin', async () => {
    const changing = routeTable(h.app).filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method))
    expect(changing.length).toBeGreaterThan(5)
    for (const r of changing) {
      const label = `${r.method} ${r.url}`
      if (r.url === '/login') {
        // login's own guard: the form token must match the cookie set with the form
        const res = await h.app.inject({
          method: 'POST',
          url: '/login',
          cookies: { skimwatch_login_csrf: 'a' },
          payload: { name: 'root', password: PASSWORD, _csrf: 'b' },
        })
        expect(res.statusCode, label).toBe(403)
        continue
      }
      if (r.url === '/unsubscribe/:token') {
        // RFC 8058: mail providers POST with no cookie or CSRF token; the link's token is the
        // only credential, and one nobody was sent opens nothing
        const res = await admin.post('/unsubscribe/guessed-token-0000000', {}, null)
        expect(res.statusCode, label).toBe(404)
        continue
      }
      const none = await admin.post(concrete(r.url), { reason: 'x' }, null)
      expect(none.statusCode, label).toBe(403)
      const wrong = await admin.post(concrete(r.url), { reason: 'x' }, `${admin.csrf}x`)
      expect(wrong.statusCode, label).toBe(403)
      const other = await admin.post(concrete(r.url), { reason: 'x' }, analyst.csrf)
      expect(other.statusCode, label).toBe(403)
    }
    // nothing got through: no decision was recorded
    expect((await admin.get('/api/decisions')).json()).toEqual([])
  })

  it('enforces roles on the server', async () => {
    const decide = { kind: 'confirm', sha256: h.seeded.skimmer, reason: 'r' }
    expect((await operator.post('/api/decisions', decide)).statusCode).toBe(403)
    expect((await operator.get('/api/export/stix')).statusCode).toBe(403)
    expect((await analyst.post('/api/sites', { domains: 'new-shop.test' })).statusCode).toBe(403)
    expect((await operator.post('/api/sites', { domains: 'new-shop.test' })).statusCode).toBe(200)
  })

  it('sets the session cookie HttpOnly and SameSite=Strict, and sends a strict CSP', async () => {
    const form = await h.app.inject({ method: 'GET', url: '/login' })
    expect(form.headers['content-security-policy']).toMatch(/default-src 'self'/)
    expect(form.headers['content-security-policy']).toMatch(/script-src 'none'/)
    const pre = cookieValue(form.headers['set-cookie'], 'skimwatch_login_csrf') ?? ''
    const res = await h.app.inject({
      method: 'POST',
      url: '/login',
      cookies: { skimwatch_login_csrf: pre },
      payload: { name: 'ana', password: PASSWORD, _csrf: pre },
    })
    const set = [res.headers['set-cookie'] ?? []]
      .flat()
      .find((c) => c.startsWith('skimwatch_session='))
    expect(set).toMatch(/HttpOnly/)
    expect(set).toMatch(/SameSite=Strict/)
    expect(set).not.toMatch(/Secure/)
  })

  it('rejects a wrong password and a session after logout', async () => {
    await expect(login(h.app, 'ana', 'wrong password!!')).rejects.toThrow(/401/)
    await expect(login(h.app, 'nobody')).rejects.toThrow(/401/)
    const c = await login(h.app, 'ana')
    expect((await c.post('/logout', {})).statusCode).toBe(303)
    expect((await c.get('/api/flagged')).statusCode).toBe(401)
  })

  it('lets a machine in with an API token, without CSRF, and not with a wrong one', async () => {
    const created = await analyst.post('/api/tokens', { label: 'ci' })
    expect(created.statusCode).toBe(201)
    const { token } = created.json() as { token: string }
    const ok = await h.app.inject({
      method: 'GET',
      url: '/api/flagged',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(ok.statusCode).toBe(200)
    const bad = await h.app.inject({
      method: 'GET',
      url: '/api/flagged',
      headers: { authorization: `Bearer ${token}x` },
    })
    expect(bad.statusCode).toBe(401)
  })
})

describe('accounts', () => {
  it('lets only admins list and add users; a new user can log in with the role given', async () => {
    expect((await analyst.get('/admin/users')).statusCode).toBe(403)
    expect(
      (await operator.post('/api/users', { name: 'eve', role: 'admin', password: 'x'.repeat(12) }))
        .statusCode,
    ).toBe(403)
    expect(
      (await admin.post('/api/users', { name: 'carl', role: 'operator', password: 'short' }))
        .statusCode,
    ).toBe(400)
    const added = await admin.post('/admin/users', {
      name: 'carl',
      role: 'operator',
      password: 'carl passphrase 1',
    })
    expect(added.body).toContain('Added operator carl.')
    const carl = await login(h.app, 'carl', 'carl passphrase 1')
    expect((await carl.get('/api/me')).json()).toMatchObject({ name: 'carl', role: 'operator' })
    const users = (await admin.get('/api/users')).json() as {
      name: string
      passwordHash?: string
    }[]
    expect(users.map((u) => u.name)).toContain('carl')
    expect(users.every((u) => u.passwordHash === undefined)).toBe(true)
  })

  it('shows a new API token once on the account page, and it works', async () => {
    const res = await analyst.post('/account/tokens', { label: 'laptop' })
    const token = /<code class="token">([\w-]+)<\/code>/.exec(res.body)?.[1] ?? ''
    expect(token).toHaveLength(43)
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(me.json()).toMatchObject({ name: 'ana' })
    expect((await analyst.get('/account')).body).not.toContain(token)
  })
})

describe('rate-limited login', () => {
  it('answers 429 once the attempts per minute are used up', async () => {
    const limited = await reviewHarness({ loginAttemptsPerMinute: 3, secureCookies: true })
    try {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/login',
          payload: { name: 'ana', password: 'x' },
        })
        codes.push(res.statusCode)
      }
      expect(codes).toEqual([403, 403, 403, 429, 429])
      const c = await limited.app.inject({ method: 'GET', url: '/login' })
      expect([c.headers['set-cookie'] ?? []].flat().join()).toMatch(/Secure/)
    } finally {
      await limited.close()
    }
  })
})

describe('review', () => {
  it('lists flagged scripts with their site counts, and campaigns across sites', async () => {
    const flagged = (await analyst.get('/api/flagged')).json() as {
      sha256: string
      sites: number
      verdict: string
    }[]
    const skimmer = flagged.find((f) => f.sha256 === h.seeded.skimmer)
    expect(skimmer).toMatchObject({ sites: 2, verdict: 'malicious' })
    expect(flagged.map((f) => f.sha256)).toContain(h.seeded.xss)
    const campaigns = (await analyst.get('/api/campaigns')).json() as {
      kind: string
      key: string
      siteIds: number[]
    }[]
    const exfil = campaigns.find((c) => c.kind === 'exfil host' && c.key === 'gtm-statistic.com')
    expect(exfil?.siteIds).toEqual([h.seeded.sites.a, h.seeded.sites.b].sort((x, y) => x - y))
    expect(campaigns.some((c) => c.kind === 'signature' && c.key.startsWith('yara:'))).toBe(true)
  })

  it('diffs a script against the version the same site served before at the same URL', async () => {
    const view = (await analyst.get(`/api/scripts/${h.seeded.skimmer}`)).json() as {
      diffs: { domain: string; parts: { op: string; text: string }[] }[]
    }
    expect(view.diffs.map((d) => d.domain)).toEqual(['shop-b.test'])
    const parts = view.diffs[0]?.parts ?? []
    const text = (op: string) => parts.flatMap((p) => (p.op === op ? [p.text] : [])).join()
    expect(text('removed')).toContain('/v1/c?x=')
    expect(text('added')).toContain('/p?x=')
    const page = await analyst.get(`/scripts/${h.seeded.skimmer}`)
    expect(page.body).toMatch(/<span class="diff-removed">[^<]*v1\/c\?x=/)
  })

  it('shows the layers the static evaluator decoded, as text', async () => {
    const view = (await analyst.get(`/api/scripts/${h.seeded.skimmer}`)).json() as {
      source: string
      layers: string[]
    }
    // the table's reads resolved: the storage call and the collection URL in plain sight
    expect(view.source).not.toContain('getItem("_gtm_q")')
    expect(view.layers[0]).toContain('_st.getItem("_gtm_q")')
    expect(view.layers[0]).toContain('"https://gtm-statistic.com/p?x=" + btoa(')
    const page = await analyst.get(`/scripts/${h.seeded.skimmer}`)
    const section = page.body.slice(page.body.indexOf('Deobfuscated layers'))
    expect(section).toMatch(/<pre class="layer-text">[^<]*_st\.getItem\(&quot;_gtm_q&quot;\)/)
  })

  it('shows a captured script and its URL only as escaped text, on its page and in the lists', async () => {
    expect((await analyst.get('/campaigns')).body).toContain('cdn-x.example')
    for (const url of ['/flagged', `/sites/${h.seeded.sites.c}`]) {
      const list = await analyst.get(url)
      expect(list.body, url).toContain('&lt;img src=x onerror=alert(4)&gt;&lt;script&gt;alert(5)')
      expect(list.body, url).not.toMatch(/<script|<img/i)
    }
    const res = await analyst.get(`/scripts/${h.seeded.xss}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toMatch(/<script/i)
    expect(res.body).not.toMatch(/<img/i)
    expect(res.body).not.toMatch(/href="javascript:/i)
    expect(res.body).toContain('&lt;/script&gt;&lt;script&gt;window.__xss')
    expect(res.body).toContain('&lt;img src=x onerror=')
  })

  it("shows how the latest scan walked the shop, with each step's screenshot, all as text or data: images", async () => {
    const res = await analyst.get(`/sites/${h.seeded.sites.a}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('How the latest scan walked the shop')
    expect(res.body).toContain('Next → Place Order')
    expect(res.body).toContain('not passed: a &lt;b&gt;required&lt;/b&gt; field stayed empty')
    const shots = [...res.body.matchAll(/<img class="step-shot" alt="([^"]*)" src="([^"]*)"/g)]
    expect(shots.map((m) => m[1])).toEqual(['screenshot of checkout step 2'])
    expect(shots[0]?.[2]).toBe(`data:image/png;base64,${STEP_PNG}`)
    // a site whose scans recorded no walk shows no such section
    expect((await analyst.get(`/sites/${h.seeded.sites.d}`)).body).not.toContain('walked the shop')
  })

  it('finds sites and scripts by domain, host, sha256 prefix and rule', async () => {
    const hits = async (q: string) =>
      (
        (await analyst.get(`/api/search?q=${encodeURIComponent(q)}`)).json() as { id: string }[]
      ).map((x) => x.id)
    expect(await hits('shop-b')).toEqual([String(h.seeded.sites.b)])
    expect(await hits(h.seeded.skimmer.slice(0, 10))).toEqual([h.seeded.skimmer])
    expect(await hits('partner-pay.example')).toEqual([h.seeded.widget])
    expect(await hits('yara:')).toContain(h.seeded.skimmer)
  })

  it('reports bad lines of an uploaded domain list and keeps the good ones', async () => {
    const res = await operator.post('/api/sites', {
      domains: 'good-shop.test\nnot a domain\n# c\nother.test',
    })
    const body = res.json() as { added: number; errors: { line: number }[] }
    expect(body.added).toBe(2)
    expect(body.errors.map((e) => e.line)).toEqual([2])
  })
})

describe('decisions', () => {
  it('false positive clears the sites at once and withdraws their pending mail; reversing restores both', async () => {
    const { a, b } = h.seeded.sites
    expect(await siteVerdict(a)).toBe('malicious')
    expect(await mailStatus(a, h.seeded.mails.a)).toBe('pending')
    const res = await analyst.post('/api/decisions', {
      kind: 'false-positive',
      sha256: h.seeded.skimmer,
      reason: 'our own analytics',
    })
    expect(res.statusCode).toBe(201)
    const { decision } = res.json() as { decision: { id: number; createdBy: string } }
    expect(decision.createdBy).toBe('ana')
    expect(await siteVerdict(a)).toBe('clean')
    expect(await siteVerdict(b)).toBe('clean')
    expect(await mailStatus(a, h.seeded.mails.a)).toBe('withdrawn')
    expect((await h.store.pendingEmails()).map((m) => m.id)).not.toContain(h.seeded.mails.a)
    expect(
      (await h.store.getScanResult((await h.store.latestScanIds())[0] ?? 0))?.scripts.length,
    ).toBeGreaterThan(0)
    // the pipeline judging the scan again (a rescan, redetect) keeps to the decision
    const scanOfA = await latestScanOf(a)
    expect((await detectStage(stageDeps(), { scanId: scanOfA })).verdict).toBe('clean')

    const undo = await analyst.post(`/api/decisions/${decision.id}/revoke`, {})
    expect(undo.statusCode).toBe(200)
    expect(await siteVerdict(a)).toBe('malicious')
    expect(await mailStatus(a, h.seeded.mails.a)).toBe('pending')
    expect((await detectStage(stageDeps(), { scanId: scanOfA })).verdict).toBe('malicious')
    const history = (await analyst.get('/api/decisions')).json() as {
      id: number
      revokedBy: string
    }[]
    expect(history.find((d) => d.id === decision.id)?.revokedBy).toBe('ana')
  })

  it('holds a mail that awaits delivery and releases it; a held mail cannot be claimed', async () => {
    const { a } = h.seeded.sites
    const mail = h.seeded.mails.a
    expect((await operator.post(`/api/mails/${mail}/hold`, {})).statusCode).toBe(403)
    const held = await analyst.post(`/mails/${mail}/hold`, {})
    expect(held.statusCode).toBe(303)
    expect(held.headers.location).toBe(`/sites/${a}`)
    expect(await mailStatus(a, mail)).toBe('withdrawn')
    const delivery = await h.store.deliverEmail(mail, () => {
      throw new Error('a held mail must not be sent')
    })
    expect(delivery).toEqual({ status: 'withdrawn', outcome: null })
    expect((await analyst.post(`/api/mails/${mail}/release`, {})).json()).toEqual({
      siteId: a,
      changed: true,
    })
    expect(await mailStatus(a, mail)).toBe('pending')
  })

  it('answers a bad form with an HTML page naming the problem', async () => {
    const res = await analyst.post('/decisions', { kind: 'confirm', reason: 'no hash' })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/text\/html/)
    expect(res.body).toContain('this decision needs a sha256')
  })

  it('allowlists a host until a date; refuses one without expiry or in the past', async () => {
    const base = {
      kind: 'allowlist',
      host: 'widgets.partner-pay.example',
      reason: 'contracted partner',
    }
    expect((await analyst.post('/api/decisions', base)).statusCode).toBe(400)
    expect(
      (await analyst.post('/api/decisions', { ...base, expires: '2020-01-01' })).statusCode,
    ).toBe(400)
    const res = await analyst.post('/api/decisions', { ...base, expires: '2099-12-31' })
    expect(res.statusCode).toBe(201)
    expect(await siteVerdict(h.seeded.sites.d)).toBe('clean')
    expect(await mailStatus(h.seeded.sites.d, h.seeded.mails.d)).toBe('withdrawn')
    expect(await siteVerdict(h.seeded.sites.a)).toBe('malicious')
  })

  it('exports confirmed indicators as CSV, a STIX 2.1 bundle and a MISP event that match their schemas', async () => {
    const res = await analyst.post('/api/decisions', {
      kind: 'confirm',
      sha256: h.seeded.skimmer,
      reason: 'ATMZOW staging, card data to gtm-statistic.com',
    })
    expect(res.statusCode).toBe(201)
    const csv = (await analyst.get('/api/export/indicators.csv')).body.split('\r\n')
    expect(csv[0]).toBe(
      'type,value,sha256,first_seen,last_seen,sites,rules,confirmed_by,confirmed_at',
    )
    expect(csv.some((l) => l.startsWith(`sha256,${h.seeded.skimmer},`))).toBe(true)
    expect(csv.some((l) => l.startsWith('domain,gtm-statistic.com,'))).toBe(true)
    expect(csv.some((l) => l.startsWith('url,https://cdn.gtm-statistic.com/gtm.js,'))).toBe(true)
    // a shop is a victim, not an indicator
    expect(csv.some((l) => l.includes('shop-a.test'))).toBe(false)

    const ajv = new Ajv({ allErrors: true, strict: false })
    const stix = (await analyst.get('/api/export/stix')).json() as {
      objects: Record<string, string>[]
    }
    const validStix = ajv.compile(schema('stix-2.1-bundle.schema.json'))
    expect(validStix(stix), JSON.stringify(validStix.errors)).toBe(true)
    const ids = new Set(stix.objects.map((o) => o.id))
    const rels = stix.objects.filter((o) => o.type === 'relationship')
    expect(rels.length).toBeGreaterThan(0)
    for (const r of rels)
      expect(ids.has(r.source_ref ?? '') && ids.has(r.target_ref ?? '')).toBe(true)
    const patterns = stix.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern)
    expect(patterns).toContain(`[file:hashes.'SHA-256' = '${h.seeded.skimmer}']`)
    expect(patterns).toContain(`[domain-name:value = 'gtm-statistic.com']`)

    const misp = (await analyst.get('/api/export/misp')).json() as {
      Event: { Attribute: { type: string; value: string }[] }
    }
    const validMisp = ajv.compile(schema('misp-event.schema.json'))
    expect(validMisp(misp), JSON.stringify(validMisp.errors)).toBe(true)
    expect(misp.Event.Attribute).toContainEqual(
      expect.objectContaining({ type: 'sha256', value: h.seeded.skimmer }),
    )
    expect(misp.Event.Attribute).toContainEqual(
      expect.objectContaining({ type: 'domain', value: 'gtm-statistic.com' }),
    )
  })

  it('the schemas themselves refuse a broken export', () => {
    const ajv = new Ajv({ strict: false })
    const validStix = ajv.compile(schema('stix-2.1-bundle.schema.json'))
    expect(
      validStix({
        type: 'bundle',
        id: 'bundle--00000000-0000-4000-8000-000000000000',
        objects: [
          { type: 'indicator', spec_version: '2.1', id: 'indicator--x', created: 'yesterday' },
        ],
      }),
    ).toBe(false)
    const validMisp = ajv.compile(schema('misp-event.schema.json'))
    expect(
      validMisp({
        Event: {
          info: 'x',
          Attribute: [{ type: 'sha256', category: 'Network activity', value: 'zz' }],
        },
      }),
    ).toBe(false)
  })
})

// Sharing with partners over real PostgreSQL: partners and TLP, the TAXII 2.1 server, and
// signed webhooks posted to a loopback server.
import { Ajv } from 'ajv'
import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COLLECTION_ID } from '../../review/share/taxii.ts'
import { webhookSender, type WebhookSender } from '../../review/share/webhooks.ts'
import { login, reviewHarness, type Client, type ReviewHarness } from '../helpers/review-app.ts'

const TAXII = 'application/taxii+json;version=2.1'
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb'
const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
const OBJECTS = `/taxii2/skimwatch/collections/${COLLECTION_ID}/objects/`

interface Posted {
  headers: IncomingHttpHeaders
  body: string
}

let h: ReviewHarness
let sender: WebhookSender
let analyst: Client
let operator: Client
/** The partner's webhook receiver on loopback: what it was sent, and how many to refuse. */
const sink = { server: null as Server | null, url: '', posted: [] as Posted[], failNext: 0 }
const posted = sink.posted

beforeAll(async () => {
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      posted.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.statusCode = sink.failNext-- > 0 ? 500 : 204
      res.end()
    })
  })
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
  sink.server = hook
  sink.url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/skimwatch`
  h = await reviewHarness({
    webhooks: (store) => (sender = webhookSender({ store, retrySeconds: 0, timeoutMs: 5000 })),
  })
  analyst = await login(h.app, 'ana')
  operator = await login(h.app, 'otto')
})
afterAll(async () => {
  await h?.close()
  await new Promise((resolve) => sink.server?.close(resolve))
})

interface Created {
  partner: { id: number; name: string; tlp: string }
  token: string
  webhookSecret: string | null
}
const addPartner = async (body: Record<string, string>): Promise<Created> => {
  const res = await operator.post('/api/partners', body)
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as Created
}
const taxii = (url: string, token: string, accept = TAXII) =>
  h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, accept } })

interface Envelope {
  more: boolean
  next?: string
  objects?: Record<string, unknown>[]
}
/** Every object of the collection, page by page as a TAXII client walks it. */
async function walk(token: string, query = '', limit = 4) {
  const seen: Record<string, unknown>[] = []
  let next: string | undefined
  let pages = 0
  do {
    const cursor = next ? `&next=${encodeURIComponent(next)}` : ''
    const res = await taxii(`${OBJECTS}?limit=${limit}${query}${cursor}`, token)
    expect(res.statusCode, res.body).toBe(200)
    const env = res.json() as Envelope
    expect((env.objects ?? []).length).toBeLessThanOrEqual(limit)
    seen.push(...(env.objects ?? []))
    next = env.more ? env.next : undefined
    pages++
  } while (next && pages < 100)
  return seen
}

const confirm = async (sha256: string, tlp?: string) => {
  const res = await analyst.post('/api/decisions', {
    kind: 'confirm',
    sha256,
    reason: 'card data to a lookalike host',
    ...(tlp ? { tlp } : {}),
  })
  expect(res.statusCode, res.body).toBe(201)
  return (res.json() as { decision: { id: number } }).decision.id
}

describe('partners', () => {
  it('lets operators add, list and revoke partners; the token is shown once and works', async () => {
    expect((await analyst.post('/api/partners', { name: 'cert-x', tlp: 'green' })).statusCode).toBe(
      403,
    )
    expect((await operator.post('/api/partners', { name: 'x', tlp: 'purple' })).statusCode).toBe(
      400,
    )
    const page = await operator.post('/partners', { name: 'bank-a', tlp: 'amber' })
    expect(page.statusCode).toBe(200)
    const token = /<code class="token">([\w-]+)<\/code>/.exec(page.body)?.[1] ?? ''
    expect(token).toHaveLength(43)
    expect((await taxii('/taxii2/', token)).statusCode).toBe(200)
    const listed = await operator.get('/partners')
    expect(listed.body).toContain('bank-a')
    expect(listed.body).not.toContain(token)
    const api = (await operator.get('/api/partners')).json() as Record<string, unknown>[]
    const bank = api.find((p) => p.name === 'bank-a')
    expect(bank).toMatchObject({ tlp: 'amber', revokedAt: null })
    expect(JSON.stringify(api)).not.toMatch(/secret|token/i)
    expect((await operator.post('/api/partners', { name: 'bank-a', tlp: 'red' })).statusCode).toBe(
      400,
    )
    expect((await operator.post(`/api/partners/${String(bank?.id)}/revoke`, {})).statusCode).toBe(
      200,
    )
    expect((await taxii('/taxii2/', token)).statusCode).toBe(401)
  })
})

describe('TAXII 2.1', () => {
  let green: Created
  let red: Created
  let clear: Created

  beforeAll(async () => {
    green = await addPartner({ name: 'cert-green', tlp: 'green', webhookUrl: sink.url })
    red = await addPartner({ name: 'brand-red', tlp: 'red' })
    clear = await addPartner({ name: 'public', tlp: 'clear' })
  })

  it('answers discovery, the API root and the collection with the TAXII media type', async () => {
    const disc = await taxii('/taxii2/', green.token)
    expect(disc.headers['content-type']).toBe(TAXII)
    expect(disc.json()).toMatchObject({ api_roots: ['http://localhost:80/taxii2/skimwatch/'] })
    const root = await taxii('/taxii2/skimwatch/', green.token)
    expect(root.json()).toMatchObject({ versions: [TAXII] })
    const cols = (await taxii('/taxii2/skimwatch/collections/', green.token)).json() as {
      collections: { id: string; title: string; can_read: boolean; can_write: boolean }[]
    }
    expect(cols.collections).toEqual([
      expect.objectContaining({
        id: COLLECTION_ID,
        title: 'skimwatch-indicators',
        can_read: true,
        can_write: false,
      }),
    ])
    const col = await taxii(`/taxii2/skimwatch/collections/${COLLECTION_ID}/`, green.token)
    expect(col.statusCode).toBe(200)
    const none = '/taxii2/skimwatch/collections/00000000-0000-4000-8000-000000000000/objects/'
    expect((await taxii(none, green.token)).statusCode).toBe(404)
  })

  it('refuses no token, a user API token, and a client that wants another media type', async () => {
    const bare = await h.app.inject({ method: 'GET', url: '/taxii2/' })
    expect(bare.statusCode).toBe(401)
    expect(bare.headers['content-type']).toBe(TAXII)
    const { token } = (await analyst.post('/api/tokens', { label: 'taxii' })).json() as {
      token: string
    }
    expect((await taxii('/taxii2/', token)).statusCode).toBe(401)
    expect(
      (await taxii('/taxii2/', green.token, 'application/taxii+json;version=2.0')).statusCode,
    ).toBe(406)
    // and a partner's token opens nothing of the analysts' app
    const api = await h.app.inject({
      method: 'GET',
      url: '/api/flagged',
      headers: { authorization: `Bearer ${green.token}` },
    })
    expect(api.statusCode).toBe(401)
  })

  it('gives each partner what its TLP allows, marked with TLP 2.0, page by page', async () => {
    await confirm(h.seeded.skimmer, 'green')
    await confirm(h.seeded.xss, 'red')
    const shaOf = (o: Record<string, unknown>) =>
      typeof o.pattern === 'string' ? /'([0-9a-f]{64})'/.exec(o.pattern)?.[1] : undefined
    const greenObjects = await walk(green.token)
    const hashes = (objs: Record<string, unknown>[]) =>
      [...new Set(objs.flatMap((o) => shaOf(o) ?? []))].sort()
    expect(hashes(greenObjects)).toEqual([h.seeded.skimmer])
    expect(hashes(await walk(red.token))).toEqual([h.seeded.skimmer, h.seeded.xss].sort())
    expect(hashes(await walk(clear.token))).toEqual([])
    // paging lost nothing and repeated nothing
    const all = (await taxii(OBJECTS, green.token)).json() as Envelope
    expect(greenObjects.map((o) => o.id)).toEqual((all.objects ?? []).map((o) => o.id))
    expect(new Set(greenObjects.map((o) => o.id)).size).toBe(greenObjects.length)
    for (const o of greenObjects.filter((x) => x.type === 'indicator'))
      expect(o.object_marking_refs).toEqual([GREEN])
    expect(greenObjects.map((o) => o.id)).toContain(GREEN)
    expect(greenObjects.map((o) => o.id)).not.toContain(RED)

    const ajv = new Ajv({ allErrors: true, strict: false })
    const schema = JSON.parse(
      readFileSync(
        new URL('../../fixtures/review/schemas/stix-2.1-bundle.schema.json', import.meta.url),
        'utf8',
      ),
    ) as object
    const valid = ajv.compile(schema)
    const bundle = {
      type: 'bundle',
      id: 'bundle--6ba7b811-9dad-41d1-80b4-00c04fd430c8',
      objects: greenObjects.filter((o) => o.type !== 'marking-definition'),
    }
    expect(valid(bundle), JSON.stringify(valid.errors)).toBe(true)
  })

  it('filters by match[type], match[id] and added_after, and sends the date-added headers', async () => {
    const malware = (await taxii(`${OBJECTS}?match[type]=malware`, red.token)).json() as Envelope
    expect(malware.objects?.map((o) => o.type)).toEqual(['malware', 'malware'])
    const id = String(malware.objects?.[0]?.id)
    const one = (await taxii(`${OBJECTS}?match[id]=${id}`, red.token)).json() as Envelope
    expect(one.objects?.map((o) => o.id)).toEqual([id])
    const res = await taxii(OBJECTS, green.token)
    const first = String(res.headers['x-taxii-date-added-first'])
    const last = String(res.headers['x-taxii-date-added-last'])
    expect(new Date(first).getTime()).toBeLessThanOrEqual(new Date(last).getTime())
    const after = await taxii(`${OBJECTS}?added_after=${encodeURIComponent(last)}`, green.token)
    expect(after.json()).toEqual({ more: false })
    expect(after.headers['x-taxii-date-added-first']).toBeUndefined()
    expect((await taxii(`${OBJECTS}?added_after=yesterday`, green.token)).statusCode).toBe(400)
  })

  it('sends a revoked confirm as the same objects with revoked: true, added after', async () => {
    const before = await taxii(OBJECTS, green.token)
    const last = String(before.headers['x-taxii-date-added-last'])
    const decision = (
      (await analyst.get('/api/decisions')).json() as { id: number; kind: string; sha256: string }[]
    ).find((d) => d.kind === 'confirm' && d.sha256 === h.seeded.skimmer)
    expect(
      (await analyst.post(`/api/decisions/${String(decision?.id)}/revoke`, {})).statusCode,
    ).toBe(200)
    const res = await taxii(`${OBJECTS}?added_after=${encodeURIComponent(last)}`, green.token)
    const objs = (res.json() as Envelope).objects ?? []
    expect(objs.length).toBeGreaterThan(0)
    expect(objs.every((o) => o.revoked === true)).toBe(true)
    const ids = ((before.json() as Envelope).objects ?? []).map((o) => o.id)
    for (const o of objs) expect(ids).toContain(o.id)
  })
})

describe('webhooks', () => {
  it('posts each event once, signed, to partners whose TLP allows it, retrying a failure', async () => {
    const verify = (p: Posted, secret: string) => {
      const ts = String(p.headers['x-skimwatch-timestamp'])
      const mac = createHmac('sha256', secret).update(`${ts}.${p.body}`).digest('hex')
      return p.headers['x-skimwatch-signature'] === `sha256=${mac}`
    }
    const hooked = await addPartner({ name: 'host-amber', tlp: 'amber', webhookUrl: sink.url })
    await sender.drain()
    posted.length = 0
    sink.failNext = 1
    await confirm(h.seeded.skimmer)
    await sender.drain()
    // green partner: the skimmer's default TLP is AMBER, above its ceiling; amber partner gets it
    expect(posted).toHaveLength(2)
    const [failed, ok] = posted
    expect(failed?.headers['x-skimwatch-delivery']).toBe(ok?.headers['x-skimwatch-delivery'])
    expect(failed?.body).toBe(ok?.body)
    expect(ok && verify(ok, hooked.webhookSecret ?? '')).toBe(true)
    expect(ok && verify({ ...ok, body: `${ok.body} ` }, hooked.webhookSecret ?? '')).toBe(false)
    const body = JSON.parse(ok?.body ?? '{}') as {
      event: string
      sha256: string
      tlp: string
      bundle: { objects: { type: string }[] }
    }
    expect(body).toMatchObject({ event: 'confirmed', sha256: h.seeded.skimmer, tlp: 'amber' })
    expect(body.bundle.objects.some((o) => o.type === 'indicator')).toBe(true)
    const rows = await h.store.review.listDeliveries(hooked.partner.id)
    expect(rows.filter((r) => r.sha256 === h.seeded.skimmer)).toEqual([
      expect.objectContaining({ event: 'confirmed', status: 'sent', attempts: 2 }),
    ])
    // nothing is owed any more: a second run sends nothing
    await sender.drain()
    expect(posted).toHaveLength(2)

    // a false positive revokes it for the same partners; the green one still gets nothing
    posted.length = 0
    const fp = await analyst.post('/api/decisions', {
      kind: 'false-positive',
      sha256: h.seeded.skimmer,
      reason: 'our own analytics after all',
    })
    expect(fp.statusCode).toBe(201)
    await sender.drain()
    expect(posted.map((p) => (JSON.parse(p.body) as { event: string }).event)).toEqual(['revoked'])
    expect(verify(posted[0] as Posted, hooked.webhookSecret ?? '')).toBe(true)

    // relabelled down to GREEN, a confirmed script reaches the green partner too
    posted.length = 0
    const greenSent = async () =>
      (await h.store.review.listDeliveries()).filter(
        (r) => r.status === 'sent' && r.partnerId !== hooked.partner.id,
      )
    const greenBefore = (await greenSent()).length
    await confirm(h.seeded.skimmer)
    const relabel = await analyst.post(`/api/indicators/${h.seeded.skimmer}/tlp`, { tlp: 'green' })
    expect(relabel.json()).toMatchObject({ tlp: 'green', revoked: false })
    await sender.drain()
    const greenRows = (await greenSent()).slice(greenBefore)
    expect(greenRows.map((r) => r.event)).toEqual(['confirmed'])
    // the amber partner: the confirm, then the relabelled version; the green one: that version
    expect(posted.length).toBe(3)
  })
})

describe('pages', () => {
  it('lets an analyst pick the TLP when confirming and change it on the script page', async () => {
    const page = await analyst.get(`/scripts/${h.seeded.xss}`)
    expect(page.body).toMatch(/<form class="decide decide-confirm"[\s\S]*?<select name="tlp">/)
    expect(page.body).toContain('shared as TLP:RED')
    const moved = await analyst.post(`/indicators/${h.seeded.xss}/tlp`, { tlp: 'amber+strict' })
    expect(moved.statusCode).toBe(303)
    expect((await analyst.get(`/scripts/${h.seeded.xss}`)).body).toContain(
      'shared as TLP:AMBER+STRICT',
    )
    expect(
      (await operator.post(`/indicators/${h.seeded.xss}/tlp`, { tlp: 'red' })).statusCode,
    ).toBe(403)
    const never = await analyst.post(`/api/indicators/${'0'.repeat(64)}/tlp`, { tlp: 'red' })
    expect(never.statusCode).toBe(404)
  })
})

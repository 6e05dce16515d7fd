// A read-only TAXII 2.1 server: one API root, one collection of the indicators analysts
// confirmed, each partner seeing only what its TLP ceiling allows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { TAXII_MEDIA_TYPE, taxiiError } from '../auth.ts'
import { uuidV5 } from '../export/indicators.ts'
import { IDENTITY, tlpMarkingDefinition, type StixObject } from '../export/stix.ts'
import type { PartnerRecord, Store } from '../../store/index.ts'
import { sharedObjects, shareIndicator } from './sharing.ts'
import { tlpsUpTo } from './tlp.ts'

export const TAXII_ROOT = '/taxii2/'
export const API_ROOT = '/taxii2/skimwatch/'
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'
export const COLLECTION_ID = uuidV5('taxii-collection:skimwatch-indicators')
const COLLECTION = {
  id: COLLECTION_ID,
  title: 'skimwatch-indicators',
  description: 'Web skimmer scripts confirmed by analysts: hashes, URLs and domains',
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
}
const DEFAULT_LIMIT = 100
const MAX_LIMIT = 1000

interface Entry {
  dateAdded: string
  object: StixObject
}

/** A client that asks for something other than TAXII 2.1 JSON gets 406. */
function acceptable(req: FastifyRequest): boolean {
  const accept = req.headers.accept
  if (!accept) return true
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((x) => x.trim().toLowerCase())
    if (type === '*/*' || type === 'application/*') return true
    if (type !== 'application/taxii+json') return false
    const version = params.find((p) => p.startsWith('version='))
    return !version || version === 'version=2.1'
  })
}

const send = (reply: FastifyReply, body: unknown) =>
  reply.header('content-type', TAXII_MEDIA_TYPE).send(Buffer.from(JSON.stringify(body)))

/** Every object the partner may read, in the order they were added. */
async function entriesFor(store: Store, partner: PartnerRecord): Promise<Entry[]> {
  const tlps = tlpsUpTo(partner.tlp)
  const out: Entry[] = [
    { dateAdded: String(IDENTITY.created), object: IDENTITY },
    ...tlps.map((t) => {
      const object = tlpMarkingDefinition(t)
      return { dateAdded: String(object.created), object }
    }),
  ]
  for (const share of await store.review.listShares(tlps)) {
    const indicator = await shareIndicator(store, share)
    if (!indicator) continue
    const dateAdded = new Date(share.modified).toISOString()
    for (const object of sharedObjects(indicator, share)) out.push({ dateAdded, object })
  }
  const key = (e: Entry) => `${e.dateAdded} ${e.object.id}`
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

const cursorOf = (e: Entry) => Buffer.from(`${e.dateAdded} ${e.object.id}`).toString('base64url')
const readCursor = (next: string) => Buffer.from(next, 'base64url').toString('utf8')

type Query = Record<string, string | undefined>

/** `match[x]=a,b`: kept when the field is one of the values; absent: everything. */
const matches = (q: Query, name: string, value: string) => {
  const wanted = q[`match[${name}]`]
  return wanted === undefined || wanted.split(',').includes(value)
}

function objectsPage(entries: Entry[], q: Query) {
  const limitText = q.limit ?? String(DEFAULT_LIMIT)
  if (!/^[1-9]\d{0,6}$/.test(limitText)) return { error: 'limit is a positive whole number' }
  const limit = Math.min(Number(limitText), MAX_LIMIT)
  let after: string | null = null
  if (q.added_after !== undefined) {
    const t = new Date(q.added_after)
    if (Number.isNaN(t.getTime())) return { error: 'added_after is an RFC 3339 timestamp' }
    after = t.toISOString()
  }
  const from = q.next === undefined ? null : readCursor(q.next)
  const selected = entries.filter(
    (e) =>
      (after === null || e.dateAdded > after) &&
      (from === null || `${e.dateAdded} ${e.object.id}` > from) &&
      matches(q, 'id', e.object.id) &&
      matches(q, 'type', e.object.type) &&
      matches(q, 'spec_version', String(e.object.spec_version ?? '2.1')),
  )
  const page = selected.slice(0, limit)
  const last = page.at(-1)
  const more = selected.length > page.length
  return { page, more, next: more && last ? cursorOf(last) : undefined }
}

export function taxiiRoutes(store: Store) {
  return async (app: FastifyInstance) => {
    const partner = { config: { access: 'partner' as const } }
    app.addHook('preHandler', async (req, reply) => {
      if (!acceptable(req)) return taxiiError(reply, 406, `only ${TAXII_MEDIA_TYPE} is served`)
    })
    app.get(TAXII_ROOT, partner, async (req, reply) => {
      // absolute, as clients resolve them: this server's own address as the client reached it
      const root = `${req.protocol}://${req.host}${API_ROOT}`
      return send(reply, {
        title: 'skimwatch',
        description: 'Web skimmer indicators confirmed by skimwatch analysts',
        default: root,
        api_roots: [root],
      })
    })
    app.get(API_ROOT, partner, async (_req, reply) =>
      send(reply, {
        title: 'skimwatch indicators',
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: 5 * 1024 * 1024,
      }),
    )
    app.get(`${API_ROOT}collections/`, partner, async (_req, reply) =>
      send(reply, { collections: [COLLECTION] }),
    )
    const collection = (req: FastifyRequest) => (req.params as { id?: string }).id === COLLECTION_ID
    app.get(`${API_ROOT}collections/:id/`, partner, async (req, reply) =>
      collection(req) ? send(reply, COLLECTION) : taxiiError(reply, 404, 'no such collection'),
    )
    app.get(`${API_ROOT}collections/:id/objects/`, partner, async (req, reply) => {
      if (!collection(req)) return taxiiError(reply, 404, 'no such collection')
      if (!req.partner) return taxiiError(reply, 401, 'a partner token is needed')
      const r = objectsPage(await entriesFor(store, req.partner), req.query as Query)
      if ('error' in r) return taxiiError(reply, 400, r.error ?? 'bad query')
      const first = r.page[0]
      const last = r.page.at(-1)
      if (first && last) {
        reply.header('x-taxii-date-added-first', first.dateAdded)
        reply.header('x-taxii-date-added-last', last.dateAdded)
      }
      return send(reply, {
        more: r.more,
        ...(r.next ? { next: r.next } : {}),
        ...(r.page.length > 0 ? { objects: r.page.map((e) => e.object) } : {}),
      })
    })
  }
}

// The JSON API under /api: the same read models and actions the pages use.
import type { FastifyInstance } from 'fastify'
import { BadInputError } from '../../core/errors.ts'
import type { Store } from '../../store/index.ts'
import { indicatorsCsv } from '../export/csv.ts'
import { confirmedIndicators } from '../export/indicators.ts'
import { mispEvent } from '../export/misp.ts'
import { stixBundle } from '../export/stix.ts'
import { maxLength } from 'zod/mini'
import { object, positiveId, regex, string, text } from '../input.ts'
import * as service from '../service.ts'
import type { Sharing } from '../share/sharing.ts'
import type { SeedParser } from './pages.ts'

const SHA = /^[0-9a-f]{64}$/i
const idParam = object({ id: positiveId() })
const shaParam = object({ sha256: string().check(regex(SHA, 'a sha256 is 64 hex digits')) })

export function apiRoutes(store: Store, sharing: Sharing, parseSeedList: SeedParser) {
  return async (app: FastifyInstance) => {
    const view = { config: { access: 'view' as const } }
    const decideAccess = { config: { access: 'decide' as const } }
    // the session's CSRF token, for API clients that use the login cookie
    app.get('/api/me', view, async (req) => ({
      name: req.user?.name,
      role: req.user?.role,
      csrfToken: req.csrfToken,
    }))
    app.get('/api/dashboard', view, async () => store.review.dashboard())
    app.get('/api/flagged', view, async () => service.flaggedRows(store))
    app.get('/api/campaigns', view, async () => service.campaigns(store))
    app.get('/api/scripts/:sha256', view, async (req, reply) => {
      const { sha256 } = service.parseOrThrow(shaParam, req.params)
      return (
        (await service.scriptPage(store, sha256)) ??
        reply.code(404).send({ error: 'no such script' })
      )
    })
    app.get('/api/sites/:id', view, async (req, reply) => {
      const { id } = service.parseOrThrow(idParam, req.params)
      return (await store.review.siteView(id)) ?? reply.code(404).send({ error: 'no such site' })
    })
    app.get('/api/search', view, async (req) => {
      const { q } = service.parseOrThrow(object({ q: text(1, 300) }), req.query)
      return store.review.search(q)
    })
    app.get('/api/decisions', view, async () => store.review.listDecisions())
    app.post('/api/decisions', decideAccess, async (req, reply) => {
      if (!req.user) throw new BadInputError('no user')
      return reply.code(201).send(await service.decide(store, sharing, req.user, req.body))
    })
    app.post('/api/decisions/:id/revoke', decideAccess, async (req) => {
      const { id } = service.parseOrThrow(idParam, req.params)
      if (!req.user) throw new BadInputError('no user')
      return service.revoke(store, sharing, req.user, id)
    })
    for (const [action, hold] of [
      ['hold', true],
      ['release', false],
    ] as const) {
      app.post(`/api/mails/:id/${action}`, decideAccess, async (req) => {
        const { id } = service.parseOrThrow(idParam, req.params)
        return service.holdMail(store, id, hold)
      })
    }
    app.get('/api/export/indicators.csv', decideAccess, async (_req, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="skimwatch-indicators.csv"')
        .send(indicatorsCsv(await confirmedIndicators(store))),
    )
    app.get('/api/export/stix', decideAccess, async (_req, reply) =>
      reply
        .type('application/stix+json;version=2.1')
        .header('content-disposition', 'attachment; filename="skimwatch-stix.json"')
        .send(JSON.stringify(stixBundle(await confirmedIndicators(store)))),
    )
    app.get('/api/export/misp', decideAccess, async (_req, reply) =>
      reply
        .type('application/json')
        .header('content-disposition', 'attachment; filename="skimwatch-misp-event.json"')
        .send(JSON.stringify(mispEvent(await confirmedIndicators(store)))),
    )
    app.post('/api/sites', { config: { access: 'operate' } }, async (req) => {
      const { domains } = service.parseOrThrow(
        object({ domains: string().check(maxLength(5_000_000)) }),
        req.body,
      )
      const { entries, errors } = parseSeedList(domains)
      return { ...(await store.addSites(entries)), errors }
    })
  }
}

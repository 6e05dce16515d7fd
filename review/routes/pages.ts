// Server-rendered pages; forms post here and are answered with a redirect (post/redirect/get).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { BadInputError } from '../../core/errors.ts'
import type { Store } from '../../store/index.ts'
import { html } from '../html.ts'
import { maxLength } from 'zod/mini'
import { object, positiveId, string } from '../input.ts'
import * as service from '../service.ts'
import type { Sharing } from '../share/sharing.ts'
import { REVIEW_CSS } from '../static/review-css.ts'
import {
  campaignsPage,
  dashboardPage,
  decisionsPage,
  flaggedPage,
  searchPage,
} from '../views/lists.ts'
import { badLines, domainsForm, layout, type PageContext } from '../views/layout.ts'
import { scriptPage as renderScript } from '../views/script.ts'
import { sitePage } from '../views/site.ts'

export type SeedParser = (text: string) => {
  entries: { domain: string; url: string }[]
  errors: { line: number; text: string; reason: string }[]
}

/** Who a page is for; routes that reach here passed the access check, so there is a user. */
export const ctxOf = (req: FastifyRequest): PageContext => {
  if (!req.user) throw new BadInputError('no user')
  return { user: req.user, csrfToken: req.csrfToken }
}
const page = (reply: FastifyReply, body: string, code = 200) =>
  reply.code(code).type('text/html; charset=utf-8').send(body)
const notFound = (req: FastifyRequest, reply: FastifyReply, what: string) =>
  page(reply, layout(ctxOf(req), 'Not found', html`<p>${what}</p>`), 404)

export function pageRoutes(
  store: Store,
  sharing: Sharing,
  parseSeedList: SeedParser,
  queued: boolean,
) {
  return async (app: FastifyInstance) => {
    const view = { config: { access: 'view' as const } }
    const decideAccess = { config: { access: 'decide' as const } }
    const operate = { config: { access: 'operate' as const } }

    app.get('/static/review.css', { config: { access: 'public' } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').send(REVIEW_CSS),
    )
    app.get('/', view, async (req, reply) =>
      page(reply, dashboardPage(ctxOf(req), await store.review.dashboard())),
    )
    app.get('/flagged', view, async (req, reply) =>
      page(reply, flaggedPage(ctxOf(req), await service.flaggedRows(store))),
    )
    app.get('/campaigns', view, async (req, reply) =>
      page(reply, campaignsPage(ctxOf(req), await service.campaigns(store))),
    )
    app.get('/scripts/:sha256', view, async (req, reply) => {
      const { sha256 } = req.params as { sha256: string }
      const v = /^[0-9a-f]{64}$/i.test(sha256) ? await service.scriptPage(store, sha256) : null
      return v ? page(reply, renderScript(ctxOf(req), v)) : notFound(req, reply, 'No such script.')
    })
    app.get('/sites/:id', view, async (req, reply) => {
      const id = Number((req.params as { id: string }).id)
      const s = Number.isSafeInteger(id) && id > 0 ? await store.review.siteView(id) : null
      if (!s) return notFound(req, reply, 'No such site.')
      // how the latest visit walked the shop, with the screenshot of each step
      const latest = s.scans[0]
      const walk = latest ? ((await store.getCapture(latest.id))?.walk ?? null) : null
      return page(reply, sitePage(ctxOf(req), s, walk, queued))
    })
    app.get('/search', view, async (req, reply) => {
      const q = String((req.query as { q?: unknown }).q ?? '')
        .trim()
        .slice(0, 300)
      const hits = q ? await store.review.search(q) : []
      return page(reply, searchPage(ctxOf(req), q, hits))
    })
    app.get('/decisions', view, async (req, reply) =>
      page(reply, decisionsPage(ctxOf(req), await store.review.listDecisions())),
    )
    app.post('/decisions', decideAccess, async (req, reply) => {
      const { decision } = await service.decide(store, sharing, ctxOf(req).user, req.body)
      return reply.redirect(decision.sha256 ? `/scripts/${decision.sha256}` : '/decisions', 303)
    })
    app.post('/decisions/:id/revoke', decideAccess, async (req, reply) => {
      const { id } = service.parseOrThrow(object({ id: positiveId() }), req.params)
      const { decision } = await service.revoke(store, sharing, ctxOf(req).user, id)
      return reply.redirect(decision.sha256 ? `/scripts/${decision.sha256}` : '/decisions', 303)
    })
    for (const [action, hold] of [
      ['hold', true],
      ['release', false],
    ] as const) {
      app.post(`/mails/:id/${action}`, decideAccess, async (req, reply) => {
        const { id } = service.parseOrThrow(object({ id: positiveId() }), req.params)
        const { siteId } = await service.holdMail(store, id, hold)
        return reply.redirect(siteId === null ? '/' : `/sites/${siteId}`, 303)
      })
    }
    app.get('/exports', decideAccess, async (req, reply) =>
      page(
        reply,
        layout(
          ctxOf(req),
          'Exports',
          html`<p>
              Scripts an analyst confirmed malicious, with the URLs and hosts tied to them
              (TLP:AMBER).
            </p>
            <ul class="exports">
              <li><a href="/api/export/indicators.csv" download>CSV</a></li>
              <li><a href="/api/export/stix" download>STIX 2.1 bundle</a></li>
              <li><a href="/api/export/misp" download>MISP event</a></li>
            </ul>`,
        ),
      ),
    )
    app.get('/sites/upload', operate, async (req, reply) => page(reply, uploadPage(ctxOf(req))))
    app.post('/sites', operate, async (req, reply) => {
      const { domains } = service.parseOrThrow(
        object({ domains: string().check(maxLength(5_000_000)) }),
        req.body,
      )
      const { entries, errors } = parseSeedList(domains)
      const result = await store.addSites(entries)
      return page(reply, uploadPage(ctxOf(req), { ...result, errors }))
    })
  }
}

function uploadPage(
  ctx: PageContext,
  result?: {
    added: number
    merged: number
    errors: { line: number; text: string; reason: string }[]
  },
): string {
  return layout(
    ctx,
    'Add sites',
    html`${
      result
        ? html`<p class="result">
              ${result.added} added, ${result.merged} already known, ${result.errors.length} bad
              line(s).
            </p>
            ${badLines(result.errors)}`
        : ''
    }
    ${domainsForm(ctx, '/sites', 'One domain or URL per line, # comments', 15)}`,
  )
}

// Operators' controls: rescan a site now, the exclusion list, the scheduled rescans. Pages post
// forms here; the same actions answer JSON under /api.
import type { FastifyInstance, FastifyReply } from 'fastify'
import { maxLength } from 'zod/mini'
import type { Store } from '../../store/index.ts'
import { html as h } from '../html.ts'
import { blankAsAbsent, object, parseOrThrow, positiveId, string, text } from '../input.ts'
import { NO_QUEUES, type Operations } from '../operations.ts'
import {
  exclusionsPage,
  rescanPage,
  schedulesPage,
  type ExclusionsAdded,
  type ExclusionsView,
} from '../views/operate.ts'
import { layout } from '../views/layout.ts'
import { ctxOf } from './pages.ts'

/** The operators' exclusion file, read and edited by the pipeline's own parser. */
export interface ExclusionsEditor {
  list(): Promise<ExclusionsView>
  add(text: string): Promise<ExclusionsAdded>
  remove(domain: string): Promise<boolean>
}

const idParam = object({ id: positiveId() })
const domainsBody = object({ domains: string().check(maxLength(1_000_000)) })
const domainBody = object({ domain: text(1, 300) })
const nameBody = object({ name: text(1, 100, 'a schedule needs a name') })
const scheduleBody = object({
  name: text(1, 100, 'a schedule needs a name'),
  select: text(1, 50),
  every: blankAsAbsent(text(1, 50)),
  cron: blankAsAbsent(text(1, 200)),
})

const html = (reply: FastifyReply, body: string) =>
  reply.type('text/html; charset=utf-8').send(body)

export function operateRoutes(
  store: Store,
  ops: Operations | undefined,
  exclusions: ExclusionsEditor,
) {
  return async (app: FastifyInstance) => {
    const operate = { config: { access: 'operate' as const } }

    const rescan = async (siteId: number) => {
      const site = await store.getSite(siteId)
      if (!site) return { status: 404 as const, error: 'no such site' }
      if (!ops)
        return {
          status: 409 as const,
          error: `${NO_QUEUES}; the next \`skimwatch run\` visits every site, this one included`,
        }
      return { status: 200 as const, site, request: await ops.rescanSite(siteId) }
    }
    app.post('/api/sites/:id/rescan', operate, async (req, reply) => {
      const r = await rescan(parseOrThrow(idParam, req.params).id)
      return 'error' in r ? reply.code(r.status).send({ error: r.error }) : r.request
    })
    app.post('/sites/:id/rescan', operate, async (req, reply) => {
      const r = await rescan(parseOrThrow(idParam, req.params).id)
      if ('error' in r) throw Object.assign(new Error(r.error), { statusCode: r.status })
      return html(reply, rescanPage(ctxOf(req), r.site.domain, r.request))
    })

    app.get('/api/exclusions', operate, async () => exclusions.list())
    app.post('/api/exclusions', operate, async (req) =>
      exclusions.add(parseOrThrow(domainsBody, req.body).domains),
    )
    app.post('/api/exclusions/remove', operate, async (req, reply) => {
      const { domain } = parseOrThrow(domainBody, req.body)
      return (await exclusions.remove(domain))
        ? { removed: domain }
        : reply.code(404).send({ error: `${domain} is not on the list` })
    })
    app.get('/exclusions', operate, async (req, reply) =>
      html(reply, exclusionsPage(ctxOf(req), await exclusions.list())),
    )
    app.post('/exclusions', operate, async (req, reply) => {
      const added = await exclusions.add(parseOrThrow(domainsBody, req.body).domains)
      return html(reply, exclusionsPage(ctxOf(req), await exclusions.list(), added))
    })
    app.post('/exclusions/remove', operate, async (req, reply) => {
      await exclusions.remove(parseOrThrow(domainBody, req.body).domain)
      return reply.redirect('/exclusions', 303)
    })

    const none = { error: NO_QUEUES }
    if (!ops?.board)
      // the nav links the board for every operator; without queues this page says why there is none
      app.get('/queues/board/', operate, async (req, reply) =>
        html(reply, layout(ctxOf(req), 'Bull Board', h`<p>${NO_QUEUES}.</p>`)),
      )
    app.get('/api/schedules', operate, async (_req, reply) =>
      ops ? ops.schedules.list() : reply.code(404).send(none),
    )
    app.post('/api/schedules', operate, async (req, reply) => {
      if (!ops) return reply.code(404).send(none)
      const s = parseOrThrow(scheduleBody, req.body)
      await ops.schedules.set(s)
      return { set: s.name }
    })
    app.post('/api/schedules/remove', operate, async (req, reply) => {
      if (!ops) return reply.code(404).send(none)
      const { name } = parseOrThrow(nameBody, req.body)
      return (await ops.schedules.remove(name))
        ? { removed: name }
        : reply.code(404).send({ error: `no schedule named ${name}` })
    })
    app.get('/schedules', operate, async (req, reply) =>
      html(
        reply,
        schedulesPage(
          ctxOf(req),
          ops ? await ops.schedules.list() : null,
          ops?.schedules.selectors ?? [],
        ),
      ),
    )
    app.post('/schedules', operate, async (req, reply) => {
      if (!ops) return reply.code(404).send(none)
      await ops.schedules.set(parseOrThrow(scheduleBody, req.body))
      return reply.redirect('/schedules', 303)
    })
    app.post('/schedules/remove', operate, async (req, reply) => {
      if (!ops) return reply.code(404).send(none)
      await ops.schedules.remove(parseOrThrow(nameBody, req.body).name)
      return reply.redirect('/schedules', 303)
    })
  }
}

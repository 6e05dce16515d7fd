// What the workers are doing, for operators: the queues panel and Prometheus metrics. The review
// app never opens the queues itself: `serve` hands it these two functions when queues exist.
import type { FastifyInstance, FastifyPluginCallback } from 'fastify'
import { html } from './html.ts'
import { layout, table } from './views/layout.ts'
import { ctxOf } from './routes/pages.ts'

export interface QueueCounts {
  waiting: number
  active: number
  delayed: number
  completed: number
  failed: number
}

export interface QueuesSummary {
  backend: string
  queues: Record<string, QueueCounts>
  crawlsPerMinute: number
  windowMinutes: number
  failures: { reason: string; count: number }[]
  etaMinutes: number | null
}

export interface CrawlRequest {
  siteId: number
  jobId: string
  state: 'queued' | 'already-queued' | 'running'
}

export interface ScheduleView {
  name: string
  select: string
  every: number | null
  pattern: string | null
  next: number | null
}

export interface ScheduleInput {
  name: string
  select: string
  every?: string | undefined
  cron?: string | undefined
}

export interface Operations {
  queues(): Promise<QueuesSummary>
  /** the Prometheus text exposition */
  metrics(): Promise<{ contentType: string; body: string }>
  /** queues a crawl of the site, deduplicated like every other crawl */
  rescanSite(siteId: number): Promise<CrawlRequest>
  /** the scheduled rescans, as `skimwatch schedule list|set|remove` edits them */
  schedules: {
    selectors: string[]
    list(): Promise<ScheduleView[]>
    set(s: ScheduleInput): Promise<void>
    remove(name: string): Promise<boolean>
  }
  /** Bull Board as a fastify plugin, mounted at `path` for operators */
  board?: { path: string; plugin: FastifyPluginCallback }
}

/** What the app says when it runs without queues. */
export const NO_QUEUES = 'no queues: the app was started without REDIS_URL or DATABASE_URL'

export function operationsRoutes(ops: Operations | undefined) {
  return async (app: FastifyInstance) => {
    const operate = { config: { access: 'operate' as const } }
    const none = { error: NO_QUEUES }
    app.get('/metrics', operate, async (_req, reply) => {
      if (!ops) return reply.code(404).send(none)
      const m = await ops.metrics()
      return reply.type(m.contentType).send(m.body)
    })
    app.get('/api/queues', operate, async (_req, reply) =>
      ops ? reply.send(await ops.queues()) : reply.code(404).send(none),
    )
    app.get('/queues', operate, async (req, reply) => {
      const board = ops?.board
        ? html`<p>
            <a href="${ops.board.path}/">Bull Board</a>: every queue and job, read-only (jobs are
            changed with skimwatch's own commands and pages).
          </p>`
        : ''
      const body = ops
        ? html`${board}${queuesBody(await ops.queues())}`
        : html`<p>${none.error}</p>`
      return reply.type('text/html; charset=utf-8').send(layout(ctxOf(req), 'Queues', body))
    })
  }
}

function queuesBody(s: QueuesSummary) {
  const rows = Object.entries(s.queues)
  const eta =
    s.etaMinutes === null ? 'unknown (no crawl finished lately)' : `${s.etaMinutes.toFixed(1)} min`
  return html`<p>
      Backend ${s.backend}; ${s.crawlsPerMinute.toFixed(1)} crawls/min over the last
      ${s.windowMinutes} min; time to drain: ${eta}.
    </p>
    ${table(
      'queues',
      ['Queue', 'Waiting', 'Active', 'Delayed', 'Completed', 'Failed'],
      rows,
      ([name, c]) => [name, c.waiting, c.active, c.delayed, c.completed, c.failed].map(String),
    )}
    <h2>Failures by reason</h2>
    ${table('failures', ['Jobs', 'Reason'], s.failures, (f) => [String(f.count), f.reason])}`
}

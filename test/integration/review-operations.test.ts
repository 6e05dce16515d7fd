// The review app's queues panel and /metrics, over real queues: operators and admins see what the
// queues hold; analysts do not; an API token scrapes /metrics as Prometheus would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../core/logger.ts'
import { openBackend, type BackendConfig, type QueueBackend } from '../../pipeline/backend.ts'
import { openQueues } from '../../pipeline/queues.ts'
import { openOperations } from '../../pipeline/status.ts'
import { login, reviewHarness, type ReviewHarness } from '../helpers/review-app.ts'
import { REDIS_URL, deleteRedisPrefix, uniqueName } from '../helpers/services.ts'

describe('queues in the review app', () => {
  const prefix = uniqueName('sw_ops')
  const cfg: BackendConfig = { kind: 'redis', url: REDIS_URL, prefix }
  let h: ReviewHarness
  let producer: QueueBackend
  let ops: Awaited<ReturnType<typeof openOperations>>

  beforeAll(async () => {
    producer = await openBackend(cfg, createLogger('silent'))
    const queues = openQueues(producer)
    // three crawls waiting and one delayed: what a fresh seed looks like before workers start
    await queues.crawl.addBulk([1, 2, 3].map((i) => ({ name: 'crawl', data: { siteId: i } })))
    await queues.crawl.add('crawl', { siteId: 4 }, { delay: 60_000 })
    ops = await openOperations(cfg, createLogger('silent'), {
      latestScanBySite: (ids) => h.store.latestScanBySite(ids),
    })
    h = await reviewHarness({ operations: ops })
  })
  afterAll(async () => {
    await h?.close()
    await ops?.close()
    await producer?.close()
    await deleteRedisPrefix(prefix)
  })

  it('shows operators the queue depths, and keeps analysts out', async () => {
    const otto = await login(h.app, 'otto')
    const page = await otto.get('/queues')
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/<td>crawl<\/td>\s*<td>3<\/td>\s*<td>0<\/td>\s*<td>1<\/td>/)
    expect(page.body).toContain('href="/queues"')
    const api = await otto.get('/api/queues')
    expect(api.json()).toMatchObject({
      backend: 'redis',
      queues: { crawl: { waiting: 3, delayed: 1 } },
    })
    const ana = await login(h.app, 'ana')
    expect((await ana.get('/queues')).statusCode).toBe(403)
    expect((await ana.get('/metrics')).statusCode).toBe(403)
  })

  it('serves Prometheus metrics to an operator API token', async () => {
    const root = await login(h.app, 'root')
    const token = (await root.post('/api/tokens', { label: 'prometheus' })).json() as {
      token: string
    }
    const res = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token.token}` },
    })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    expect(res.body).toContain('skimwatch_jobs{queue="crawl",state="waiting"} 3')
    expect(res.body).toContain('skimwatch_jobs{queue="crawl",state="delayed"} 1')
    // without a token or a session: sent to the login page, no figures
    const anonymous = await h.app.inject({ method: 'GET', url: '/metrics' })
    expect(anonymous.statusCode).toBe(302)
    expect(anonymous.headers.location).toMatch(/^\/login/)
    expect(anonymous.body).not.toContain('skimwatch_jobs')
  })
})

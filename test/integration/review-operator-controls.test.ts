// Operators' controls in the review app over real services: a rescan queues the site's crawl on
// the pipeline's queues, schedules are the ones `skimwatch schedule` edits, and the exclusion
// list is the file the crawl stage reads. Without queues the app says what happens instead.
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { createLogger } from '../../core/logger.ts'
import { parseResolveRule } from '../../crawler/index.ts'
import { createDetector } from '../../detector/index.ts'
import { UnrecoverableError } from 'bullmq'
import { openBackend, type QueueBackend } from '../../pipeline/backend.ts'
import { runEmbedded } from '../../pipeline/embedded.ts'
import { exclusionsReader } from '../../pipeline/exclusions.ts'
import { crawlJobId, openQueues, type StageQueues } from '../../pipeline/queues.ts'
import { listSchedules } from '../../pipeline/schedules.ts'
import { openOperations } from '../../pipeline/status.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { routeTable } from '../../review/auth.ts'
import { ndjson, runCli } from '../helpers/cli.ts'
import { login, reviewHarness, type Client, type ReviewHarness } from '../helpers/review-app.ts'
import { PG_URL, QUEUE_BACKENDS, uniqueName } from '../helpers/services.ts'

describe.each(QUEUE_BACKENDS)('rescans and schedules on $name queues', ({ cfg, env, drop }) => {
  const prefix = uniqueName('sw_ctl')
  let h: ReviewHarness
  let ops: Awaited<ReturnType<typeof openOperations>>
  let queues: StageQueues
  let backend: QueueBackend
  let operator: Client
  let analyst: Client

  beforeAll(async () => {
    const logger = createLogger('silent')
    // the harness opens the store; the operations read it only when a request comes
    ops = await openOperations(cfg(prefix), logger, {
      latestScanBySite: (ids) => h.store.latestScanBySite(ids),
    })
    h = await reviewHarness({ operations: ops })
    backend = await openBackend(cfg(prefix), logger)
    queues = openQueues(backend)
    operator = await login(h.app, 'otto')
    analyst = await login(h.app, 'ana')
  })
  afterAll(async () => {
    await backend?.close()
    await ops?.close()
    await h?.close()
    await drop(prefix)
  })

  it('crawls again a site whose last crawl failed, instead of merging into the failed job', async () => {
    const site = h.seeded.sites.b
    const last = (await h.store.latestScanBySite([site])).get(site) ?? 0
    const id = crawlJobId(site, last)
    const first = await operator.post(`/api/sites/${site}/rescan`, {})
    expect(first.json()).toMatchObject({ jobId: id, state: 'queued' })
    // a worker gives up on it for good (a refused target, say)
    const worker = backend.worker(
      'crawl',
      async () => {
        throw new UnrecoverableError('refused')
      },
      { concurrency: 1 },
    )
    await new Promise<void>((resolve) => worker.on('failed', (job) => job?.id === id && resolve()))
    await worker.close()
    expect(await (await queues.crawl.getJob(id))?.getState()).toBe('failed')
    const second = await operator.post(`/api/sites/${site}/rescan`, {})
    expect(second.json()).toMatchObject({ jobId: id, state: 'queued' })
    expect(await (await queues.crawl.getJob(id))?.getState()).toBe('waiting')
  })

  it('queues a crawl of the site from its page and the API, once, for operators only', async () => {
    const site = h.seeded.sites.a
    const last = (await h.store.latestScanBySite([site])).get(site) ?? 0
    const page = await operator.get(`/sites/${site}`)
    expect(page.body).toContain(`action="/sites/${site}/rescan"`)
    expect((await analyst.get(`/sites/${site}`)).body).not.toContain('/rescan')

    const form = await operator.post(`/sites/${site}/rescan`, {})
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('A crawl of this site is queued')
    const job = await queues.crawl.getJob(crawlJobId(site, last))
    expect(job?.data).toEqual({ siteId: site, after: last })
    expect(await job?.getState()).toBe('waiting')

    const again = await operator.post(`/api/sites/${site}/rescan`, {})
    expect(again.json()).toEqual({
      siteId: site,
      jobId: crawlJobId(site, last),
      state: 'already-queued',
    })
    const waiting = await queues.crawl.getWaiting()
    expect(waiting.filter((j) => (j.data as { siteId: number }).siteId === site)).toHaveLength(1)

    expect((await analyst.post(`/api/sites/${site}/rescan`, {})).statusCode).toBe(403)
    expect((await operator.post('/api/sites/999999/rescan', {})).statusCode).toBe(404)
  })

  it('mounts Bull Board for operators only: every route of it checked, read-only, its own CSP', async () => {
    const board = routeTable(h.app).filter((r) => r.url.startsWith('/queues/board'))
    expect(board.length).toBeGreaterThan(20)
    expect(board.filter((r) => r.access !== 'operate')).toEqual([])
    const concrete = (url: string) =>
      url.replace(':queueName', 'crawl').replace(':jobId', 'x').replace('*', 'js/x.js')
    for (const r of board) {
      const label = `${r.method} ${r.url}`
      const method = r.method as 'GET'
      const url = concrete(r.url)
      const anonymous = await h.app.inject({ method, url, payload: {} })
      expect([302, 401], label).toContain(anonymous.statusCode)
      const cookies = { skimwatch_session: analyst.cookie }
      const ana = await h.app.inject({ method, url, cookies, payload: {} })
      expect(ana.statusCode, label).toBe(403)
      if (r.method !== 'GET') {
        const csrfless = { skimwatch_session: operator.cookie }
        const otto = await h.app.inject({ method, url, cookies: csrfless, payload: {} })
        expect(otto.statusCode, label).toBe(403)
      }
    }
    const root = await login(h.app, 'root')
    const token = ((await root.post('/api/tokens', { label: 'board' })).json() as { token: string })
      .token
    const emptied = await h.app.inject({
      method: 'PUT',
      url: '/queues/board/api/queues/crawl/empty',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(emptied.statusCode).toBeGreaterThanOrEqual(400)
    expect(await queues.crawl.getJobCountByTypes('waiting')).toBeGreaterThan(0)

    const ui = await operator.get('/queues/board/')
    expect(ui.statusCode).toBe(200)
    expect(ui.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    const api = (await operator.get('/queues/board/api/queues')).json() as {
      queues: { name: string; readOnlyMode: boolean }[]
    }
    expect(api.queues.map((q) => [q.name, q.readOnlyMode]).sort()).toEqual([
      ['crawl', true],
      ['detect', true],
      ['notify', true],
      ['rescan', true],
    ])
    expect((await operator.get('/queues')).headers['content-security-policy']).toContain(
      "script-src 'none'",
    )
    expect((await operator.get('/queues')).body).toContain('href="/queues/board/"')
  })

  it('sets a schedule that `skimwatch schedule list` shows, and removes it', async () => {
    const set = await operator.post('/api/schedules', {
      name: 'nightly-infected',
      select: 'infected',
      cron: '0 3 * * *',
    })
    expect(set.statusCode, set.body).toBe(200)
    expect(await listSchedules(queues.rescan)).toContainEqual(
      expect.objectContaining({
        name: 'nightly-infected',
        select: 'infected',
        pattern: '0 3 * * *',
      }),
    )
    const cli = await runCli(['schedule', 'list', '--json'], {
      env: { SKIMWATCH_SOURCE: '1', DATABASE_URL: PG_URL, ...env(prefix) },
    })
    expect(cli.code, cli.stderr).toBe(0)
    expect(ndjson<{ name: string; select: string }>(cli.stdout)).toContainEqual(
      expect.objectContaining({ name: 'nightly-infected', select: 'infected' }),
    )

    // the page's form, with an interval this time: the same name is replaced
    const form = await operator.post('/schedules', {
      name: 'nightly-infected',
      select: 'all',
      every: '12h',
      cron: '',
    })
    expect(form.statusCode).toBe(303)
    const page = await operator.get('/schedules')
    expect(page.body).toMatch(/<td>nightly-infected<\/td>\s*<td>all<\/td>\s*<td>every 12h<\/td>/)
    expect((await analyst.get('/schedules')).statusCode).toBe(403)

    const bad = await operator.post('/api/schedules', { name: 'x', select: 'all', every: '5s' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toEqual({ error: '"5s" is too short: a rescan interval is at least 1m' })
    const both = await operator.post('/api/schedules', {
      name: 'x',
      select: 'all',
      every: '1d',
      cron: '0 3 * * *',
    })
    expect(both.statusCode).toBe(400)
    const cron = await operator.post('/api/schedules', { name: 'x', select: 'all', cron: 'often' })
    expect(cron.statusCode).toBe(400)
    expect(cron.json()).toMatchObject({ error: expect.stringMatching(/not a cron pattern/) })
    const who = await operator.post('/api/schedules', { name: 'x', select: 'some', every: '1d' })
    expect(who.json()).toMatchObject({ error: expect.stringMatching(/unknown site selection/) })

    const removed = await operator.post('/schedules/remove', { name: 'nightly-infected' })
    expect(removed.statusCode).toBe(303)
    expect((await listSchedules(queues.rescan)).map((s) => s.name)).not.toContain(
      'nightly-infected',
    )
    const gone = await operator.post('/api/schedules/remove', { name: 'nightly-infected' })
    expect(gone.statusCode).toBe(404)
  })
})

describe('without queues (embedded)', () => {
  let h: ReviewHarness
  let operator: Client

  beforeAll(async () => {
    h = await reviewHarness()
    operator = await login(h.app, 'otto')
  })
  afterAll(async () => h?.close())

  it('says a rescan happens at the next `skimwatch run`, and queues nothing', async () => {
    const site = h.seeded.sites.a
    const page = await operator.get(`/sites/${site}`)
    expect(page.body).not.toContain(`action="/sites/${site}/rescan"`)
    expect(page.body).toMatch(/next <code>skimwatch run<\/code> visits every site/)
    const api = await operator.post(`/api/sites/${site}/rescan`, {})
    expect(api.statusCode).toBe(409)
    expect(api.json()).toEqual({
      error:
        'no queues: the app was started without REDIS_URL or DATABASE_URL; the next `skimwatch run` visits every site, this one included',
    })
    expect((await operator.get('/schedules')).body).toMatch(/started without REDIS_URL/)
    expect((await operator.get('/api/schedules')).statusCode).toBe(404)
    const board = await operator.get('/queues/board/')
    expect(board.body).toMatch(/no queues: the app was started without REDIS_URL/)
    expect(board.headers['content-security-policy']).toContain("script-src 'none'")
  })

  it('edits the exclusion file, reports bad lines, and the crawl stage stops visiting the site', async () => {
    const site = h.seeded.sites.a
    let visits = 0
    const deps: StageDeps = {
      store: h.store,
      config: loadConfig({}),
      logger: createLogger('silent'),
      crawl: {
        allowPrivate: true,
        resolve: [parseResolveRule('shop-a.test:443:127.0.0.1')],
      } as unknown as StageDeps['crawl'],
      detector: createDetector(),
      browser: () => {
        visits++
        return Promise.reject(new Error('no browser in this test'))
      },
      // what `skimwatch run` hands both runners
      exclusions: exclusionsReader(h.exclusionsFile),
    }
    const crawl = async () => (await runEmbedded(deps, [site], { concurrency: 1 }))[0]?.error

    expect(await crawl()).toBe('no browser in this test')
    expect(visits).toBe(1)

    const added = await operator.post('/api/exclusions', {
      domains: '# keep off\nSHOP-A.test\nhttps://x.test/\n*.gov.example.\nnot a domain\n',
    })
    expect(added.json()).toEqual({
      added: ['shop-a.test', 'gov.example'],
      known: [],
      errors: [
        {
          line: 3,
          text: 'https://x.test/',
          reason: 'give the domain alone, without a scheme, port or path',
        },
        { line: 5, text: 'not a domain', reason: 'contains spaces (one domain per line)' },
      ],
    })
    expect(await readFile(h.exclusionsFile, 'utf8')).toBe('shop-a.test\ngov.example\n')
    expect(await crawl()).toBe("excluded by the operators' list (shop-a.test)")
    expect(visits).toBe(1)

    const page = await operator.get('/exclusions')
    expect(page.body).toContain('<td>shop-a.test</td>')
    expect(page.body).toContain('name="domain" value="gov.example"')
    const again = await operator.post('/exclusions', { domains: 'shop-a.test\n' })
    expect(again.body).toMatch(/0 added, 1 already listed, 0\s+bad line\(s\)/)

    expect((await operator.post('/exclusions/remove', { domain: 'shop-a.test' })).statusCode).toBe(
      303,
    )
    expect(await readFile(h.exclusionsFile, 'utf8')).toBe('gov.example\n')
    expect(await crawl()).toBe('no browser in this test')
    expect(visits).toBe(2)
    expect(
      (await operator.post('/api/exclusions/remove', { domain: 'nope.test' })).statusCode,
    ).toBe(404)
    const analyst = await login(h.app, 'ana')
    expect((await analyst.get('/exclusions')).statusCode).toBe(403)
    expect((await analyst.post('/api/exclusions', { domains: 'x.test' })).statusCode).toBe(403)
  })
})

// The BullMQ runner on the real Redis and PostgreSQL: failures, retries and connection errors.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ServiceUnavailableError } from '../../core/errors.ts'
import { createLogger } from '../../core/logger.ts'
import { createDetector } from '../../detector/index.ts'
import { connectRedis, runQueued } from '../../pipeline/queues.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { openStore, type Store } from '../../store/index.ts'
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  uniqueName,
} from '../helpers/services.ts'

describe('BullMQ runner', () => {
  const schema = uniqueName('sw_queues')
  const prefix = uniqueName('sw_queues')
  let store: Store
  let home: string
  let browserLaunches = 0

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'skimwatch-queues-'))
    store = await openStore({ databaseUrl: PG_URL, home, schema })
  })
  afterAll(async () => {
    await store?.close()
    await dropSchema(schema)
    await deleteRedisPrefix(prefix)
    await rm(home, { recursive: true, force: true })
  })

  const deps = (): StageDeps => ({
    store,
    config: { ...loadConfig({}), home },
    logger: createLogger('silent'),
    crawl: { allowPrivate: false, resolve: [], timeoutMs: 5_000 },
    detector: createDetector(),
    browser: () => {
      browserLaunches++
      return Promise.reject(new Error('no browser in this test'))
    },
  })

  it('fails a refused target at once, without retries and without opening a browser', async () => {
    await store.addSites([
      { domain: '127.0.0.1', url: 'http://127.0.0.1:9/' },
      { domain: 'metadata.internal', url: 'http://169.254.169.254/latest/meta-data/' },
    ])
    const ids = (await store.listSites()).map((s) => s.id)
    const run = await runQueued(deps(), ids, {
      backend: { kind: 'redis', url: REDIS_URL, prefix },
      concurrency: 2,
      once: true,
    })
    const outcomes = await run.outcomes
    await run.stop()
    expect(outcomes).toHaveLength(2)
    for (const o of outcomes) {
      expect(o.verdict).toBeNull()
      expect(o.error).toMatch(/refusing to visit .*(loopback|metadata).*--allow-private/)
    }
    expect(browserLaunches).toBe(0)
    // the reason stays on the site, where report and the review app read it
    for (const site of await store.listSites())
      expect(site.failure).toMatch(/refusing to visit .*--allow-private/)
    const report = await store.report()
    expect(report.map((r) => r.scanError)).toEqual([
      expect.stringMatching(/refusing to visit/),
      expect.stringMatching(/refusing to visit/),
    ])
  })

  it('fails a domain that does not exist at once, and keeps the reason on the site', async () => {
    await store.addSites([{ domain: 'no-such-shop.invalid', url: 'https://no-such-shop.invalid/' }])
    const site = (await store.listSites()).find((s) => s.domain === 'no-such-shop.invalid')
    const run = await runQueued(deps(), [site?.id ?? 0], {
      backend: { kind: 'redis', url: REDIS_URL, prefix },
      concurrency: 1,
      once: true,
    })
    const [outcome] = await run.outcomes
    await run.stop()
    expect(outcome?.error).toMatch(/no-such-shop\.invalid does not resolve \(NXDOMAIN\)/)
    expect(browserLaunches).toBe(0)
    expect((await store.getSite(site?.id ?? 0))?.failure).toMatch(/NXDOMAIN/)
  })

  it('names Redis and the way out when it cannot connect', async () => {
    const err = await connectRedis('redis://127.0.0.1:1').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceUnavailableError)
    expect((err as Error).message).toMatch(
      /cannot reach Redis at 127\.0\.0\.1:1 .*unset REDIS_URL to run embedded/,
    )
  })
})

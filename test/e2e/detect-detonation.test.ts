// The detect stage runs what static analysis could not clear in the chamber, and keeps what it
// saw in the store: a second worker judging the same script reuses the observation.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDetonator, storeObservations, type Detonator } from '../../cli/detonation.ts'
import { loadConfig } from '../../core/config.ts'
import { sha256 } from '../../core/hash.ts'
import { createLogger } from '../../core/logger.ts'
import type { CapturedScript, PageCapture } from '../../core/types.ts'
import { createDetector } from '../../detector/cache.ts'
import { detectStage, type StageDeps } from '../../pipeline/stages.ts'
import { openStore, type Store } from '../../store/index.ts'

let home: string
let store: Store
const detonators: Detonator[] = []

async function script(
  file: string,
  pageUrl = 'https://shop.example/checkout',
): Promise<CapturedScript> {
  const source = await readFile(path.join('fixtures/detonate', file), 'utf8')
  return {
    sha256: sha256(source),
    url: `${new URL(pageUrl).origin}/static/js/${file}`,
    kind: 'external',
    source,
    pageUrl,
  }
}

function capture(scripts: CapturedScript[]): PageCapture {
  const page = scripts[0]?.pageUrl ?? 'https://shop.example/checkout'
  return {
    url: `${new URL(page).origin}/`,
    finalUrl: page,
    status: 'ok',
    reason: null,
    startedAt: '2026-12-04T01:00:00.000Z',
    durationMs: 1000,
    visited: [page],
    filledCard: true,
    scripts,
    requests: [],
    cardReaders: [],
    platform: null,
  }
}

function deps(detonator: Detonator): StageDeps {
  const config = loadConfig()
  const detector = createDetector()
  return {
    store,
    config,
    logger: createLogger('silent'),
    crawl: { allowPrivate: false, resolve: [], timeoutMs: config.pageTimeoutMs },
    detector,
    browser: () => Promise.reject(new Error('the detect stage opens no browser')),
    detonate: (source, v, where) => detonator.judge(source, v, detector, where),
  }
}

function worker(): Detonator {
  const d = createDetonator(storeObservations(store), loadConfig().chromiumPath)
  detonators.push(d)
  return d
}

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'skimwatch-detect-'))
  store = await openStore({ home })
})

afterAll(async () => {
  for (const d of detonators) await d.close()
  await store.close()
  await rm(home, { recursive: true, force: true })
})

it('a script that reads clean but sends the card through a CSS url makes the scan malicious; another worker reuses the stored observation', async () => {
  const skimmer = await script('css-url.js')
  const validator = await script('luhn-validator.js')
  const scanId = await store.saveCapture(null, capture([skimmer, validator]))

  const first = worker()
  const judged = await detectStage(deps(first), { scanId })
  expect(judged.verdict).toBe('malicious')
  // the validator names no field and sends nothing: never detonated
  expect(first.stats()).toEqual({ detonated: 1, cached: 0 })
  const result = await store.getScanResult(scanId)
  const skim = result?.scripts.find((s) => s.sha256 === skimmer.sha256)
  expect(skim?.verdict).toBe('malicious')
  expect(skim?.findings.map((f) => f.rule)).toContain('observed-card-exfil')

  const second = worker()
  expect((await detectStage(deps(second), { scanId })).verdict).toBe('malicious')
  expect(second.stats()).toEqual({ detonated: 0, cached: 1 })
}, 120_000)

it("a payload keyed to the shop's host is detonated on checkouts at that shop's origin; another shop's page is detonated anew", async () => {
  const keyed = await script('host-keyed-payload.js', 'https://www.harbour-kites.test/checkout/')
  const scanId = await store.saveCapture(null, capture([keyed]))
  const first = worker()
  expect((await detectStage(deps(first), { scanId })).verdict).toBe('malicious')
  expect(first.stats()).toEqual({ detonated: 1, cached: 0 })
  const skim = (await store.getScanResult(scanId))?.scripts[0]
  expect(skim?.findings.map((f) => f.rule)).toContain('observed-card-exfil')

  // the same text on another shop: its own origin, its own observation, and there it stays locked
  const elsewhere = { ...keyed, pageUrl: 'https://kites-elsewhere.test/checkout/' }
  const otherScan = await store.saveCapture(null, capture([elsewhere]))
  const second = worker()
  const judged = await detectStage(deps(second), { scanId: otherScan })
  expect(second.stats()).toEqual({ detonated: 1, cached: 0 })
  expect(judged.verdict).not.toBe('malicious')
  // the script's stored verdict keeps what the first shop's page showed
  const kept = (await store.getScanResult(scanId))?.scripts[0]
  expect(kept?.verdict).toBe('malicious')
  expect(kept?.findings.map((f) => f.rule)).toContain('observed-card-exfil')
}, 120_000)

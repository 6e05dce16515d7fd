// Detonation for `analyze`: scripts static analysis could not clear run once in the chamber;
// observations are cached in $SKIMWATCH_HOME by sha256 + rules version + chamber version (and
// the script's URL and page origin, when known).
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256 } from '../core/hash.ts'
import type { Finding, Observation, ScriptVerdict } from '../core/types.ts'
import type { Detector } from '../detector/index.ts'

export interface Detonator {
  /** the fused verdict, or the static one with an info finding saying why nothing ran */
  judge(source: string, v: ScriptVerdict, detector: Detector, where?: Where): Promise<ScriptVerdict>
  stats(): { detonated: number; cached: number }
  close(): Promise<void>
}

/** What is known of where a script was seen. */
export interface Where {
  /** the source is an HTML fragment: detonated as markup in the page */
  html?: boolean
  /** where the script was served from: the chamber serves it there */
  url?: string | null
  /** the page it was seen on: the chamber's checkouts are served at that origin */
  pageUrl?: string | null
}

type Chamber = {
  detonate(source: string, opts?: Where): Promise<Observation>
  close(): Promise<void>
}

function originOf(url: string | null | undefined): string {
  try {
    return url ? new URL(url).origin : ''
  } catch {
    return ''
  }
}

/** The cache key: the observation also depends on where the script and its page were served. */
function keyOf(v: ScriptVerdict, version: string, where: Where): string {
  const at = `${where.url ?? ''} ${originOf(where.pageUrl)}`.trim()
  return (
    `${v.sha256}-${v.rulesVersion}-${version}${where.html === true ? '-html' : ''}` +
    (at === '' ? '' : `-at-${sha256(at).slice(0, 12)}`)
  )
}

function note(v: ScriptVerdict, message: string): ScriptVerdict {
  const f: Finding = {
    rule: 'detonation',
    severity: 'info',
    message,
    line: 1,
    column: 0,
    points: 0,
  }
  return { ...v, findings: [...v.findings, f] }
}

/** Where observations are kept between runs: files for `analyze`, the store for scans. */
export interface ObservationCache {
  get(key: string): Promise<Observation | null>
  put(key: string, obs: Observation): Promise<void>
}

/** Observations as JSON files in `$SKIMWATCH_HOME/observations/`. */
export function fileObservations(home: string): ObservationCache {
  const dir = join(home, 'observations')
  return {
    async get(key) {
      try {
        return JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')) as Observation
      } catch {
        return null
      }
    },
    async put(key, obs) {
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, `${key}.json`), JSON.stringify(obs))
    },
  }
}

/** Observations in the store, shared by every worker that judges scans. */
export function storeObservations(store: {
  getObservation(key: string): Promise<Observation | null>
  putObservation(key: string, obs: Observation): Promise<void>
}): ObservationCache {
  return {
    get: (key) => store.getObservation(key),
    put: (key, obs) => store.putObservation(key, obs),
  }
}

export function createDetonator(cache: ObservationCache, executablePath?: string): Detonator {
  let chamber: Promise<{ chamber: Chamber; version: string } | Error> | undefined
  let detonated = 0
  let cached = 0
  const open = () =>
    (chamber ??= import('../crawler/detonate.ts').then(
      async ({ createChamber, CHAMBER_VERSION }) => {
        try {
          const c = await createChamber(executablePath ? { executablePath } : {})
          return { chamber: c, version: CHAMBER_VERSION }
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err))
        }
      },
    ))
  return {
    async judge(source, v, detector, where = {}) {
      const got = await open()
      if (got instanceof Error)
        return note(v, `not detonated (${got.message.split('\n')[0]}): judged statically`)
      const key = keyOf(v, got.version, where)
      let obs = await cache.get(key)
      if (obs) cached++
      else {
        obs = await got.chamber.detonate(source, where)
        detonated++
        await cache.put(key, obs)
      }
      // loaded with the first detonation: `analyze --static` starts without it (and its
      // public-suffix list)
      const { fuseVerdict } = await import('../detector/fuse.ts')
      const fused = fuseVerdict(v, obs, (code) => detector.analyze(code, { url: null }))
      return note(
        fused,
        `detonated (${(v.triage ?? []).join('; ')}): ${obs.requests.length} requests, ${obs.status}`,
      )
    },
    stats: () => ({ detonated, cached }),
    async close() {
      const got = chamber ? await chamber : undefined
      if (got && !(got instanceof Error)) await got.chamber.close()
    },
  }
}

// Detonation for `analyze`: scripts static analysis could not clear run once in the chamber;
// observations are cached in $SKIMWATCH_HOME by sha256 + rules version + chamber version.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding, Observation, ScriptVerdict } from '../core/types.ts'
import type { Detector } from '../detector/index.ts'
import { fuseVerdict } from '../detector/fuse.ts'

export interface Detonator {
  /** the fused verdict, or the static one with an info finding saying why nothing ran */
  judge(source: string, v: ScriptVerdict, detector: Detector): Promise<ScriptVerdict>
  stats(): { detonated: number; cached: number }
  close(): Promise<void>
}

type Chamber = { detonate(source: string): Promise<Observation>; close(): Promise<void> }

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

export function createDetonator(home: string, executablePath?: string): Detonator {
  let chamber: Promise<{ chamber: Chamber; version: string } | Error> | undefined
  let detonated = 0
  let cached = 0
  const dir = join(home, 'observations')
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
    async judge(source, v, detector) {
      const got = await open()
      if (got instanceof Error)
        return note(v, `not detonated (${got.message.split('\n')[0]}): judged statically`)
      const file = join(dir, `${v.sha256}-${v.rulesVersion}-${got.version}.json`)
      let obs: Observation | undefined
      try {
        obs = JSON.parse(await readFile(file, 'utf8')) as Observation
        cached++
      } catch {
        obs = await got.chamber.detonate(source)
        detonated++
        await mkdir(dir, { recursive: true })
        await writeFile(file, JSON.stringify(obs))
      }
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

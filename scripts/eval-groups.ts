// `npm run eval` groups beyond the fixture samples: blind samples (first seen and now), benign
// look-alikes and real checkout code, with detonation where the CLI would detonate.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Observation, ScriptVerdict } from '../core/types.ts'
import { analyzeScript } from '../detector/index.ts'
import { fuseVerdict } from '../detector/fuse.ts'
import { loadBlind, type BlindSample } from '../fixtures/blind/load.ts'

const ROOT = join(import.meta.dirname, '..')

type Chamber = {
  detonate(
    source: string,
    opts?: { html?: boolean; url?: string | null; pageUrl?: string | null },
  ): Promise<Observation>
  close(): Promise<void>
}

export interface Judged {
  name: string
  kind: 'malicious' | 'benign'
  v: ScriptVerdict
  detonated: boolean
}

/** The chamber when a browser is there and SKIMWATCH_EVAL_STATIC is unset. */
export async function openChamber(): Promise<Chamber | undefined> {
  if (process.env.SKIMWATCH_EVAL_STATIC) return undefined
  try {
    const { createChamber } = await import('../crawler/detonate.ts')
    return await createChamber()
  } catch (err) {
    console.log(`(no detonation: ${(err as Error).message.split('\n')[0]})`)
    return undefined
  }
}

/** Static verdict, then the chamber for what triage could not clear, as `analyze` does. */
export async function judge(
  source: string,
  ctx: Parameters<typeof analyzeScript>[1],
  chamber: Chamber | undefined,
  html = false,
): Promise<{ v: ScriptVerdict; detonated: boolean }> {
  const v = analyzeScript(source, ctx)
  if (!chamber || v.verdict === 'malicious' || !v.triage?.length) return { v, detonated: false }
  // served where it was seen, on checkouts at its page's origin, as the pipeline does
  const obs = await chamber.detonate(source, {
    html,
    url: ctx?.url ?? null,
    pageUrl: ctx?.pageUrl ?? null,
  })
  return { v: fuseVerdict(v, obs, (code) => analyzeScript(code, { url: null })), detonated: true }
}

export async function judgeBlind(chamber: Chamber | undefined): Promise<Judged[]> {
  const out: Judged[] = []
  for (const s of loadBlind()) {
    const ctx = {
      url: s.expected.ctx?.url ?? null,
      ...(s.expected.ctx?.pageUrl ? { pageUrl: s.expected.ctx.pageUrl } : {}),
      ...(s.html ? { html: true } : {}),
    }
    const got = await judge(s.source, ctx, chamber, s.html)
    out.push({ name: s.name, kind: s.kind, ...got })
  }
  return out
}

export function firstSeen(): { summary: string; samples: Record<string, { verdict: string }> } {
  return JSON.parse(readFileSync(join(ROOT, 'fixtures/blind/first-seen.json'), 'utf8')) as never
}

export function checkoutFiles(): string[] {
  const data = JSON.parse(
    readFileSync(join(ROOT, 'fixtures/corpus/checkout-code.json'), 'utf8'),
  ) as { files: { file: string }[] }
  return data.files.map((f) => f.file)
}

export function rulesOf(v: ScriptVerdict): string {
  return [...new Set(v.findings.filter((f) => f.points > 0).map((f) => f.rule))].join(' ')
}

export type { BlindSample }

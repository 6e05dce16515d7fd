import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Verdict } from '../../../core/types.ts'
import type { AnalyzeContext } from '../../../detector/index.ts'

export interface Expected {
  verdict: Verdict
  rules: string[]
  notRules?: string[]
  ctx?: AnalyzeContext
}

export interface Sample {
  name: string
  kind: 'malicious' | 'benign'
  source: string
  expected: Expected
}

const ROOT = join(import.meta.dirname, '../../../fixtures/samples')

/** Every fixture sample with the expected outcome stored beside it. */
export function loadSamples(): Sample[] {
  const out: Sample[] = []
  for (const kind of ['malicious', 'benign'] as const) {
    for (const file of readdirSync(join(ROOT, kind))
      .filter((f) => f.endsWith('.js'))
      .sort()) {
      const expected = JSON.parse(
        readFileSync(join(ROOT, kind, file.replace(/\.js$/, '.expected.json')), 'utf8'),
      ) as Expected
      out.push({
        name: `${kind}/${file}`,
        kind,
        source: readFileSync(join(ROOT, kind, file), 'utf8'),
        expected,
      })
    }
  }
  return out
}

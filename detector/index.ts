import type { Finding, PageCapture, PageVerdict, ScriptVerdict } from '../core/types.ts'
import { sha256 } from '../core/hash.ts'
import { allowlisted, applyAllowlist, defaultAllowlist } from './allowlist.ts'
import type { AnalyzeContext } from './context.ts'
import { collectLayer } from './collect.ts'
import { emptyFacts, type ScriptFacts } from './facts.ts'
import { focusOf } from './focus.ts'
import {
  htmlPosition,
  looksLikeHtml,
  MAX_PARTS,
  splitHtml,
  type HtmlPart,
  type HtmlSplit,
} from './html.ts'
import { judgePage as judge, scriptName } from './judge-page.ts'
import { binaryReason, notJavaScriptReason, parseStrict, readSource, type Parsed } from './parse.ts'
import { escapedTexts } from './deobfuscate/decode.ts'
import { obfuscatorShape, shapeWatch, type Rewritten } from './deobfuscate/obfuscator.ts'
import { resolveLayer } from './deobfuscate/resolve-layer.ts'
import type { Known } from './deobfuscate/partial.ts'
import { hostOf } from './paths.ts'
import { RULES, type Rule } from './rules/index.ts'
import { capModifiers, scoreOf, toFindings, verdictOf } from './score.ts'
import { builtinSignatures } from './signatures/builtin.ts'
import type { SignatureSet } from './signatures/compile.ts'
import { yaraFindings } from './signatures/scan.ts'
import { findSinks } from './sinks.ts'
import { triage } from './triage.ts'

/** Bump whenever rules or signatures change: cached verdicts are keyed by sha256 + this. */
export const RULES_VERSION = '2026.12.97'

export type { AnalyzeContext } from './context.ts'
export type { SignatureSet } from './signatures/compile.ts'
export { compileSignatures } from './signatures/compile.ts'
export { builtinSignatureInput, builtinSignatures } from './signatures/builtin.ts'
export { createAllowlist, defaultAllowlist, type Allowlist } from './allowlist.ts'
export { createDetector, type Detector, type DetectorStats } from './cache.ts'
export { looksLikeHtml } from './html.ts'

/** Inputs larger than this are not parsed (acorn ~5 MB/s; keeps a worker responsive). */
export const MAX_BYTES = 5 * 1024 * 1024
const LAYER_BYTES = 2 * 1024 * 1024

/** The rule id of a finding that says part of the analysis failed (0 points). */
export const ANALYSIS_ERROR = 'analysis-error'

/** What the caller knows about a text to judge: a script, or an HTML document. */
export interface DocumentContext extends AnalyzeContext {
  /** read the text as HTML whatever it starts with (e.g. the file is named .html) */
  html?: boolean
}

function info(rule: string, message: string): Finding {
  return { rule, severity: 'info', message, line: 1, column: 0, points: 0 }
}

/** A stage that threw, as a finding: no points, so the verdict comes from everything else. */
export function analysisError(stage: string, err: unknown): Finding {
  const text = err instanceof Error ? err.message : String(err)
  const message = text.replace(/\s+/g, ' ').trim().slice(0, 200) || 'unknown error'
  return { ...info(ANALYSIS_ERROR, `${stage} failed: ${message}`), severity: 'low' }
}

// Stack overflows are the analysis budget (hostile nesting); anything else is an error.
function failure(stage: string, err: unknown): Finding {
  if (!(err instanceof RangeError) || !/call stack/i.test(err.message))
    return analysisError(stage, err)
  if (stage === 'parse' || stage === 'collect')
    return info('analysis-budget', 'script is nested too deeply to analyse')
  return info('analysis-budget', `${stage} ran out of stack on this script`)
}

/** The verdict of a script whose analysis failed as a whole: no evidence, and the error. */
export function failedVerdict(hash: string, err: unknown, stage = 'analysis'): ScriptVerdict {
  return verdictFrom(hash, [analysisError(stage, err)])
}

function verdictFrom(hash: string, findings: Finding[]): ScriptVerdict {
  const score = scoreOf(findings)
  return { sha256: hash, verdict: verdictOf(score), score, findings, rulesVersion: RULES_VERSION }
}

/** A verdict before the allowlist, and whether it depends on where the script ran. */
export interface Inspection {
  verdict: ScriptVerdict
  /** false when some sink URL is absolute, so same-origin vs external depends on ctx */
  contextFree: boolean
  parsed: boolean
}

function done(hash: string, all: Finding[], parsed: boolean, contextFree = true): Inspection {
  all.sort((a, b) => b.points - a.points || a.line - b.line)
  return { verdict: verdictFrom(hash, capModifiers(all)), contextFree, parsed }
}

type Guard = <T>(stage: string, run: () => T, fallback: T) => T

function guarded(findings: Finding[]): Guard {
  return (stage, run, fallback) => {
    try {
      return run()
    } catch (err) {
      findings.push(failure(stage, err))
      return fallback
    }
  }
}

/**
 * Parse, run rules and signatures. Never executes the script; never throws: a step that
 * fails becomes a finding and the verdict comes from the others. HTML is split into the
 * code a browser would run from it. `rules` is for tests that need a rule of their own.
 */
export function inspectScript(
  source: string,
  ctx: DocumentContext = {},
  rules: readonly Rule[] = RULES,
): Inspection {
  const hash = sha256(source)
  try {
    const signatures = ctx.signatures ?? builtinSignatures()
    if (source.length > MAX_BYTES) {
      // YARA scans hundreds of MB/s, so oversized files still get their signature check.
      const findings = [
        info(
          'analysis-budget',
          `script is ${source.length} bytes, over the ${MAX_BYTES}-byte analysis budget`,
        ),
      ]
      findings.push(...signatureFindings(emptyFacts(source, hash), signatures, guarded(findings)))
      return done(hash, findings, false)
    }
    const binary = binaryReason(source)
    if (binary)
      return done(hash, [info('not-javascript', `input is ${binary}, not JavaScript`)], false)
    const unescaped = unescapeDump(source)
    if (unescaped !== undefined && dumpOnly(source)) {
      const inner = inspectScript(unescaped, ctx, rules)
      const note = info(
        'escaped-input',
        'every quote in the input is backslash-escaped, as in a database dump: judged unescaped',
      )
      const v = inner.verdict
      return { ...inner, verdict: { ...v, sha256: hash, findings: [...v.findings, note] } }
    }
    if (ctx.html === true || looksLikeHtml(source))
      return inspectHtml(source, hash, ctx, rules, signatures)
    return inspectCode(source, hash, ctx, rules, signatures)
  } catch (err) {
    return done(hash, [analysisError('analysis', err)], false, false)
  }
}

/**
 * The text with its quotes unescaped when every quote in it is backslash-escaped (`\'`, `\"`),
 * as a page setting copied out of an SQL dump is: no script or page is written that way, and
 * unescaping keeps the meaning of any string, template or regex a quote could sit in.
 */
export function unescapeDump(source: string): string | undefined {
  let escaped = 0
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i)
    if (c === 0x5c) {
      const next = source.charCodeAt(i + 1)
      if (next === 0x27 || next === 0x22) escaped++
      i++
    } else if (c === 0x27 || c === 0x22) return undefined
  }
  return escaped >= 2 ? source.replace(/\\(['"\\])/g, '$1') : undefined
}

/**
 * An escaped dump is only that when the text as it stands is no script (a `\'` outside a string
 * is a syntax error): a script that parses is judged as written, however it spells its quotes.
 */
function dumpOnly(source: string): boolean {
  if (looksLikeHtml(source)) return true
  try {
    return parseStrict(source) === null
  } catch {
    return false
  }
}

function inspectCode(
  source: string,
  hash: string,
  ctx: AnalyzeContext,
  rules: readonly Rule[],
  signatures: SignatureSet,
): Inspection {
  const parseFindings: Finding[] = []
  const shape = shapeWatch()
  const read = guarded(parseFindings)('parse', () => readSource(source, shape.watch), undefined)
  const parsed = typeof read === 'string' ? undefined : read
  if (typeof read === 'string')
    parseFindings.push(info('not-javascript', `input is code no parser can read (${read})`))
  if (parsed) {
    const notJs = guarded(parseFindings)(
      'input check',
      () => notJavaScriptReason(source, !parsed.loose),
      null,
    )
    if (notJs)
      return done(hash, [info('not-javascript', `input is ${notJs}, not JavaScript`)], true)
  }
  // The partial evaluator is the costliest step. A file gets it when it has javascript-
  // obfuscator's layout, or when a first look without it found anything at all (a finding
  // with points, a reason to detonate): code that hides what it does still shows some of it
  // (a decoder, a sink, a storage flag, card field names). Only files with nothing to show
  // keep the first look's verdict, which is clean.
  const shaped =
    parsed !== undefined &&
    (parsed.loose ? guarded([])('shape', () => obfuscatorShape(parsed.ast), true) : shape.found())
  const judge = (evaluate: boolean | Rewritten, seen?: { facts?: ScriptFacts }): Inspection =>
    judgeParsed(
      source,
      hash,
      parsed && { ...parsed, shaped, wrappers: shape.wrappers() },
      parseFindings,
      evaluate,
      ctx,
      rules,
      signatures,
      seen,
    )
  if (shaped || !parsed) return judge(true)
  const seen: { facts?: ScriptFacts } = {}
  const first = judge(false, seen)
  const anything =
    first.verdict.findings.some((f) => f.points > 0) || (first.verdict.triage?.length ?? 0) > 0
  if (!anything) return first
  // The evaluator first: when it changes nothing, the second look would be the first one. Nor
  // when it only writes out values the first look's folder already gave, which every rule read
  // (a constant inlined into a concatenation): then only the signatures over text could differ.
  const known = knownTo(seen.facts)
  const focus = seen.facts && focusOf(seen.facts, first.verdict.findings)
  let rewritten: Rewritten | undefined
  try {
    const budget = { bytesLeft: LAYER_BYTES }
    rewritten = resolveLayer(parsed.ast, source, false, budget, known, focus)
    if (rewritten?.known) {
      if (!seen.facts || !textSignaturesDiffer(rewritten.source, seen.facts, first, signatures))
        return first
      rewritten = resolveLayer(parsed.ast, source, false, budget, undefined, focus)
    }
  } catch (err) {
    // what the evaluator could not finish is said, as any stage's failure is
    parseFindings.push(failure('partial evaluation', err))
    // judged again from a fresh tree: the failed evaluation may have changed this one
    const again = readSource(source)
    const fresh =
      typeof again === 'string' ? undefined : { ...again, shaped, wrappers: shape.wrappers() }
    return judgeParsed(source, hash, fresh, parseFindings, true, ctx, rules, signatures)
  }
  if (!rewritten) return first
  // what made the first look worth a detonation stays true of the file, whatever the rewrite shows
  const second = judge(rewritten)
  const reasons = [...new Set([...(second.verdict.triage ?? []), ...(first.verdict.triage ?? [])])]
  if (reasons.length > 0) second.verdict.triage = reasons
  return second
}

function judgeParsed(
  source: string,
  hash: string,
  parsed: Parsed | undefined,
  parseFindings: Finding[],
  /** run the evaluator, or its rewrite of the file when it already ran */
  evaluate: boolean | Rewritten,
  ctx: AnalyzeContext,
  rules: readonly Rule[],
  signatures: SignatureSet,
  /** receives the facts the verdict came from */
  seen?: { facts?: ScriptFacts },
): Inspection {
  const findings: Finding[] = [...parseFindings]
  const guard = guarded(findings)
  const facts = emptyFacts(source, hash)
  if (seen) seen.facts = facts
  facts.operatorWrappers = parsed?.wrappers ?? 0
  if (parsed) {
    // what was collected before a failure is still evidence
    const base = { ast: parsed.ast, source, depth: 0, outer: undefined, shaped: parsed.shaped }
    const rewritten = typeof evaluate === 'boolean' ? undefined : evaluate
    if (rewritten) {
      facts.layers.push(rewritten.source)
      for (const text of escapedTexts(source)) facts.hidden.add(text)
    }
    const layer = rewritten ? { ...base, ...rewritten } : base
    const budget = { bytesLeft: LAYER_BYTES, evaluate: evaluate !== false }
    guard('collect', () => collectLayer(layer, facts, budget), undefined)
    facts.sinks = guard('sinks', () => findSinks(facts, ctx), [])
    for (const rule of rules)
      findings.push(...guard(`rule ${rule.id}`, () => toFindings(rule, rule.check(facts, ctx)), []))
  }
  findings.push(...signatureFindings(facts, signatures, guard))
  const failed = findings.some((f) => f.rule === ANALYSIS_ERROR || f.rule === 'analysis-budget')
  const contextFree =
    !failed && facts.sinks.every((s) => !s.urlText || hostOf(s.urlText) === undefined)
  const out = done(hash, findings, parsed !== undefined, contextFree)
  const late: Finding[] = []
  const reasons = guarded(late)('triage', () => triage(facts, out.verdict), [])
  out.verdict.findings.push(...late)
  if (reasons.length > 0) out.verdict.triage = reasons
  return out
}

/**
 * What the first look already had, for the evaluator: a value its folder gave for the same
 * expression and, for text, one it holds as a string fact (lookalike hosts, IOC domains, field
 * names and markup are read from those, not from the folder). Nothing counts as known when the
 * first look decoded layers: it did not evaluate them, a second look would.
 */
function knownTo(facts: ScriptFacts | undefined): Known | undefined {
  const root = facts?.root
  if (!facts || !root || facts.layers.length > 0 || facts.packed.length > 0) return undefined
  let texts: Set<string> | undefined
  return (node, value) => {
    if (root.folder.fold(node) !== value) return false
    if (typeof value !== 'string') return true
    texts ??= new Set(facts.strings.map((s) => s.value))
    return texts.has(value)
  }
}

/**
 * Whether a signature over text (YARA, or a signature's text patterns) matches `text` but gave
 * nothing in the look that `facts` and `verdict` came from.
 */
function textSignaturesDiffer(
  text: string,
  facts: ScriptFacts,
  verdict: Inspection,
  signatures: SignatureSet,
): boolean {
  const had = new Set(verdict.verdict.findings.map((f) => f.rule))
  if (yaraFindings(emptyFacts(text, ''), signatures).some((f) => !had.has(f.rule))) return true
  const texts = [facts.source, ...facts.layers]
  return signatures.patterns.some(
    (p) =>
      p.all.length > 0 &&
      p.all.every((r) => r.test(text)) &&
      !texts.some((t) => p.all.every((r) => r.test(t))),
  )
}

// YARA over the raw text and every decoded layer; over the raw text alone if a layer breaks it.
function signatureFindings(facts: ScriptFacts, signatures: SignatureSet, guard: Guard): Finding[] {
  const all = guard('YARA signatures', () => yaraFindings(facts, signatures), undefined)
  if (all || facts.layers.length === 0) return all ?? []
  const raw = { ...facts, layers: [] }
  return guard('YARA signatures (raw text)', () => yaraFindings(raw, signatures), [])
}

const VERDICT_RANK = { clean: 0, suspicious: 1, malicious: 2 } as const

type Ranked = Pick<ScriptVerdict, 'verdict' | 'score'>
const worseThan = (a: Ranked, b: Ranked): boolean =>
  (VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] || a.score - b.score) > 0

/**
 * A page's classic scripts share one global scope: what one inline `<script>` leaves on
 * `window` the next one reads (a host stored by the first, values gathered by the second, sent
 * by the third). The parsed `<script>` blocks, in page order, as one program; its findings are
 * placed back in the blocks they come from.
 */
function scriptsTogether(judged: { part: HtmlPart; got: Inspection }[]) {
  const blocks = judged.filter(({ part, got }) => part.kind === 'script' && got.parsed)
  if (blocks.length < 2) return undefined
  const starts: { line: number; part: HtmlPart }[] = []
  let line = 1
  let source = ''
  for (const { part } of blocks) {
    starts.push({ line, part })
    source += `${part.source}\n;\n`
    line += part.source.split('\n').length + 1
  }
  // the joined part starts the page: its findings carry their places in the page already
  const part: HtmlPart = {
    kind: 'script',
    label: `${blocks.length} inline <script> blocks together`,
    source,
    line: 1,
    column: 0,
  }
  const relocated = (got: Inspection): Inspection => {
    const findings = got.verdict.findings.map((f) => {
      const at = starts.findLast((s) => s.line <= f.line) ?? (starts[0] as (typeof starts)[0])
      return { ...f, ...htmlPosition(at.part, f.line - at.line + 1, f.column) }
    })
    return { ...got, verdict: { ...got.verdict, findings } }
  }
  return { part, relocated }
}

/**
 * An HTML document: every inline script, event handler and javascript: URL is judged as the
 * browser would compile it, plus the signatures over the whole text. The worst part gives
 * the verdict and score; the other parts' findings are listed with no points.
 */
function inspectHtml(
  source: string,
  hash: string,
  ctx: AnalyzeContext,
  rules: readonly Rule[],
  signatures: SignatureSet,
): Inspection {
  const docFindings: Finding[] = []
  const guard = guarded(docFindings)
  const split = guard<HtmlSplit | undefined>('HTML parsing', () => splitHtml(source), undefined)
  docFindings.push(...signatureFindings(emptyFacts(source, hash), signatures, guard))
  if (!split) return done(hash, docFindings, false)
  // inline code runs on the page itself: no URL of its own
  const pageUrl = ctx.pageUrl ?? ctx.url ?? undefined
  const partCtx: AnalyzeContext = { ...ctx, url: null, ...(pageUrl ? { pageUrl } : {}) }
  const judged = split.parts.map((part) => ({
    part,
    got: inspectCode(part.source, sha256(part.source), partCtx, rules, signatures),
  }))
  const together = guard('inline scripts together', () => scriptsTogether(judged), undefined)
  if (together) {
    const got = inspectCode(
      together.part.source,
      sha256(together.part.source),
      partCtx,
      rules,
      signatures,
    )
    // only when the page's scripts show more together than any of them alone
    if (judged.every((j) => worseThan(got.verdict, j.got.verdict)))
      judged.push({ part: together.part, got: together.relocated(got) })
  }
  const partRules = new Set(judged.flatMap(({ got }) => got.verdict.findings.map((f) => f.rule)))
  const document = capModifiers(docFindings.filter((f) => !partRules.has(f.rule)))
  const documentScore = scoreOf(document)
  let worst: (typeof judged)[number] | undefined
  for (const j of judged) {
    const best = worst?.got.verdict ?? { verdict: verdictOf(documentScore), score: documentScore }
    if (worseThan(j.got.verdict, best)) worst = j
  }
  const findings = [
    htmlSummary(split),
    ...document.map((f) => (worst ? { ...f, points: 0 } : f)),
    ...judged.flatMap(({ part, got }, i) =>
      got.verdict.findings.map((f) => ({
        ...f,
        ...htmlPosition(part, f.line, f.column),
        message: `${f.message} (${part.label})`,
        points: judged[i] === worst ? f.points : 0,
      })),
    ),
  ]
  const contextFree = judged.every(({ got }) => got.contextFree)
  const out = done(
    hash,
    findings,
    judged.some(({ got }) => got.parsed),
    contextFree,
  )
  const reasons = [...new Set(judged.flatMap(({ got }) => got.verdict.triage ?? []))]
  if (reasons.length > 0) out.verdict.triage = reasons
  return out
}

function htmlSummary(split: HtmlSplit): Finding {
  const count = (kind: string, what: string): string => {
    const n = split.parts.filter((p) => p.kind === kind).length
    return `${n} ${what}${n === 1 ? '' : 's'}`
  }
  const parts = [
    count('script', 'inline script'),
    count('handler', 'event handler'),
    count('url', 'javascript: URL'),
  ]
  let message = `read as HTML: ${parts.join(', ')} judged`
  if (split.skipped > 0) message += `; ${split.skipped} more over the ${MAX_PARTS}-part budget`
  if (split.external.length > 0) {
    const shown = split.external.slice(0, 10).join(', ')
    const more = split.external.length > 10 ? ` and ${split.external.length - 10} more` : ''
    message += `; external scripts not judged here: ${shown}${more}`
  }
  return info('html-input', message)
}

/**
 * What the detector read under a script's surface, outermost first: the file as the partial
 * evaluator rewrote it, and each string it decoded that is code (eval/Function/injected
 * script text). Static, like all of the detector: nothing is run. Empty for HTML, for what
 * does not parse, and for files over the analysis budget.
 */
export function layersOf(source: string): string[] {
  if (source.length > MAX_BYTES || looksLikeHtml(source)) return []
  const parsed = readSource(source)
  if (typeof parsed === 'string') return []
  const facts = emptyFacts(source, sha256(source))
  const layer = { ast: parsed.ast, source, depth: 0, outer: undefined }
  guarded([])('collect', () => collectLayer(layer, facts, { bytesLeft: LAYER_BYTES }), undefined)
  return [...new Set(facts.layers)]
}

/** Apply the allowlist (ctx.allowlist or the built-in one) to an inspected verdict. */
export function finishVerdict(v: ScriptVerdict, ctx: AnalyzeContext): ScriptVerdict {
  const hit = allowlisted(ctx.allowlist ?? defaultAllowlist(), v.sha256, ctx.url)
  return hit ? applyAllowlist(v, hit) : v
}

/** Judge one script (or HTML document) statically (uncached; see createDetector). */
export function analyzeScript(source: string, ctx: DocumentContext = {}): ScriptVerdict {
  const inspected = inspectScript(source, ctx).verdict
  try {
    return finishVerdict(inspected, ctx)
  } catch (err) {
    return { ...inspected, findings: [...inspected.findings, analysisError('allowlist', err)] }
  }
}

/**
 * Page verdict: script verdicts plus what the browser saw leave the page. A script that
 * could not be judged (no verdict, or its analysis failed) keeps the page from being clean.
 */
export function judgePage(capture: PageCapture, verdicts: ScriptVerdict[]): PageVerdict {
  return withUnjudged(capture, verdicts, judge(capture, verdicts))
}

/** One reason per script of the page without a verdict or whose analysis failed. */
export function unjudgedReasons(capture: PageCapture, verdicts: ScriptVerdict[]): string[] {
  const bySha = new Map(verdicts.map((v) => [v.sha256, v]))
  const named = new Map(capture.scripts.map((s) => [s.sha256, scriptName(s)]))
  const reasons: string[] = []
  for (const [sha, name] of named) {
    if (!bySha.has(sha)) reasons.push(`${name} was not judged: no verdict was recorded for it`)
  }
  const seen = new Set<string>()
  for (const v of verdicts) {
    const failed = v.findings.find((f) => f.rule === ANALYSIS_ERROR)
    if (!failed || seen.has(v.sha256)) continue
    seen.add(v.sha256)
    const name = named.get(v.sha256) ?? `script ${v.sha256.slice(0, 12)}`
    reasons.push(`${name} could not be fully analysed (${failed.message})`)
  }
  return reasons
}

/** A page with unjudged scripts is at least suspicious, and says which scripts they are. */
export function withUnjudged(
  capture: PageCapture,
  verdicts: ScriptVerdict[],
  page: PageVerdict,
): PageVerdict {
  const extra = unjudgedReasons(capture, verdicts).filter((r) => !page.reasons.includes(r))
  if (extra.length === 0) return page
  if (page.verdict === 'clean') return { verdict: 'suspicious', reasons: extra }
  return { verdict: page.verdict, reasons: [...page.reasons, ...extra] }
}

import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type * as YaraEngine from '@litko/yara-x'
import type { YaraX } from '@litko/yara-x'
import {
  _default,
  array,
  boolean,
  enum as oneOf,
  gte,
  int,
  lte,
  minLength,
  object,
  optional,
  refine,
  regex as matches,
  strictObject,
  string,
  union,
  type infer as Infer,
} from 'zod/mini'
import '../zod-messages.ts'
import { yaraGate } from './gate.ts'

// The schemas are built on first use: most starts of the CLI only read the shipped file, which
// the test suite validates (test/unit/detector-signatures-shipped.test.ts) instead of each start.
function buildSchemas() {
  const regex = string().check(
    refine(
      (r) => {
        try {
          new RegExp(r)
          return true
        } catch {
          return false
        }
      },
      { message: 'not a valid JavaScript regular expression' },
    ),
  )

  const severity = oneOf(['info', 'low', 'medium', 'high', 'critical'])

  /** One clause of an AST pattern: what the detector's facts must contain somewhere. */
  const clause = union([
    strictObject({
      call: regex,
      object: optional(regex),
      arg: optional(regex),
      isNew: optional(boolean()),
    }),
    strictObject({ assign: regex, object: optional(regex), value: optional(regex) }),
    strictObject({ member: regex, object: optional(regex) }),
    strictObject({ string: regex, decoded: optional(boolean()) }),
    strictObject({
      sink: regex,
      destination: optional(oneOf(['same-origin', 'own-host', 'external', 'unknown'])),
    }),
  ])

  const pattern = strictObject({
    id: string().check(matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are kebab-case')),
    family: string().check(minLength(1)),
    description: string().check(minLength(1)),
    points: _default(int().check(gte(0), lte(100)), 80),
    severity: _default(severity, 'critical'),
    all: optional(array(regex)),
    ast: optional(array(clause).check(minLength(1))),
  }).check(
    refine((p) => (p.all?.length ?? 0) > 0 || (p.ast?.length ?? 0) > 0, {
      message: 'a pattern needs `all` (regexes) or `ast` (clauses)',
    }),
  )

  const iocFile = strictObject({
    version: optional(string()),
    description: optional(string()),
    domains: _default(
      array(
        object({
          domain: string().check(
            matches(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a bare host name like evil.example'),
          ),
          family: _default(string(), 'unknown'),
          reference: optional(string()),
        }),
      ),
      [],
    ),
    sha256: _default(
      array(
        object({
          sha256: string().check(matches(/^[0-9a-fA-F]{64}$/, '64 hex digits')),
          family: _default(string(), 'unknown'),
          reference: optional(string()),
        }),
      ),
      [],
    ),
    patterns: _default(array(pattern), []),
  })
  return { clause, pattern, iocFile }
}
let schemas: ReturnType<typeof buildSchemas> | undefined
const schemasOf = (): ReturnType<typeof buildSchemas> => (schemas ??= buildSchemas())

/** The schema of an IOC file (JSON): domains, hashes and patterns. */
export const iocFileSchema = (): ReturnType<typeof buildSchemas>['iocFile'] => schemasOf().iocFile

type Schemas = ReturnType<typeof buildSchemas>
export type AstClause = Infer<Schemas['clause']>
export type SignaturePattern = Omit<Infer<Schemas['pattern']>, 'all'> & { all: RegExp[] }
type IocData = Infer<Schemas['iocFile']>
export interface Ioc {
  family: string
  reference?: string | undefined
}
/** One compiled scanner over one or more .yar files; `fileOf` names the file of each rule. */
export interface YaraFile {
  name: string
  /** compiled on first use when the set was compiled lazily */
  readonly scanner: YaraX
  fileOf?: Map<string, string>
  /**
   * false when the text needs no scan: before a lazy set's first compile, when no rule can
   * match it (gate.ts); once compiled, always true (scanning is cheaper than the gate)
   */
  needs(text: string): boolean
}
/** A file that could not be used, with the compiler's or validator's own words. */
export interface SignatureError {
  file: string
  line?: number
  message: string
}

/** Compiled, ready-to-scan signatures: pass as `ctx.signatures`. Holds native scanners. */
export interface SignatureSet {
  /** hash of every input text: part of the verdict cache key */
  version: string
  yara: YaraFile[]
  /** identifiers of every YARA rule, for the meta-test and reports */
  yaraRules: string[]
  domains: Map<string, Ioc>
  hashes: Map<string, Ioc>
  patterns: SignaturePattern[]
  errors: SignatureError[]
}

export interface SignatureInput {
  yara: { name: string; source: string }[]
  /** parsed JSON files; `name` is optional context for error messages */
  json: unknown[]
  jsonNames?: string[]
}

/**
 * Compile YARA texts and validate JSON IOC files; a broken file is reported, never thrown.
 * `lazy` leaves YARA compiling to the first text a rule could match (about 0.1 s saved for
 * runs where none can; gate.ts decides): only for texts known to compile, as a compile error
 * then surfaces as the scan's error finding instead of in `errors`.
 */
export function compileSignatures(
  input: SignatureInput,
  options: { lazy?: boolean } = {},
): SignatureSet {
  const hash = createHash('sha256')
  const set: SignatureSet = {
    version: '',
    yara: [],
    yaraRules: [],
    domains: new Map(),
    hashes: new Map(),
    patterns: [],
    errors: [],
  }
  for (const file of input.yara) hash.update(`yara\0${file.name}\0${file.source}\0`)
  compileYara(input.yara, set, options.lazy === true)
  input.json.forEach((raw, i) => {
    const name = input.jsonNames?.[i] ?? `json[${i}]`
    hash.update(`json\0${name}\0${JSON.stringify(raw)}\0`)
    const data = validIocFile(raw, name, set.errors)
    if (!data) return
    for (const d of data.domains)
      set.domains.set(d.domain.toLowerCase(), { family: d.family, reference: d.reference })
    for (const h of data.sha256)
      set.hashes.set(h.sha256.toLowerCase(), { family: h.family, reference: h.reference })
    for (const p of data.patterns)
      set.patterns.push({ ...p, all: (p.all ?? []).map((r) => new RegExp(r)) })
  })
  set.version = hash.digest('hex').slice(0, 16)
  return set
}

const SHIPPED = new WeakSet<object>()

/**
 * Marks an IOC file that ships with the code as valid as it stands (every default written
 * out): compiling it then skips the schema. The test suite holds it to that.
 */
export function shippedIocFile<T extends object>(raw: T): T {
  SHIPPED.add(raw)
  return raw
}

function validIocFile(raw: unknown, name: string, errors: SignatureError[]): IocData | undefined {
  if (typeof raw === 'object' && raw !== null && SHIPPED.has(raw)) return raw as IocData
  const parsed = iocFileSchema().safeParse(raw)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  errors.push({
    file: name,
    message: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
  })
  return undefined
}

// Every file in one compiler run: YARA-X pays a fixed cost per compile (tens of ms for the
// shipped set when compiled file by file) and scans once instead of once per file. Only when
// the whole set fails is each file compiled alone, to say which file is broken.
function compileYara(files: SignatureInput['yara'], set: SignatureSet, lazy: boolean): void {
  if (files.length === 0) return
  const fileOf = new Map<string, string>()
  for (const f of files) for (const rule of ruleNames(f.source)) fileOf.set(rule, f.name)
  // a global rule gates every rule compiled with it, so files that have one stay apart
  const separable = files.every((f) => !/\bglobal\s+(?:private\s+)?rule\b/.test(f.source))
  const unique = fileOf.size === files.flatMap((f) => ruleNames(f.source)).length
  if (files.length > 1 && separable && unique) {
    try {
      const source = files.map((f) => f.source).join('\n')
      set.yara.push(yaraFile(files.map((f) => f.name).join(', '), source, lazy, fileOf))
      set.yaraRules.push(...fileOf.keys())
      return
    } catch {
      // fall through: find the broken file(s)
    }
  }
  for (const file of files) {
    try {
      set.yara.push(yaraFile(file.name, file.source, lazy))
      set.yaraRules.push(...ruleNames(file.source))
    } catch (err) {
      const message = (err as Error).message
      const line = /--> line:(\d+):\d+/.exec(message)?.[1]
      set.errors.push({
        file: file.name,
        ...(line ? { line: Number(line) } : {}),
        message: message.split('\n')[0] ?? message,
      })
    }
  }
}

// The native engine loads on first compile: a run whose texts no rule can match never loads it.
const requireHere = createRequire(import.meta.url)
let engine: typeof YaraEngine | undefined
const compile = (source: string): YaraX =>
  (engine ??= requireHere('@litko/yara-x') as typeof YaraEngine).compile(source)

function yaraFile(
  name: string,
  source: string,
  lazy: boolean,
  fileOf?: Map<string, string>,
): YaraFile {
  const about = { name, ...(fileOf ? { fileOf } : {}) }
  if (!lazy) {
    const scanner = compile(source)
    return { ...about, scanner, needs: () => true }
  }
  const gate = yaraGate(source)
  let scanner: YaraX | undefined
  return {
    ...about,
    get scanner() {
      return (scanner ??= compile(source))
    },
    needs: (text) => gate === undefined || gate.mayMatch(text),
  }
}

// YARA-X exposes no rule listing, so names are read from the text (comments stripped).
function ruleNames(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
  return [...text.matchAll(/^\s*(?:(?:private|global)\s+)*rule\s+([A-Za-z_]\w*)/gm)].map(
    (m) => m[1] ?? '',
  )
}

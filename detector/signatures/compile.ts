import { createHash } from 'node:crypto'
import { compile, type YaraX } from '@litko/yara-x'
import { z } from 'zod'

const regex = z.string().refine(
  (r) => {
    try {
      new RegExp(r)
      return true
    } catch {
      return false
    }
  },
  { message: 'not a valid JavaScript regular expression' },
)

const severity = z.enum(['info', 'low', 'medium', 'high', 'critical'])

/** One clause of an AST pattern: what the detector's facts must contain somewhere. */
const clause = z.union([
  z
    .object({
      call: regex,
      object: regex.optional(),
      arg: regex.optional(),
      isNew: z.boolean().optional(),
    })
    .strict(),
  z.object({ assign: regex, object: regex.optional(), value: regex.optional() }).strict(),
  z.object({ member: regex, object: regex.optional() }).strict(),
  z.object({ string: regex, decoded: z.boolean().optional() }).strict(),
  z
    .object({
      sink: regex,
      destination: z.enum(['same-origin', 'own-host', 'external', 'unknown']).optional(),
    })
    .strict(),
])

const pattern = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'ids are kebab-case'),
    family: z.string().min(1),
    description: z.string().min(1),
    points: z.number().int().min(0).max(100).default(80),
    severity: severity.default('critical'),
    all: z.array(regex).optional(),
    ast: z.array(clause).min(1).optional(),
  })
  .strict()
  .refine((p) => (p.all?.length ?? 0) > 0 || (p.ast?.length ?? 0) > 0, {
    message: 'a pattern needs `all` (regexes) or `ast` (clauses)',
  })

const iocFile = z
  .object({
    version: z.string().optional(),
    description: z.string().optional(),
    domains: z
      .array(
        z.object({
          domain: z
            .string()
            .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a bare host name like evil.example'),
          family: z.string().default('unknown'),
          reference: z.string().optional(),
        }),
      )
      .default([]),
    sha256: z
      .array(
        z.object({
          sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits'),
          family: z.string().default('unknown'),
          reference: z.string().optional(),
        }),
      )
      .default([]),
    patterns: z.array(pattern).default([]),
  })
  .strict()

export type AstClause = z.infer<typeof clause>
export type SignaturePattern = Omit<z.infer<typeof pattern>, 'all'> & { all: RegExp[] }
export interface Ioc {
  family: string
  reference?: string | undefined
}
export interface YaraFile {
  name: string
  scanner: YaraX
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

/** Compile YARA texts and validate JSON IOC files; a broken file is reported, never thrown. */
export function compileSignatures(input: SignatureInput): SignatureSet {
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
  for (const file of input.yara) {
    hash.update(`yara\0${file.name}\0${file.source}\0`)
    try {
      const scanner = compile(file.source)
      set.yara.push({ name: file.name, scanner })
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
  input.json.forEach((raw, i) => {
    const name = input.jsonNames?.[i] ?? `json[${i}]`
    hash.update(`json\0${name}\0${JSON.stringify(raw)}\0`)
    const parsed = iocFile.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      set.errors.push({
        file: name,
        message: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      })
      return
    }
    for (const d of parsed.data.domains)
      set.domains.set(d.domain.toLowerCase(), { family: d.family, reference: d.reference })
    for (const h of parsed.data.sha256)
      set.hashes.set(h.sha256.toLowerCase(), { family: h.family, reference: h.reference })
    for (const p of parsed.data.patterns)
      set.patterns.push({ ...p, all: (p.all ?? []).map((r) => new RegExp(r)) })
  })
  set.version = hash.digest('hex').slice(0, 16)
  return set
}

// YARA-X exposes no rule listing, so names are read from the text (comments stripped).
function ruleNames(source: string): string[] {
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
  return [...text.matchAll(/^\s*(?:(?:private|global)\s+)*rule\s+([A-Za-z_]\w*)/gm)].map(
    (m) => m[1] ?? '',
  )
}

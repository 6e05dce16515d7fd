// Whether any rule of a YARA file can match a text, decided without the YARA engine: each
// string's necessary literal (a text string itself, the longest fixed run of a regex or hex
// string) is looked up in the text, and each condition is read in three-valued logic where a
// string whose literal is absent is false and everything else is unknown. "No" is certain;
// "maybe" means scan. Starting the engine costs about 0.1 s, so a file no rule can match
// never starts it. What this reader does not understand makes its rule (or file) "maybe".

type Tri = boolean | undefined

/** Alternatives, one of which must occur for the string to match; undefined: anything may. */
interface Need {
  literals: string[] | undefined
  nocase: boolean
}

interface Rule {
  strings: Map<string, Need>
  condition: Expr
}

type Token = { kind: 'word' | 'var' | 'count' | 'num' | 'op'; text: string }

export interface YaraGate {
  mayMatch(text: string): boolean
}

class Unreadable extends Error {}

/** A gate for one YARA source, or undefined when the source uses what the reader cannot follow. */
export function yaraGate(source: string): YaraGate | undefined {
  try {
    const rules = readRules(source)
    if (rules.length === 0) return undefined
    return {
      mayMatch(text) {
        return rules.some((rule) => {
          const seen = new Map<string, boolean>()
          const maybe = (name: string): boolean => {
            let found = seen.get(name)
            if (found === undefined) {
              const need = rule.strings.get(name)
              found = !need?.literals || need.literals.some((l) => contains(text, l, need.nocase))
              seen.set(name, found)
            }
            return found
          }
          return evaluate(rule.condition, maybe) !== false
        })
      },
    }
  } catch (err) {
    if (err instanceof Unreadable) return undefined
    throw err
  }
}

// Every rule of every YARA file's gate asks about the same text in turn, many of them about the
// same literals: the text is lower-cased once, and each literal is looked for once.
let lastText: string | undefined
let lastLower: string | undefined
const found = new Map<string, boolean>()

function contains(text: string, literal: string, nocase: boolean): boolean {
  if (text !== lastText) {
    lastText = text
    lastLower = undefined
    found.clear()
  }
  const key = nocase ? `i${literal}` : `s${literal}`
  let hit = found.get(key)
  if (hit === undefined) {
    hit = (nocase ? (lastLower ??= text.toLowerCase()) : text).includes(literal)
    found.set(key, hit)
  }
  return hit
}

// ---- reading the file ----

function readRules(source: string): Rule[] {
  const text = stripComments(source)
  if (/^\s*(import|include)\b/m.test(text)) throw new Unreadable()
  const rules: Rule[] = []
  const head = /\brule\s+[A-Za-z_]\w*\s*(?::[\w\s]*)?\{/g
  for (let m = head.exec(text); m; m = head.exec(text)) {
    const end = closingBrace(text, m.index + m[0].length)
    rules.push(readRule(text.slice(m.index + m[0].length, end)))
    head.lastIndex = end + 1
  }
  return rules
}

// Comments go; strings, regexes and hex strings are kept whole.
function stripComments(s: string): string {
  let out = ''
  // the last character kept that is not white space: a `/` after `=` opens a regex
  let last = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2)
      if (end < 0) throw new Unreadable()
      out += ' '
      i = end + 1
    } else if (c === '/' && s[i + 1] === '/') {
      const end = s.indexOf('\n', i)
      i = end < 0 ? s.length : end - 1
    } else if (c === '"' || (c === '/' && last === '=')) {
      const end = literalEnd(s, i, c)
      out += s.slice(i, end)
      last = c
      i = end - 1
    } else {
      out += c
      if (!/\s/.test(c)) last = c
    }
  }
  return out
}

/** Index just past a "…" string or a /…/ regex starting at `i`. */
function literalEnd(s: string, i: number, quote: string): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++
    else if (s[j] === quote) return j + 1
    else if (s[j] === '\n') break
  }
  throw new Unreadable()
}

function closingBrace(s: string, from: number): number {
  let depth = 1
  for (let i = from; i < s.length; i++) {
    const c = s[i]
    if (c === '"' || (c === '/' && /[=]\s*$/.test(s.slice(Math.max(0, i - 20), i)))) {
      i = literalEnd(s, i, c) - 1
    } else if (c === '{') depth++
    else if (c === '}' && --depth === 0) return i
  }
  throw new Unreadable()
}

function readRule(body: string): Rule {
  const at = (name: string): number => body.search(new RegExp(`(^|\\s)${name}\\s*:`))
  const stringsAt = at('strings')
  const conditionAt = at('condition')
  if (conditionAt < 0) throw new Unreadable()
  const strings = new Map<string, Need>()
  if (stringsAt >= 0 && stringsAt < conditionAt) {
    const section = body.slice(body.indexOf(':', stringsAt) + 1, conditionAt)
    const decl = /\$(\w*)\s*=\s*/g
    for (let m = decl.exec(section); m; m = decl.exec(section)) {
      const start = m.index + m[0].length
      const { need, end } = readString(section, start)
      strings.set(m[1] ?? '', need)
      decl.lastIndex = end
    }
  }
  const condition = parseCondition(
    tokenize(body.slice(body.indexOf(':', conditionAt) + 1)),
    strings,
  )
  return { strings, condition }
}

function readString(s: string, start: number): { need: Need; end: number } {
  const c = s[start]
  let end: number
  let literals: string[] | undefined
  let nocase = false
  if (c === '"') {
    end = literalEnd(s, start, '"')
    const value = unescapeText(s.slice(start + 1, end - 1))
    literals = value === undefined || value === '' ? undefined : [value]
  } else if (c === '/') {
    end = literalEnd(s, start, '/')
    const flags = /^[is]*/.exec(s.slice(end))?.[0] ?? ''
    nocase = flags.includes('i')
    literals = regexNeed(s.slice(start + 1, end - 1))
    end += flags.length
  } else if (c === '{') {
    end = s.indexOf('}', start) + 1
    if (end === 0) throw new Unreadable()
    literals = hexNeed(s.slice(start + 1, end - 1))
  } else throw new Unreadable()
  const modifiers =
    /^[ \t]*((?:(?:nocase|ascii|wide|fullword|private|xor|base64|base64wide)(?:\([^)]*\))?[ \t]*)*)/.exec(
      s.slice(end),
    )?.[1] ?? ''
  if (/\bnocase\b/.test(modifiers)) nocase = true
  // wide, xor and base64 strings are not their literal in the text
  if (/\b(wide|xor|base64|base64wide)\b/.test(modifiers)) literals = undefined
  if (nocase && literals) literals = literals.map((l) => l.toLowerCase())
  return { need: { literals, nocase }, end: end + modifiers.length }
}

// Only ASCII literals are looked up: YARA sees bytes, the gate sees UTF-16 text.
const ascii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s)

function unescapeText(s: string): string | undefined {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i]
      continue
    }
    const e = s[++i]
    if (e === 'n') out += '\n'
    else if (e === 't') out += '\t'
    else if (e === 'r') out += '\r'
    else if (e === '"' || e === '\\') out += e
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
    } else return undefined
  }
  return ascii(out) ? out : undefined
}

/** The longest run of characters every match of a regex must contain, as one alternative. */
function regexNeed(re: string): string[] | undefined {
  const runs: string[] = []
  let run = ''
  const cut = (): void => {
    if (run) runs.push(run)
    run = ''
  }
  let depth = 0
  for (let i = 0; i < re.length; i++) {
    const c = re[i] as string
    let char: string | undefined // a literal character, or undefined for anything else
    if (c === '\\') {
      const e = re[++i] ?? ''
      if (/[^A-Za-z0-9]/.test(e)) char = e
      else if (e === 'n') char = '\n'
      else if (e === 't') char = '\t'
      else if (e === 'r') char = '\r'
      else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(re.slice(i + 1, i + 3))) {
        char = String.fromCharCode(parseInt(re.slice(i + 1, i + 3), 16))
        i += 2
      }
    } else if (c === '[') {
      i = classEnd(re, i)
    } else if (c === '(') {
      depth = 1
      for (i++; i < re.length && depth > 0; i++) {
        if (re[i] === '\\') i++
        else if (re[i] === '[') i = classEnd(re, i)
        else if (re[i] === '(') depth++
        else if (re[i] === ')') depth--
      }
      i--
    } else if (c === '|') return undefined
    else if (!'.^$)'.includes(c)) char = c
    // a quantifier after the item: optional items leave the run, repeated ones end it
    const q = /^(?:[?*+]|\{(\d*)(?:,\d*)?\})\??/.exec(re.slice(i + 1))
    const optional = q !== null && (q[0][0] === '?' || q[0][0] === '*' || Number(q[1] || 0) === 0)
    if (char !== undefined && !optional) run += char
    if (char === undefined || q) cut()
    if (q) i += q[0].length
  }
  cut()
  const best = runs.filter(ascii).sort((a, b) => b.length - a.length)[0]
  return best ? [best] : undefined
}

function classEnd(re: string, open: number): number {
  let i = open + 1
  if (re[i] === '^') i++
  if (re[i] === ']') i++
  for (; i < re.length; i++) {
    if (re[i] === '\\') i++
    else if (re[i] === ']') return i
  }
  throw new Unreadable()
}

/** The longest run of fixed bytes of a hex string, when they are ASCII. */
function hexNeed(hex: string): string[] | undefined {
  const runs: string[] = []
  let run = ''
  const tokens = hex.match(/[0-9A-Fa-f?~]{2,3}|\[[^\]]*\]|[()|]/g) ?? []
  let depth = 0
  for (const t of tokens) {
    if (t === '(') depth++
    else if (t === ')') depth--
    if (depth === 0 && /^[0-9A-Fa-f]{2}$/.test(t)) run += String.fromCharCode(parseInt(t, 16))
    else {
      if (run) runs.push(run)
      run = ''
    }
  }
  if (run) runs.push(run)
  const best = runs.filter(ascii).sort((a, b) => b.length - a.length)[0]
  return best ? [best] : undefined
}

function tokenize(s: string): Token[] {
  const out: Token[] = []
  const re =
    /\s*(?:(\$\w*\*?)|(#\w*)|([@!]\w*)|(0x[0-9a-fA-F]+|\d+(?:KB|MB)?)|([A-Za-z_][\w.]*)|(==|!=|<=|>=|[<>(),%\[\]]|\.\.))/gy
  let m: RegExpExecArray | null
  let at = 0
  while (at < s.trimEnd().length && (m = re.exec(s))) {
    at = re.lastIndex
    if (m[1]) out.push({ kind: 'var', text: m[1] })
    else if (m[2]) out.push({ kind: 'count', text: m[2] })
    else if (m[3])
      throw new Unreadable() // offsets and lengths
    else if (m[4]) out.push({ kind: 'num', text: m[4] })
    else if (m[5]) out.push({ kind: 'word', text: m[5] })
    else if (m[6]) out.push({ kind: 'op', text: m[6] })
  }
  if (at < s.trimEnd().length) throw new Unreadable()
  return out
}

// ---- reading a condition ----

type Num = { k: 'num'; v: number } | { k: 'count'; name: string } | { k: 'unknown' }
type Expr =
  | { k: 'const'; v: boolean }
  | { k: 'str'; name: string }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'not'; a: Expr }
  | { k: 'cmp'; op: string; a: Num; b: Num }
  | { k: 'of'; need: number | 'none'; names: string[] }

const NUMBER = (t: string): number =>
  t.endsWith('KB')
    ? Number(t.slice(0, -2)) * 1024
    : t.endsWith('MB')
      ? Number(t.slice(0, -2)) * 1024 * 1024
      : Number(t)

/** The condition as a tree; what it does not know (modules, rule references, `for`…) throws. */
function parseCondition(toks: Token[], strings: Map<string, Need>): Expr {
  let i = 0
  const peek = (): string | undefined => toks[i]?.text
  const eat = (text: string): void => {
    if (toks[i]?.text !== text) throw new Unreadable()
    i++
  }
  const names = (pattern: string): string[] => {
    const all = [...strings.keys()]
    if (pattern === 'them') return all
    const base = pattern.slice(1)
    const out = base.endsWith('*') ? all.filter((n) => n.startsWith(base.slice(0, -1))) : [base]
    if (out.length === 0 || out.some((n) => !strings.has(n))) throw new Unreadable()
    return out
  }
  const set = (): string[] => {
    if (peek() === 'them') {
      i++
      return names('them')
    }
    eat('(')
    const out: string[] = []
    for (;;) {
      const t = toks[i++]
      if (t?.kind !== 'var') throw new Unreadable()
      out.push(...names(t.text))
      if (peek() === ')') break
      eat(',')
    }
    eat(')')
    return out
  }
  const binary = (k: 'and' | 'or', next: () => Expr): Expr => {
    let e = next()
    while (peek() === k) {
      i++
      e = { k, a: e, b: next() }
    }
    return e
  }
  const or = (): Expr => binary('or', and)
  const and = (): Expr => binary('and', not)
  const not = (): Expr => {
    if (peek() !== 'not') return comparison()
    i++
    return { k: 'not', a: not() }
  }
  const number = (): Num => {
    const t = toks[i++]
    if (t?.kind === 'num') return { k: 'num', v: NUMBER(t.text) }
    if (t?.kind === 'count') return { k: 'count', name: names(`$${t.text.slice(1)}`)[0] ?? '' }
    if (t?.text === 'filesize') return { k: 'unknown' }
    throw new Unreadable()
  }
  const quantified = (): Expr => {
    const q = toks[i++]?.text ?? ''
    const percent = peek() === '%'
    if (percent) i++
    eat('of')
    const members = set()
    if (peek() === 'at' || peek() === 'in') throw new Unreadable()
    const need =
      q === 'none'
        ? 'none'
        : q === 'any'
          ? 1
          : q === 'all'
            ? members.length
            : percent
              ? Math.ceil((NUMBER(q) * members.length) / 100)
              : NUMBER(q)
    if (need !== 'none' && !Number.isFinite(need)) throw new Unreadable()
    return { k: 'of', need, names: members }
  }
  const comparison = (): Expr => {
    const t = toks[i]
    const next = toks[i + 1]?.text ?? ''
    if (t?.kind === 'num' && (next === 'of' || next === '%')) return quantified()
    if (t?.kind === 'count' || t?.kind === 'num' || t?.text === 'filesize') {
      const a = number()
      const op = toks[i++]?.text ?? ''
      if (!['<', '<=', '>', '>=', '==', '!='].includes(op)) throw new Unreadable()
      return { k: 'cmp', op, a, b: number() }
    }
    return primary()
  }
  const primary = (): Expr => {
    const t = toks[i]
    if (!t) throw new Unreadable()
    if (t.text === '(') {
      i++
      const e = or()
      eat(')')
      return e
    }
    if (t.text === 'true' || t.text === 'false') {
      i++
      return { k: 'const', v: t.text === 'true' }
    }
    if (t.text === 'any' || t.text === 'all' || t.text === 'none') return quantified()
    if (t.kind === 'var' && !t.text.endsWith('*')) {
      i++
      if (peek() === 'at' || peek() === 'in') throw new Unreadable()
      return { k: 'str', name: names(t.text)[0] ?? '' }
    }
    throw new Unreadable() // rule references, modules, functions, for-loops…
  }
  const e = or()
  if (i !== toks.length) throw new Unreadable()
  return e
}

/** false when the rule cannot match; true or undefined (unknown) otherwise. Short-circuits. */
function evaluate(e: Expr, maybe: (name: string) => boolean): Tri {
  switch (e.k) {
    case 'const':
      return e.v
    case 'str':
      return maybe(e.name) ? undefined : false
    case 'and': {
      const a = evaluate(e.a, maybe)
      if (a === false) return false
      const b = evaluate(e.b, maybe)
      return b === false ? false : a === true && b === true ? true : undefined
    }
    case 'or': {
      const a = evaluate(e.a, maybe)
      if (a === true) return true
      const b = evaluate(e.b, maybe)
      return b === true ? true : a === false && b === false ? false : undefined
    }
    case 'not': {
      const a = evaluate(e.a, maybe)
      return a === undefined ? undefined : !a
    }
    case 'cmp': {
      const value = (n: Num): number | undefined =>
        n.k === 'num' ? n.v : n.k === 'count' && !maybe(n.name) ? 0 : undefined
      const a = value(e.a)
      const b = value(e.b)
      if (a === undefined || b === undefined) return undefined
      const op = e.op
      return op === '<'
        ? a < b
        : op === '<='
          ? a <= b
          : op === '>'
            ? a > b
            : op === '>='
              ? a >= b
              : op === '=='
                ? a === b
                : a !== b
    }
    case 'of': {
      // counted until the answer is known
      let possible = 0
      for (const n of e.names) if (maybe(n)) possible++
      if (e.need === 'none') return possible === 0 ? true : undefined
      if (e.need === 0) return true
      return possible < e.need ? false : undefined
    }
  }
}

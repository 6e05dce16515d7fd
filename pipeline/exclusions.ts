// The operators' exclusion list: one file of domains never to visit (a domain covers its
// subdomains). Workers, `run` and the review app all read and edit it through this module.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface ExclusionLineError {
  line: number
  text: string
  reason: string
}

export interface ExclusionList {
  domains: string[]
  errors: ExclusionLineError[]
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9][a-z0-9-]{0,62}$/

/** The domain a line names ('' for blank and comment lines), or why it names none. */
function exclusionLine(raw: string): { domain: string } | { reason: string } {
  const line = raw.replace(/#.*/, '').trim().toLowerCase()
  if (line === '') return { domain: '' }
  if (/\s/.test(line)) return { reason: 'contains spaces (one domain per line)' }
  if (line.includes('/') || line.includes(':'))
    return { reason: 'give the domain alone, without a scheme, port or path' }
  const domain = line.replace(/^\*\./, '').replace(/\.$/, '')
  return HOST.test(domain) ? { domain } : { reason: `"${domain}" is not a domain name` }
}

/** Reads a list: good lines become domains (deduplicated), bad ones are reported by line number. */
export function parseExclusionList(text: string): ExclusionList {
  const domains = new Set<string>()
  const errors: ExclusionLineError[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const parsed = exclusionLine(raw)
    if ('reason' in parsed)
      errors.push({ line: i + 1, text: raw.trim().slice(0, 120), reason: parsed.reason })
    else if (parsed.domain) domains.add(parsed.domain)
  })
  return { domains: [...domains], errors }
}

/** The domains of a list; a bad line excludes nothing. */
export const parseExclusions = (text: string): string[] => parseExclusionList(text).domains

export function excludedBy(url: string, exclusions: string[]): string | null {
  const host = new URL(url).hostname.toLowerCase()
  return exclusions.find((d) => host === d || host.endsWith(`.${d}`)) ?? null
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw err
  }
}

export const readExclusionList = async (file: string): Promise<ExclusionList> =>
  parseExclusionList(await readText(file))

/**
 * The current domains for each crawl: the file is parsed again only when it changed, so an
 * exclusion added while workers run holds from their next job on.
 */
export function exclusionsReader(file: string): () => Promise<string[]> {
  let seen: { ino: number; mtimeMs: number; size: number; domains: string[] } | null = null
  return async () => {
    const st = await stat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null
      throw err
    })
    if (!st) return []
    // an edit replaces the file (new inode); an editor may also write it in place
    if (seen?.ino === st.ino && seen.mtimeMs === st.mtimeMs && seen.size === st.size)
      return seen.domains
    const domains = parseExclusions(await readText(file))
    seen = { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, domains }
    return domains
  }
}

/** Replaces the file in one step: a reader sees the old list or the new one, never half. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  // the new file keeps the old one's permissions
  const mode = (await stat(file).catch(() => null))?.mode ?? 0o644
  try {
    await writeFile(tmp, text, { mode: mode & 0o777 })
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch(() => undefined)
    throw err
  }
}

// edits in this process one after another, so two quick edits never drop each other's line
let editing: Promise<unknown> = Promise.resolve()
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const next = editing.then(fn, fn)
  editing = next.catch(() => undefined)
  return next
}

export interface ExclusionsAdded {
  added: string[]
  known: string[]
  errors: ExclusionLineError[]
}

/** Appends the good lines of `text` that are not listed yet; bad lines are reported, not written. */
export function addExclusions(file: string, text: string): Promise<ExclusionsAdded> {
  return serially(async () => {
    const { domains, errors } = parseExclusionList(text)
    const current = await readText(file)
    const listed = new Set(parseExclusions(current))
    const added = domains.filter((d) => !listed.has(d))
    if (added.length > 0) {
      const sep = current === '' || current.endsWith('\n') ? '' : '\n'
      await writeAtomically(file, `${current}${sep}${added.join('\n')}\n`)
    }
    return { added, known: domains.filter((d) => listed.has(d)), errors }
  })
}

/** Drops every line naming `domain` (comments and other lines stay); false when none did. */
export function removeExclusion(file: string, domain: string): Promise<boolean> {
  return serially(async () => {
    const target = domain.trim().toLowerCase()
    const lines = (await readText(file)).split(/\r?\n/)
    const kept = lines.filter((raw) => {
      const parsed = exclusionLine(raw)
      return !('domain' in parsed) || parsed.domain !== target
    })
    if (kept.length === lines.length) return false
    await writeAtomically(file, kept.join('\n'))
    return true
  })
}

/** The list as the review app shows and edits it: one file, this module's parser. */
export function exclusionsEditor(file: string) {
  return {
    list: async () => ({ file, ...(await readExclusionList(file)) }),
    add: (text: string) => addExclusions(file, text),
    remove: (domain: string) => removeExclusion(file, domain),
  }
}

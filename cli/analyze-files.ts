// Reading and statically judging one file for `analyze`: shared by the command (one file, or
// no worker) and by its worker threads (many files on several cores).
import { readFile, stat } from 'node:fs/promises'
import { UnreadableInputError } from '../core/errors.ts'
import type { ScriptVerdict } from '../core/types.ts'
import { looksLikeHtml, type Detector } from '../detector/index.ts'

/** Files larger than this are not read: the detector's own budget is far smaller. */
const READ_LIMIT = 64 * 1024 * 1024
const HTML_NAME = /\.x?html?$/i

/** A file's static verdict; `source` is kept only when the chamber may still need it. */
export type Judged =
  | { file: string; verdict: ScriptVerdict; source?: string; html?: boolean }
  | { file: string; error: string }

/** Read and judge `file` statically; `keepSource` keeps the text of scripts worth detonating. */
export async function judgeFile(
  detector: Detector,
  file: string,
  keepSource: boolean,
): Promise<Judged> {
  let source: string
  try {
    source = await readInput(file)
  } catch (err) {
    return { file, error: (err as Error).message }
  }
  try {
    const named = HTML_NAME.test(file)
    const verdict = detector.analyze(source, { url: null, html: named })
    const html = named || looksLikeHtml(source)
    const detonate =
      keepSource && verdict.verdict !== 'malicious' && (verdict.triage?.length ?? 0) > 0
    if (!detonate) return { file, verdict }
    return html ? { file, verdict, source, html } : { file, verdict, source }
  } catch (err) {
    return { file, error: `cannot judge ${file}: ${(err as Error).message}` }
  }
}

async function readInput(file: string): Promise<string> {
  try {
    const info = await stat(file)
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' })
    if (info.size > READ_LIMIT) {
      const mb = (n: number): string => `${Math.round(n / 1024 / 1024)} MB`
      throw new UnreadableInputError(
        `cannot read ${file}: it is ${mb(info.size)}, more than the ${mb(READ_LIMIT)} analyze reads`,
      )
    }
    // pipes and devices report no size: read them as they come
    return (await readFile(file)).toString('utf8')
  } catch (err) {
    if (err instanceof UnreadableInputError) throw err
    throw new UnreadableInputError(`cannot read ${file}: ${describeIoError(err)}`)
  }
}

const IO_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
}

function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  const text = (code && IO_ERRORS[code]) ?? (err as Error).message
  return code ? `${text} (${code})` : text
}

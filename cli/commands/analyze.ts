// skimwatch analyze <file…>: judge script files and HTML pages without running them.
import { readFile, stat } from 'node:fs/promises'
import { UnreadableInputError } from '../../core/errors.ts'
import { EXIT } from '../../core/types.ts'
import { analysisError, looksLikeHtml, type Detector } from '../../detector/index.ts'
import { toFindingRecord, type FindingRecord } from '../../pipeline/page-record.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'
import { createDetonator, fileObservations, type Detonator } from '../detonation.ts'

/** Files larger than this are not read: the detector's own budget is far smaller. */
const READ_LIMIT = 64 * 1024 * 1024
const HTML_NAME = /\.x?html?$/i

type Line =
  | { file: string; sha256: string; verdict: string; score: number; findings: FindingRecord[] }
  | { file: string; error: string }

export async function analyzeCommand(
  ctx: Context,
  files: string[],
  opts: { json?: boolean; static?: boolean },
): Promise<number> {
  const detector = await ctx.detector()
  const detonator = opts.static
    ? undefined
    : createDetonator(fileObservations(ctx.config.home), ctx.config.chromiumPath)
  let errors = 0
  let flagged = 0
  const rows: string[][] = []
  // one file that cannot be read or judged never stops the others
  for (const file of files) {
    const line = await analyzeFile(detector, file, detonator)
    if ('error' in line) errors++
    else if (line.verdict !== 'clean') flagged++
    if (opts.json) {
      printJson(line)
      if ('error' in line) process.stderr.write(`skimwatch: ${line.error}\n`)
    } else rows.push(...tableRows(line))
  }
  await detonator?.close()
  if (!opts.json && rows.length > 0) printTable(rows, ['VERDICT', 'SCORE', 'FILE'])
  return errors > 0 ? EXIT.error : flagged > 0 ? EXIT.flagged : EXIT.clean
}

async function analyzeFile(
  detector: Detector,
  file: string,
  detonator: Detonator | undefined,
): Promise<Line> {
  let source: string
  try {
    source = await readInput(file)
  } catch (err) {
    return { file, error: (err as Error).message }
  }
  try {
    const named = HTML_NAME.test(file)
    let v = detector.analyze(source, { url: null, html: named })
    const html = named || looksLikeHtml(source)
    if (detonator && !html && v.verdict !== 'malicious' && (v.triage?.length ?? 0) > 0) {
      // a chamber that fails leaves the static verdict standing, with the failure beside it
      const judged = v
      v = await detonator.judge(source, judged, detector).catch((err: unknown) => ({
        ...judged,
        findings: [...judged.findings, analysisError('detonation', err)],
      }))
    }
    const findings = v.findings.map(toFindingRecord)
    return { file, sha256: v.sha256, verdict: v.verdict, score: v.score, findings }
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

function tableRows(line: Line): string[][] {
  if ('error' in line)
    return [
      ['error', '-', line.file],
      ['', '', `  ${line.error}`],
    ]
  return [
    [line.verdict, String(line.score), line.file],
    ...line.findings.map((f) => [
      '',
      '',
      `  ${f.line}:${f.column} ${f.rule} (${f.severity}) ${f.message}`,
    ]),
  ]
}

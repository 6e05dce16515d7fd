// skimwatch analyze <file…>: judge script files and HTML pages without running them.
import { EXIT } from '../../core/types.ts'
import { analysisError, type Detector } from '../../detector/index.ts'
import { toFindingRecord, type FindingRecord } from '../../pipeline/page-record.ts'
import { judgeFile, type Judged } from '../analyze-files.ts'
import { createJudgePool, threadCount } from '../analyze-pool.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'
import { createDetonator, fileObservations, type Detonator } from '../detonation.ts'

type Line =
  | { file: string; sha256: string; verdict: string; score: number; findings: FindingRecord[] }
  | { file: string; error: string }

export async function analyzeCommand(
  ctx: Context,
  files: string[],
  opts: { json?: boolean; static?: boolean },
): Promise<number> {
  const keepSource = !opts.static
  const threads = threadCount(files, ctx.config.analyzeThreads)
  // the main thread judges only without threads, and detonates only with the chamber on
  const detector = threads === 1 || keepSource ? await ctx.detector() : undefined
  const pool =
    threads > 1
      ? createJudgePool({
          files,
          threads,
          signaturesDir: ctx.config.signaturesDir,
          keepSource,
          ...(detector ? {} : { warn: (m: string) => process.stderr.write(`skimwatch: ${m}\n`) }),
        })
      : undefined
  const detonator = opts.static
    ? undefined
    : createDetonator(fileObservations(ctx.config.home), ctx.config.chromiumPath)
  let errors = 0
  let flagged = 0
  const rows: string[][] = []
  // files are judged a few ahead of the one printed: lines come out in the order given
  const ahead: Promise<Judged>[] = []
  let next = 0
  const submit = (): void => {
    const file = files[next++]
    if (file === undefined) return
    ahead.push(pool ? pool.judge(file) : judgeFile(detector as Detector, file, keepSource))
  }
  // threads pick the largest waiting file first, so they get every file at once when only
  // verdicts are kept; with detonation each judged file keeps its text until it is printed
  const window = !pool ? 1 : keepSource ? threads * 4 : files.length
  while (next < Math.min(window, files.length)) submit()
  try {
    // one file that cannot be read or judged never stops the others
    while (ahead.length > 0) {
      const judged = await (ahead.shift() as Promise<Judged>)
      submit()
      const line = await finish(judged, detector, detonator)
      if ('error' in line) errors++
      else if (line.verdict !== 'clean') flagged++
      if (opts.json) {
        printJson(line)
        if ('error' in line) process.stderr.write(`skimwatch: ${line.error}\n`)
      } else rows.push(...tableRows(line))
    }
  } finally {
    await pool?.close()
    await detonator?.close()
  }
  if (!opts.json && rows.length > 0) printTable(rows, ['VERDICT', 'SCORE', 'FILE'])
  return errors > 0 ? EXIT.error : flagged > 0 ? EXIT.flagged : EXIT.clean
}

/** The static verdict, detonated when static analysis could not clear it, as an output line. */
async function finish(
  judged: Judged,
  detector: Detector | undefined,
  detonator: Detonator | undefined,
): Promise<Line> {
  if ('error' in judged) return judged
  const { file, source, html } = judged
  let v = judged.verdict
  if (detonator && detector && source !== undefined) {
    // a chamber that fails leaves the static verdict standing, with the failure beside it
    const before = v
    v = await detonator
      .judge(source, before, detector, { html: html === true })
      .catch((err: unknown) => ({
        ...before,
        findings: [...before.findings, analysisError('detonation', err)],
      }))
  }
  const findings = v.findings.map(toFindingRecord)
  return { file, sha256: v.sha256, verdict: v.verdict, score: v.score, findings }
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

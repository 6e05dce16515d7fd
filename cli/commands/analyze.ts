// skimwatch analyze <file…>: judge script files without running them.
import { readFile } from 'node:fs/promises'
import { EXIT } from '../../core/types.ts'
import type { Context } from '../context.ts'
import { toFindingRecord } from '../../pipeline/page-record.ts'
import { printJson, printTable } from '../output.ts'

export async function analyzeCommand(
  ctx: Context,
  files: string[],
  opts: { json?: boolean },
): Promise<number> {
  const detector = await ctx.detector()
  let exit: number = EXIT.clean
  const rows: string[][] = []
  for (const file of files) {
    let source: string
    try {
      source = await readFile(file, 'utf8')
    } catch (err) {
      process.stderr.write(
        `skimwatch: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}\n`,
      )
      exit = EXIT.error
      continue
    }
    const v = detector.analyze(source, { url: null })
    if (v.verdict !== 'clean' && exit === EXIT.clean) exit = EXIT.flagged
    const findings = v.findings.map(toFindingRecord)
    if (opts.json) {
      printJson({ file, sha256: v.sha256, verdict: v.verdict, score: v.score, findings })
      continue
    }
    rows.push([v.verdict, String(v.score), file])
    for (const f of findings)
      rows.push(['', '', `  ${f.line}:${f.column} ${f.rule} (${f.severity}) ${f.message}`])
  }
  if (!opts.json && rows.length > 0) printTable(rows, ['VERDICT', 'SCORE', 'FILE'])
  return exit
}

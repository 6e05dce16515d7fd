// npm run check:mail: renders every owner email for a sample case as the .eml it would send and,
// where SpamAssassin is installed (Debian: apt-get install -y spamassassin), prints its score.
// Exits 1 when a score reaches 1.0.
import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { deliver, sampleEmails } from '../notifier/index.ts'

const LIMIT = 1.0
const from = 'skimwatch@cert.example'
const unsubscribeUrl = 'https://skimwatch.cert.example/unsubscribe/3q2-vJ8xYb0aKcW1nZ7hR5tU'

function spamScore(eml: Buffer): { score: number; tests: string } | null {
  const run = spawnSync('spamassassin', ['-L', '-t'], { input: eml, maxBuffer: 16 << 20 })
  if (run.error || run.status !== 0) return null
  const out = run.stdout.toString()
  const status =
    /^X-Spam-Status: .*?score=(-?[\d.]+)[\s\S]*?tests=([\s\S]*?)(?:autolearn|version)/m.exec(out)
  if (!status) return null
  return { score: Number(status[1]), tests: status[2]!.replace(/\s+/g, '') }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'skimwatch-check-mail-'))
const installed = spawnSync('spamassassin', ['--version']).status === 0
let worst = -Infinity
const rows: string[][] = []
try {
  for (const [i, sample] of sampleEmails({ from, unsubscribeUrl }).entries()) {
    const sent = await deliver(
      { ...sample.email, unsubscribeUrl },
      { outboxDir: path.join(dir, String(i)), from },
    )
    const eml = await readFile(sent.path!)
    const result = installed ? spamScore(eml) : null
    if (result) worst = Math.max(worst, result.score)
    rows.push([
      sample.lang,
      sample.name,
      String(eml.length),
      result ? result.score.toFixed(1) : '-',
      result?.tests ?? '',
    ])
  }
} finally {
  await rm(dir, { recursive: true, force: true })
}

const header = ['LANG', 'TEMPLATE', 'BYTES', 'SCORE', 'RULES']
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
for (const r of [header, ...rows]) {
  process.stdout.write(
    `${r
      .map((v, c) => v.padEnd(widths[c]!))
      .join('  ')
      .trimEnd()}\n`,
  )
}
if (!installed) {
  process.stdout.write(
    '\nSpamAssassin is not installed: no scores. On Debian: apt-get install -y spamassassin\n',
  )
} else {
  process.stdout.write(
    `\n${rows.length} emails, highest score ${worst.toFixed(1)} (limit < ${LIMIT})\n`,
  )
  if (worst >= LIMIT) process.exitCode = 1
}

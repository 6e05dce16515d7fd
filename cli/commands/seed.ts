// skimwatch seed <file|->: add shops to the store.
import { readFile } from 'node:fs/promises'
import { BadInputError } from '../../core/errors.ts'
import { EXIT } from '../../core/types.ts'
import type { Context } from '../context.ts'
import { progressBar } from '../progress-bar.ts'
import { parseSeedList } from '../seed-list.ts'

export async function seedCommand(ctx: Context, file: string): Promise<number> {
  const text = file === '-' ? await readStdin() : await readSeedFile(file)
  const { entries, errors } = parseSeedList(text)
  for (const e of errors)
    process.stderr.write(`${file}:${e.line}: skipped "${e.text}": ${e.reason}\n`)
  const store = await ctx.store()
  const bar = progressBar('seed', entries.length)
  const { added, merged } = await store.addSites(entries, (done) => bar.update(done))
  bar.finish()
  process.stdout.write(
    `seeded ${added} new site(s), ${merged} already known, ${errors.length} bad line(s) skipped\n`,
  )
  return entries.length === 0 && errors.length > 0 ? EXIT.error : EXIT.clean
}

async function readSeedFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new BadInputError(
      `cannot read seed list ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    )
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

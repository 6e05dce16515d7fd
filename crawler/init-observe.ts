// The detonation chamber's extra init-script hooks, spliced into init-script.ts's closure (they
// use its report, wrap, disguised, attr, fieldOf and noteRead). Each report names one thing once.

/** An anti-analysis probe: navigator.webdriver, window size checks, hooked-native toString… */
export const PROBE_MARK = '__skimwatch_probe__'
/** A localStorage / sessionStorage / cookie / indexedDB write: area, key. */
export const STORE_MARK = '__skimwatch_store__'
/** An element that loads something went into the DOM: tag, url. */
export const INJECT_MARK = '__skimwatch_inject__'
/** A WebRTC peer connection (one ICE server URL) or a data channel send (label, payload). */
export const RTC_MARK = '__skimwatch_rtc__'

/** A WebTransport session was opened (url, null) or wrote a datagram or stream chunk (url, text). */
export const TRANSPORT_MARK = '__skimwatch_transport__'

export const OBSERVE_MARKS = { PROBE_MARK, STORE_MARK, INJECT_MARK, RTC_MARK, TRANSPORT_MARK }

/** Listener types worth naming: typing, editing, leaving a field, submitting, clicking, leaving. */
const LISTEN_TYPES =
  '^(key|input|change|blur|paste|focusout|submit|click|mousedown|mouseup|pointerdown|pointerup|touchstart|touchend|beforeunload|unload|pagehide|visibilitychange)'
const LOADERS = 'script,iframe,frame,link,img,image,style,form,object,embed,video,audio,source'

export const observeSource = (listenMark: string) => `
  const qsa = Element.prototype.querySelectorAll;
  const matches = Element.prototype.matches;
  const firsts = new Set();
  const first = (key) => { if (firsts.has(key) || firsts.size > 5000) return false; firsts.add(key); return true; };
  const probe = (what) => { if (first('p ' + what)) report(${JSON.stringify(PROBE_MARK)}, what); };

  // Hooked natives read as native code; asking is itself a probe.
  const fnToString = Function.prototype.toString;
  const toString = { toString() {
    const orig = disguised.get(this);
    if (orig) { probe('Function.prototype.toString on ' + (orig.name || 'a hooked function')); return fnToString.call(orig); }
    return fnToString.call(this);
  } }.toString;
  disguised.set(toString, fnToString);
  Function.prototype.toString = toString;

  const describeTarget = (t) => {
    if (t === window) return 'window';
    if (t === document) return 'document';
    if (!(t instanceof Element)) return null;
    const tag = t.tagName.toLowerCase();
    const id = attr(t, 'id'), name = attr(t, 'name');
    const classes = id || name ? '' : attr(t, 'class').trim().split(/\\s+/).filter(Boolean).slice(0, 3).map((c) => '.' + c).join('');
    return tag + (id ? '#' + id : '') + (name ? '[name="' + name + '"]' : '') + classes;
  };
  const listenRe = new RegExp(${JSON.stringify(LISTEN_TYPES)});
  const noteListener = (el, type) => {
    if (!listenRe.test(type)) return;
    const target = describeTarget(el);
    if (target !== null && first('l ' + target + ' ' + type)) report(${JSON.stringify(listenMark)}, target, type);
  };
  const handlerNames = ['onkeydown', 'onkeyup', 'onkeypress', 'oninput', 'onchange', 'onblur', 'onfocusout', 'onpaste', 'onsubmit', 'onclick', 'onmousedown', 'onbeforeunload', 'onunload'];
  for (const owner of [HTMLElement.prototype, Document.prototype, window, Window.prototype]) {
    for (const name of handlerNames) {
      const d = Object.getOwnPropertyDescriptor(owner, name);
      if (!d || !d.set || !d.configurable) continue;
      const set = d.set;
      const fn = { set [name](v) { if (typeof v === 'function') noteListener(this, name.slice(2)); return set.call(this, v); } };
      const setter = Object.getOwnPropertyDescriptor(fn, name).set;
      disguised.set(setter, set);
      Object.defineProperty(owner, name, { ...d, set: setter });
    }
  }

  // Keyloggers read the key from the event: a read of the field it was typed in.
  for (const [C, names] of [[KeyboardEvent, ['key', 'code', 'keyCode', 'charCode']], [UIEvent, ['which']], [InputEvent, ['data']]]) {
    for (const name of names) {
      const d = Object.getOwnPropertyDescriptor(C.prototype, name);
      if (!d || !d.get) continue;
      const get = d.get;
      const fn = { get [name]() {
        const t = this.target;
        if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement) noteRead(t, 'key');
        return get.call(this);
      } };
      const getter = Object.getOwnPropertyDescriptor(fn, name).get;
      disguised.set(getter, get);
      Object.defineProperty(C.prototype, name, { ...d, get: getter });
    }
  }

  // A select's choice is read through its options too (jQuery's val() does): a read of the select.
  const selectGetters = [[HTMLSelectElement, 'selectedIndex', (el) => el], [HTMLSelectElement, 'selectedOptions', (el) => el], [HTMLOptionElement, 'selected', (el) => el.parentElement && el.parentElement.closest('select')]];
  for (const [C, name, fieldOfIt] of selectGetters) {
    const d = Object.getOwnPropertyDescriptor(C.prototype, name);
    if (!d || !d.get) continue;
    const get = d.get;
    const fn = { get [name]() { const f = fieldOfIt(this); if (f) noteRead(f, 'value'); return get.call(this); } };
    const getter = Object.getOwnPropertyDescriptor(fn, name).get;
    disguised.set(getter, get);
    Object.defineProperty(C.prototype, name, { ...d, get: getter });
  }

  const injectedSeen = new WeakSet();
  const urlOf = (el) => {
    for (const a of ['src', 'href', 'action', 'data', 'srcset']) { const v = attr(el, a); if (v) return abs(v); }
    // A style element loads what its url() names.
    const css = el instanceof HTMLStyleElement ? /url\\(\\s*['"]?([^'")\\s]+)/.exec(el.textContent || '') : null;
    return css ? abs(css[1]) : null;
  };
  const noteInjected = (node) => {
    if (!(node instanceof Element)) return;
    const els = matches.call(node, ${JSON.stringify(LOADERS)}) ? [node] : [];
    for (const el of qsa.call(node, ${JSON.stringify(LOADERS)})) els.push(el);
    for (const el of els.slice(0, 50)) {
      if (injectedSeen.has(el)) continue;
      injectedSeen.add(el);
      report(${JSON.stringify(INJECT_MARK)}, el.tagName.toLowerCase(), urlOf(el));
    }
  };

  const store = (area, key) => { if (first('s ' + area + ' ' + key)) report(${JSON.stringify(STORE_MARK)}, area, String(key)); };
  const areas = new Map();
  for (const area of ['localStorage', 'sessionStorage']) {
    const d = Object.getOwnPropertyDescriptor(window, area) || Object.getOwnPropertyDescriptor(Window.prototype, area);
    let real = null;
    try { real = window[area]; } catch {}
    if (!d || !d.get || !d.configurable || !real) continue;
    areas.set(real, area);
    const bound = new Map();
    const proxy = new Proxy(real, {
      get(t, k) {
        const v = Reflect.get(t, k, t);
        if (typeof v !== 'function') return v;
        if (!bound.has(k)) bound.set(k, v.bind(t));
        return bound.get(k);
      },
      set(t, k, v) { if (typeof k === 'string') store(area, k); return Reflect.set(t, k, v, t); },
    });
    const get = d.get;
    const fn = { get [area]() { get.call(this); return proxy; } };
    const getter = Object.getOwnPropertyDescriptor(fn, area).get;
    disguised.set(getter, get);
    Object.defineProperty(window, area, { ...d, get: getter });
  }
  wrap(Storage.prototype, 'setItem', (s, [k]) => store(areas.get(s) || 'storage', k));
  wrap(IDBFactory.prototype, 'open', (_, [name]) => store('indexedDB', name));
  {
    const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
    if (d && d.set) {
      const set = d.set;
      const fn = { set cookie(v) { store('cookie', String(v).split('=')[0].trim()); return set.call(this, v); } };
      const setter = Object.getOwnPropertyDescriptor(fn, 'cookie').set;
      disguised.set(setter, set);
      Object.defineProperty(Document.prototype, 'cookie', { ...d, set: setter });
    }
  }

  // Anti-analysis: automation flags, window-size devtools checks, headless hints.
  const probeGetter = (owner, name, what) => {
    const d = Object.getOwnPropertyDescriptor(owner, name);
    if (!d || !d.get || !d.configurable) return;
    const get = d.get;
    const fn = { get [name]() { probe(what); return get.call(this); } };
    const getter = Object.getOwnPropertyDescriptor(fn, name).get;
    disguised.set(getter, get);
    Object.defineProperty(owner, name, { ...d, get: getter });
  };
  probeGetter(Navigator.prototype, 'webdriver', 'navigator.webdriver');
  for (const n of ['plugins', 'mimeTypes', 'languages', 'userAgent', 'hardwareConcurrency', 'deviceMemory'])
    probeGetter(Navigator.prototype, n, 'navigator.' + n);
  for (const n of ['outerWidth', 'outerHeight', 'screenX', 'screenY'])
    probeGetter(window, n, 'window.' + n);

  if (typeof RTCPeerConnection === 'function') {
    const PC = RTCPeerConnection;
    window.RTCPeerConnection = new Proxy(PC, { construct(target, args, nt) {
      try {
        const servers = (args[0] && args[0].iceServers) || [];
        const urls = servers.flatMap((s) => [].concat(s.urls || s.url || []));
        for (const u of (urls.length ? urls : ['rtc:peerconnection']).slice(0, 20)) report(${JSON.stringify(RTC_MARK)}, String(u), null);
      } catch {}
      return Reflect.construct(target, args, nt);
    } });
    if (typeof RTCDataChannel === 'function')
      wrap(RTCDataChannel.prototype, 'send', (ch, [data]) => report(${JSON.stringify(RTC_MARK)}, 'rtc:datachannel/' + ch.label, typeof data === 'string' ? data : null));
  }

  // WebTransport runs over HTTP/3, which no route or proxy of ours answers: a stand-in session
  // opens at once and records what is written to its datagrams and streams, as UTF-8 text.
  {
    const Native = window.WebTransport;
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    // bytes that are no UTF-8 text (encrypted, packed) are kept as hex, which the matcher decodes
    const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const bytesText = (bytes) => { try { return utf8.decode(bytes); } catch { return hex(bytes); } };
    const textOf = (chunk) => {
      try {
        if (typeof chunk === 'string') return chunk;
        if (chunk instanceof ArrayBuffer) return bytesText(new Uint8Array(chunk));
        if (ArrayBuffer.isView(chunk)) return bytesText(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        return String(chunk);
      } catch { return ''; }
    };
    const wrote = (url, chunk) => report(${JSON.stringify(TRANSPORT_MARK)}, url, textOf(chunk));
    // Reported where the sample writes, so the report carries its stack; a pipe reports from the sink.
    const writable = (url) => {
      const stream = new WritableStream({ write(chunk) { wrote(url, chunk); } });
      const getWriter = stream.getWriter;
      stream.getWriter = function () {
        const writer = getWriter.call(this);
        const write = writer.write;
        writer.write = function (chunk) { wrote(url, chunk); return write.call(this, chunk); };
        disguised.set(writer.write, write);
        return writer;
      };
      disguised.set(stream.getWriter, getWriter);
      return stream;
    };
    const silent = () => new ReadableStream({ start() {} });
    const urls = new WeakMap();
    function WebTransport(url) {
      if (!new.target) throw new TypeError("Failed to construct 'WebTransport': Please use the 'new' operator, this DOM object constructor cannot be called as a function.");
      const href = abs(url);
      urls.set(this, href);
      report(${JSON.stringify(TRANSPORT_MARK)}, href, null);
      this.ready = Promise.resolve(undefined);
      this.closed = new Promise(() => undefined);
      this.draining = new Promise(() => undefined);
      this.datagrams = { readable: silent(), writable: writable(href), maxDatagramSize: 1200, incomingHighWaterMark: 1, outgoingHighWaterMark: 1 };
      this.incomingBidirectionalStreams = silent();
      this.incomingUnidirectionalStreams = silent();
    }
    const proto = WebTransport.prototype;
    proto.createUnidirectionalStream = async function () { return writable(urls.get(this)); };
    proto.createBidirectionalStream = async function () { return { readable: silent(), writable: writable(urls.get(this)) }; };
    proto.close = function () {};
    proto.getStats = async function () { return {}; };
    if (Native) {
      disguised.set(WebTransport, Native);
      for (const name of ['createUnidirectionalStream', 'createBidirectionalStream', 'close', 'getStats'])
        if (typeof Native.prototype[name] === 'function') disguised.set(proto[name], Native.prototype[name]);
    }
    window.WebTransport = WebTransport;
  }
`

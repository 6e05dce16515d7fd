// Runs in every frame before page scripts: hides automation and reports card-field access.
// Reports go through a saved console.debug so CDP hands us the caller's stack with script ids.

export const INIT_SCRIPT_URL = '__skimwatch_init__'
export const READ_MARK = '__skimwatch_card_read__'
export const LISTEN_MARK = '__skimwatch_card_listen__'
/** Image loads start after the setter returns, so CDP has no initiator stack for them. */
export const SEND_MARK = '__skimwatch_image_src__'

/** Field names, ids and placeholders that look like card data, in several languages. */
export const CARD_FIELD_PATTERN =
  'card|cc[-_]?(num|number|exp|cvv|cvc|csc|name)|^cc$|kreditkarte|kartennummer|karte|numero.*carte|carte|tarjeta|carta|kaart|cvv|cvc|csc|cvn|security.?code|expir|exp[-_]?(date|month|year)|ablauf|pan$'

const source = (
  cardPattern: string,
  readMark: string,
  listenMark: string,
  sendMark: string,
) => `(() => {
  const debug = console.debug.bind(console);
  const cardRe = new RegExp(${JSON.stringify(cardPattern)}, 'i');
  const attr = (el, n) => (Element.prototype.getAttribute.call(el, n) || '');
  const isCard = (el) => {
    if ((attr(el, 'autocomplete')).toLowerCase().startsWith('cc-')) return true;
    return cardRe.test(attr(el, 'name')) || cardRe.test(attr(el, 'id')) || cardRe.test(attr(el, 'placeholder'));
  };
  try {
    Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true });
  } catch {}
  let reports = 0, sends = 0;
  const report = (mark) => { if (reports++ < 500) debug(mark); };
  const sent = (value) => {
    if (sends++ >= 1000) return;
    try { debug(${JSON.stringify(sendMark)}, new URL(String(value), document.baseURI).href); } catch {}
  };
  const img = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  if (img && img.set) {
    const set = img.set;
    Object.defineProperty(HTMLImageElement.prototype, 'src', { ...img, set(v) { sent(v); return set.call(this, v); } });
  }
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (this instanceof HTMLImageElement && String(name).toLowerCase() === 'src') sent(value);
    return setAttribute.call(this, name, value);
  };
  const desc = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  if (desc && desc.get) {
    const get = desc.get;
    Object.defineProperty(HTMLInputElement.prototype, 'value', {
      ...desc,
      get() { if (isCard(this)) report(${JSON.stringify(readMark)}); return get.call(this); },
    });
  }
  const add = EventTarget.prototype.addEventListener;
  const watched = /^(key|input|change|blur|paste|focusout)/;
  EventTarget.prototype.addEventListener = function (type, ...rest) {
    if (this instanceof HTMLInputElement && watched.test(String(type)) && isCard(this)) report(${JSON.stringify(listenMark)});
    return add.call(this, type, ...rest);
  };
})();
//# sourceURL=${INIT_SCRIPT_URL}
`

export const INIT_SCRIPT = source(CARD_FIELD_PATTERN, READ_MARK, LISTEN_MARK, SEND_MARK)

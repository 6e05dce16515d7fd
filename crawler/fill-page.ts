// Page-side halves of the honeypot fill, as source text for frames.ts (an isolated world).
// Plain strings, not functions: a bundler's helpers would not exist in the page.

/** One step on one field: set it (`text` / `keys` / `select`), or focus / blur around real typing. */
export interface FieldOp {
  selector: string
  op: 'text' | 'keys' | 'select' | 'focus' | 'blur'
  value: string
}

/**
 * Runs the ops in order; returns the selectors it could act on (visible, enabled fields).
 * `keys` sends keydown/keypress/input/keyup per character for listeners on key events; every
 * set field gets input and change, and focus/blur around it as a user's tabbing would give.
 */
export const FILL_FN = `(ops) => {
  const done = [];
  const visible = (el) => {
    if (!el.isConnected || el.disabled || el.readOnly) return false;
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const fire = (el, type) => el.dispatchEvent(new Event(type, { bubbles: true }));
  const key = (el, type, ch) => el.dispatchEvent(new KeyboardEvent(type, {
    key: ch, code: /\\d/.test(ch) ? 'Digit' + ch : 'Key' + ch.toUpperCase(),
    charCode: type === 'keypress' ? ch.charCodeAt(0) : 0,
    keyCode: ch.toUpperCase().charCodeAt(0), bubbles: true, cancelable: true, composed: true,
  }));
  const pickOption = (el, value) => {
    const wanted = [value, '20' + value, String(Number(value))];
    for (const w of wanted)
      for (const o of el.options) if (o.value === w || o.text.trim() === w) return o.index;
    return -1;
  };
  for (const { selector, op, value } of ops) {
    const el = document.querySelector(selector);
    if (!el) continue;
    if (op === 'blur') { el.blur(); done.push(selector); continue; }
    if (op === 'select') {
      const i = pickOption(el, value);
      if (i < 0) continue;
      el.focus(); el.selectedIndex = i; fire(el, 'input'); fire(el, 'change'); el.blur();
      done.push(selector);
      continue;
    }
    if (!visible(el)) continue;
    el.focus();
    el.value = '';
    if (op === 'focus') { done.push(selector); continue; }
    if (op === 'keys') {
      for (const ch of value) {
        key(el, 'keydown', ch); key(el, 'keypress', ch);
        el.value += ch;
        el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: ch }));
        key(el, 'keyup', ch);
      }
    } else {
      el.value = value;
      el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value }));
    }
    fire(el, 'change');
    el.blur();
    done.push(selector);
  }
  return done;
}`

/** Selectors among `selectors` that a user could see. */
export const VISIBLE_FN = `(selectors) => selectors.filter((s) => {
  const el = document.querySelector(s);
  if (!el || !el.isConnected) return false;
  return getComputedStyle(el).visibility !== 'hidden' && el.getClientRects().length > 0;
})`

/** Selectors among `selectors` of fields gone from the page, or shown empty (re-rendered or cleared). */
export const EMPTY_FN = `(selectors) => selectors.filter((s) => {
  const el = document.querySelector(s);
  return !el || (el.getClientRects().length > 0 && el.value === '');
})`

/**
 * A checkout step's choices: in each group of radios a user sees, the card method when one
 * matches `cardWords`, else the first when none is checked; selects left on an empty option get
 * their first real one (the country the test address belongs to, when offered); required boxes
 * (terms) are ticked. Clicked as a user would, so the step's own scripts react. Returns how many.
 */
export const CHOOSE_FN = `({ cardWords, guestWords, termsWords, country, countryNames }) => {
  const card = new RegExp(cardWords, 'i');
  const guest = new RegExp(guestWords, 'i');
  const terms = new RegExp(termsWords, 'i');
  const shown = (el) => el.isConnected && !el.disabled && (el.getClientRects().length > 0 ||
    [...(el.labels || [])].some((l) => l.getClientRects().length > 0));
  // The radio's own words: its labels, and its parent's text when the parent holds no other radio.
  const own = (el) => el.parentElement && el.parentElement.querySelectorAll('input[type=radio]').length === 1
    ? el.parentElement.textContent : '';
  const text = (el) => [el.value, el.id, ...[...(el.labels || [])].map((l) => l.textContent), own(el)].join(' ');
  const fire = (el, type) => el.dispatchEvent(new Event(type, { bubbles: true }));
  let chose = 0;
  const groups = new Map();
  for (const r of document.querySelectorAll('input[type=radio]')) {
    if (!shown(r)) continue;
    const list = groups.get(r.name) || [];
    list.push(r);
    groups.set(r.name, list);
  }
  for (const radios of groups.values()) {
    // the card method; a guest checkout over registering; else the shop's own default, or the first
    const pick = radios.find((r) => card.test(text(r))) || radios.find((r) => guest.test(text(r))) ||
      (radios.some((r) => r.checked) ? null : radios[0]);
    if (pick && !pick.checked) { pick.click(); chose++; }
  }
  for (const s of document.querySelectorAll('select')) {
    if (!shown(s) || s.value !== '') continue;
    const options = [...s.options].filter((o) => o.value !== '' && !o.disabled);
    // the test address's country, by code or (ids are numbers on some platforms) by name
    const named = new RegExp('^(' + countryNames + ')$', 'i');
    const o = (/country/i.test(s.name + s.id) &&
      options.find((x) => x.value.toUpperCase() === country || named.test(x.textContent.trim()))) || options[0];
    if (!o) continue;
    s.value = o.value; fire(s, 'input'); fire(s, 'change'); chose++;
  }
  // required boxes, and terms a shop checks only on its server (OpenCart's "agree")
  for (const c of document.querySelectorAll('input[type=checkbox]')) {
    if (!shown(c) || c.checked) continue;
    const near = c.parentElement && c.parentElement.querySelectorAll('input').length === 1 ? c.parentElement.textContent : '';
    if (c.required || terms.test([c.name, c.id, ...[...(c.labels || [])].map((l) => l.textContent), near].join(' '))) {
      c.click(); chose++;
    }
  }
  return chose;
}`

/**
 * A postcode in the format of the country the form has selected (the test address is a US one,
 * but a shop abroad preselects its own country and checks the format). Returns fields changed.
 */
export const POSTCODE_FN = `({ zipWords, postcodes }) => {
  const zip = new RegExp(zipWords, 'i');
  const shown = (el) => el.isConnected && !el.disabled && el.getClientRects().length > 0;
  const words = (el) => [el.name, el.id, el.placeholder, el.getAttribute('autocomplete'),
    ...[...(el.labels || [])].map((l) => l.textContent)].join(' ');
  const country = [...document.querySelectorAll('select')].find((s) => shown(s) && /country|pays|paese|kraj/i.test(s.name + ' ' + s.id));
  if (!country || country.selectedIndex < 0) return 0;
  const option = country.options[country.selectedIndex];
  const entry = postcodes.find((p) => p.code === option.value.toUpperCase() || new RegExp('^(' + p.names + ')$', 'i').test(option.textContent.trim()));
  if (!entry) return 0;
  let changed = 0;
  for (const el of document.querySelectorAll('input')) {
    if (!shown(el) || !zip.test(words(el)) || el.value === entry.postcode) continue;
    el.value = entry.postcode;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    changed++;
  }
  return changed;
}`

/**
 * What stops a step: messages of validation errors a user sees, and the fields the page or the
 * browser calls invalid; `fix` puts a plausible value into invalid fields first. Returns both.
 */
export const INVALID_FN = `({ fix, values }) => {
  const shown = (el) => el.isConnected && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden';
  const fields = [...document.querySelectorAll('input, select, textarea')].filter((el) =>
    shown(el) && !el.disabled && !['hidden', 'submit', 'button', 'image'].includes(el.type) &&
    (el.getAttribute('aria-invalid') === 'true' || !el.checkValidity() ||
      /(^|\\s)(mage-error|validation-failed|is-invalid|woocommerce-invalid)(\\s|$)/.test(el.className + ' ' + (el.closest('.form-row, .field') || el).className)));
  let fixed = 0;
  if (fix) for (const el of fields) {
    if (el.tagName === 'SELECT') {
      const o = [...el.options].find((x) => x.value !== '' && !x.disabled);
      if (o) el.value = o.value;
    } else if (el.type === 'checkbox') el.checked = true;
    else el.value = values[el.type] || values.text;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    fixed++;
  }
  const sel = '.mage-error, .validation-advice, .error-message, .woocommerce-error li, .invalid-feedback, .field-error, [role=alert], .text-danger, .alert-danger';
  const messages = [...document.querySelectorAll(sel)].filter((e) => shown(e) && e.textContent.trim() !== '')
    .map((e) => e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 120));
  return { messages: [...new Set(messages)].slice(0, 5), invalid: fields.map((f) => f.name || f.id).slice(0, 10), fixed };
}`

/**
 * A deliberately small XML reader for libvirt's own output (`virsh dumpxml`, `net-dumpxml`): elements,
 * attributes, text, comments, CDATA, the five predefined entities and character references. No DTDs,
 * no namespaces resolution (prefixes stay part of the name), no external entities (so nothing to
 * exploit). Malformed input throws; callers turn that into an `unparseable` fact.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    const v = ENTITIES[e];
    if (v === undefined) throw new Error(`unknown XML entity ${all}`);
    return v;
  });
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTR = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/;

/** Parses one document and returns its root element. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}`);
  };
  const skipPast = (end: string) => {
    const j = text.indexOf(end, i);
    if (j < 0) fail(`unterminated ${end}`);
    i = j + end.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') {
      const top = stack[stack.length - 1];
      if (!top) fail('text outside the root element');
      else top.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) skipPast('?>');
    else if (text.startsWith('<!--', i)) skipPast('-->');
    else if (text.startsWith('<![CDATA[', i)) {
      const j = text.indexOf(']]>', i);
      if (j < 0) fail('unterminated CDATA');
      const top = stack[stack.length - 1];
      if (top) top.text += text.slice(i + 9, j);
      i = j + 3;
    } else if (text.startsWith('<!', i)) skipPast('>');
    else if (text.startsWith('</', i)) {
      const m = NAME.exec(text.slice(i + 2));
      const open = stack.pop();
      if (!m || !open || open.name !== m[0]) fail(`mismatched closing tag </${m?.[0] ?? '?'}>`);
      i += 2 + (m?.[0].length ?? 0);
      const close = text.indexOf('>', i);
      if (close < 0 || text.slice(i, close).trim() !== '') fail('bad closing tag');
      i = close + 1;
    } else {
      const m = NAME.exec(text.slice(i + 1));
      if (!m) fail('bad tag name');
      const name = m?.[0] ?? '';
      i += 1 + name.length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const a = ATTR.exec(text.slice(i, i + 4096));
        if (!a) break;
        attrs[a[1] ?? ''] = decodeEntities(a[2] ?? a[3] ?? '');
        i += a[0].length;
      }
      while (text[i] === ' ' || text[i] === '\n' || text[i] === '\t' || text[i] === '\r') i++;
      const selfClosing = text.startsWith('/>', i);
      if (!selfClosing && text[i] !== '>') fail(`bad tag <${name}>`);
      i += selfClosing ? 2 : 1;
      const el: XmlElement = { name, attrs, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (!selfClosing) stack.push(el);
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]?.name ?? '?'}>`);
  if (!root) throw new Error('no XML element found');
  return root;
}

/** First child element named `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** All child elements named `name`. */
export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
